"""The pytest plugins of `pytest e2e/`, one job each; `e2e/conftest.py` registers them."""
