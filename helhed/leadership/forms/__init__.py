"""Leadership forms, one module per area."""
