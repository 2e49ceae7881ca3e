"""The browser tests launch chromium with the flags the brief is printed with."""

from viz.browser import CHROMIUM_ARGS

__all__ = ["CHROMIUM_ARGS"]
