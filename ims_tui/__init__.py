"""ims-tui: a keyboard-first terminal UI for OpenStack Glance v2 image services."""

__version__ = "0.1.0"
