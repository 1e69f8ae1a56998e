"""Storage fees and surcharges: the fee schedule as versioned data, and a month-by-month projection.

- ``table``: the fee tables (``tables/<marketplace>.json``) and small pure lookups over them.
- ``projection``: the FIFO roll-forward of stock by age and the storage fee, aged-inventory
  surcharge and low-inventory risk per SKU and month; the next AIS band crossings.
- ``inputs``: the inputs from the database (FIFO lots, cubic feet, size tiers, Amazon's estimates)
  and ``fees_from_db``.
See docs/metrics.md, "Storage fees and surcharges".
"""
