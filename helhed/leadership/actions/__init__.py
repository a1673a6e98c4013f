"""Leadership actions, one module per area."""
