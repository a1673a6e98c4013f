"""Forms of the results app, one module per area."""
