"""Broadsheet: an open-source publishing platform."""

__version__ = "0.1.0"
