"""Inventory metrics, one module per concern. Each formula is written once here, named in its
docstring and listed in docs/metrics.md. Functions take numbers or pandas Series alike."""
