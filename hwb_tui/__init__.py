"""hwb-tui: the Hwb User Management Portal's password work, in a terminal."""

__version__ = "0.1.0"
