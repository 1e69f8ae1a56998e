"""The seller's product costs: which SKUs have one, and saving the in-app editor's table.

Costs are stored like any report (table ``product_costs``, report type ``PRODUCT_COSTS``): an edit
in the app is saved as a tab file through ``core.ingest.load_report``, so it is checked by the same
rules as an upload and recorded as an import that can be removed.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd

from core import db, ingest
from core.schemas import PRODUCT_COSTS_TEMPLATE_COLUMNS

# Reports whose rows name SKUs with a product name: every SKU the seller stocks or sells is in one.
SKU_SOURCES = ("inventory_planning", "manage_inventory", "restock", "orders")


def known_skus_sql() -> str:
    """SQL listing every SKU named by a loaded report, with one product name each."""
    parts = " UNION ALL ".join(f"SELECT sku, product_name FROM {t}" for t in SKU_SOURCES)
    return f"SELECT sku, min(product_name) AS product_name FROM ({parts}) WHERE sku IS NOT NULL GROUP BY sku"


def cost_table(db_path: Path) -> pd.DataFrame:
    """Every SKU known from a report or the cost sheet, with its cost row and a ``cost_missing`` flag.

    SKUs without a unit cost come first: those are the ones a seller has to fill in.
    """
    cost_columns = ", ".join(f"c.{c}" for c in PRODUCT_COSTS_TEMPLATE_COLUMNS if c != "sku")
    return db.query_df(db_path, f"""
        WITH known AS ({known_skus_sql()}),
             skus AS (SELECT sku FROM known UNION SELECT sku FROM product_costs WHERE sku IS NOT NULL)
        SELECT s.sku, k.product_name, {cost_columns}, c.unit_cost IS NULL AS cost_missing
        FROM skus s LEFT JOIN product_costs c USING (sku) LEFT JOIN known k USING (sku)
        ORDER BY cost_missing DESC, s.sku""")


def account_currency(db_path: Path, default: str = "USD") -> str:
    """The currency of the seller's unit costs: the cost sheet's most used currency code (ties to the
    first alphabetically), else ``default`` (no sheet, or no currency column filled in)."""
    found = db.query_df(db_path, """
        SELECT upper(trim(currency)) AS code, count(*) AS n FROM product_costs
        WHERE currency IS NOT NULL AND trim(currency) <> '' GROUP BY code ORDER BY n DESC, code LIMIT 1""")
    return str(found["code"].iloc[0]) if len(found) else default


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"[\t\r\n]+", " ", str(value)).strip()


def save_product_costs(db_path: Path, edited: pd.DataFrame,
                       name: str = "Product costs edited in the app") -> ingest.LoadResult:
    """Save an edited cost table as the complete set of costs (it replaces every current cost row).

    Rows with nothing filled in but the SKU are left out: a SKU listed only because a report names it
    has no cost row to save. The table goes through ``load_report`` as a tab file, so a bad value is
    rejected with the same message an upload would get, and nothing changes.
    """
    columns = list(PRODUCT_COSTS_TEMPLATE_COLUMNS)
    table = edited.reindex(columns=columns)
    table = table[table.drop(columns="sku").notna().any(axis="columns")]
    lines = ["\t".join(columns)]
    lines += ["\t".join(_cell(v) for v in row) for row in table.itertuples(index=False)]
    with tempfile.TemporaryDirectory(prefix="fba-costs-") as folder:
        path = Path(folder) / "costs.tsv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return ingest.load_report(db_path, path, file_name=name, replace_all=True)
