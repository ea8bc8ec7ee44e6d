"""Regression tests reuse the app fixtures: workspaces and one real relay process."""

from tests.app.conftest import _english, clock, make_ws, relay, relay_clock_file

__all__ = ["_english", "clock", "make_ws", "relay", "relay_clock_file"]
