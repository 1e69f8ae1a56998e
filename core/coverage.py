"""What a page's figures need that is not loaded, in the seller's words.

A seller's database is often half-filled: reports without a cost sheet, orders only, one snapshot.
Every page still works, and says what is missing, which report or sheet brings it and where to load
it. ``NEEDS`` is the registry (one line to add a need), ``PAGE_NEEDS`` which pages read what.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core import db


@dataclass(frozen=True)
class Need:
    """One kind of data: the report or sheet that brings it, what it feeds, and where it is loaded."""

    key: str
    source: str  # the report's Seller Central name, or "your product-cost sheet"
    brings: str
    load_page: str  # "data" (Upload reports) or "costs" (Product costs)
    present_sql: str  # true when it is loaded


NEEDS = {n.key: n for n in (
    Need("stock", "FBA Inventory (or Manage FBA Inventory)",
         "stock on hand, its ages and every health figure", "data",
         "(SELECT count(*) FROM inventory_planning) + (SELECT count(*) FROM manage_inventory) > 0"),
    Need("position", "FBA Inventory (or Manage FBA Inventory)",
         "the units available, inbound and in transfer (without a stock snapshot the plan takes the "
         "inventory position as 0, so every SKU with demand is to order now, for all it needs)", "data",
         "(SELECT count(*) FROM inventory_planning) + (SELECT count(*) FROM manage_inventory) > 0"),
    Need("ages", "FBA Inventory", "the age bands behind the aged-inventory surcharge and the IPI factors",
         "data", "(SELECT count(*) FROM inventory_planning) > 0"),
    Need("daily_sales", "All Orders (or Amazon Fulfilled Shipments)",
         "daily demand: the forecast and its backtest, stockout-corrected demand and sales trends", "data",
         "(SELECT count(*) FROM orders) + (SELECT count(*) FROM shipments) > 0"),
    Need("ledger", "Inventory Ledger (detailed view)",
         "FIFO ages between snapshots, days out of stock, and lost or damaged units", "data",
         "(SELECT count(*) FROM ledger_detail) > 0"),
    Need("costs", "Your product-cost sheet",
         "inventory value, turnover in dollars, order values, holding cost, lost margin and ROI", "costs",
         # A sheet that costs none of the SKUs Amazon reports counts as missing.
         "EXISTS (SELECT 1 FROM product_costs WHERE unit_cost IS NOT NULL AND sku IN (SELECT sku FROM "
         "inventory_planning UNION ALL SELECT sku FROM manage_inventory UNION ALL SELECT sku FROM orders))"),
    Need("fee_preview", "FBA Fee Preview",
         "Amazon's FBA fee per unit, size tiers and unit dimensions, and the Brand filter", "data",
         "(SELECT count(*) FROM fee_preview) > 0"),
    Need("storage_fees", "Monthly Storage Fees", "what Amazon actually charged, to check the fee rates",
         "data",
         "(SELECT count(*) FROM storage_fees) > 0"),
    Need("returns", "FBA Customer Returns", "return rates, reasons and the state units come back in", "data",
         "(SELECT count(*) FROM customer_returns) > 0"),
)}

PAGE_NEEDS = {
    "home": ("costs", "daily_sales"),
    "health": ("costs", "daily_sales", "ledger"),
    "slow_movers": ("daily_sales", "ages"),
    "returns": ("returns", "daily_sales", "ledger"),
    "restock": ("position", "daily_sales", "costs"),
    "whatif": ("position", "daily_sales", "costs"),
    "accuracy": ("daily_sales",),
    "fees": ("ages", "fee_preview", "storage_fees"),
    "clearance": ("costs", "fee_preview"),
}


def missing_needs(db_path: Path, page: str) -> list[Need]:
    """The needs of ``page`` (a ``PAGE_NEEDS`` key) that are not loaded, in the registry's order."""
    keys = PAGE_NEEDS[page]
    with db.connect(db_path) as con:
        present = con.execute("SELECT " + ", ".join(NEEDS[k].present_sql for k in keys)).fetchone()
    return [NEEDS[k] for k, here in zip(keys, present) if not here]
