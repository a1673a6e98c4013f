"""Trials forms, one module per area."""
