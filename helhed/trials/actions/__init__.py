"""Trials actions, one module per area."""
