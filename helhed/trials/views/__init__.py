"""Trials views, one module per area."""
