"""Forums forms, one module per area."""
