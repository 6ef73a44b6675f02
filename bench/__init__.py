"""The benchmark suite: `python -m bench` prints one table of figures beside their baselines."""
