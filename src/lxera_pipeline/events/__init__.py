"""Typed events: the status value sets, state machines and the event models parsed from rows."""
