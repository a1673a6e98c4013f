"""Forums actions, one module per area."""
