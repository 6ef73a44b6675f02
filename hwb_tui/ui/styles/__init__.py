"""The app's style sheets. Textual parses every sheet it holds again whenever styles change
(five times before the first screen is painted), so start-up holds only app.tcss; each screen
names its own sheet (CSS_PATH), read when that screen is first shown."""

from pathlib import Path

_HERE = Path(__file__).parent

APP = _HERE / "app.tcss"
SIGN_IN = _HERE / "sign_in.tcss"
DETAILS = _HERE / "details.tcss"  # My Profile and View Details
DIALOGS = _HERE / "dialogs.tcss"  # every ModalScreen, and the lock screen
