"""Forums views, one module per area."""
