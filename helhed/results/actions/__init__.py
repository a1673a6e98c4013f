"""Every change to results data, one module per area (``do_*`` functions)."""
