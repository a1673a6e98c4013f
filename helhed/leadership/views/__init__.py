"""Leadership views, one module per area."""
