"""Helhed: cross-sector leadership for Danish municipalities."""
