"""Reading loaded reports as they are: the rows behind the Report explorer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core import db
from core.schemas import BY_TYPE


@dataclass(frozen=True)
class ReportRows:
    rows: pd.DataFrame  # at most ``limit`` current rows, newest first
    total: int  # how many current rows match the filter
    filter_columns: tuple[str, ...]


def filter_columns(report_type: str) -> tuple[str, ...]:
    """The identifier columns a text filter searches: ``sku``, else ``fnsku`` and ``asin``."""
    names = {c.name for c in BY_TYPE[report_type].columns}
    return ("sku",) if "sku" in names else tuple(c for c in ("fnsku", "asin") if c in names)


def report_rows(db_path: Path, report_type: str, needle: str = "", limit: int = 1_000) -> ReportRows:
    """Current rows of one report whose SKU (or FNSKU/ASIN) contains ``needle``, case-insensitive.

    ``%`` and ``_`` in ``needle`` match themselves. Columns the loaded header versions lack (all
    empty) are dropped; identifiers and the date come first, the import number last.
    """
    schema = BY_TYPE[report_type]
    searched = filter_columns(report_type)
    where, params = "true", {}
    if needle.strip() and searched:
        escaped = re.sub(r"([\\%_])", r"\\\1", needle.strip())
        params = {"pattern": f"%{escaped}%"}
        where = " OR ".join(f"{c} ILIKE $pattern ESCAPE '\\'" for c in searched)
    order = f"{schema.date_column} DESC NULLS LAST, " if schema.date_column else ""
    with db.connect(db_path) as con:
        total = con.execute(f"SELECT count(*) FROM {schema.table} WHERE {where}", params).fetchone()[0]
        rows = con.execute(
            f"SELECT * EXCLUDE (source_row, extra) FROM {schema.table} WHERE {where} "
            f"ORDER BY {order}import_id DESC, source_row LIMIT {int(limit)}", params).df()
    if len(rows):
        rows = rows.dropna(axis="columns", how="all")
    first = [c for c in ("sku", "fnsku", "asin", "product_name", schema.date_column) if c in rows.columns]
    ordered = list(dict.fromkeys([*first, *rows.columns.drop("import_id"), "import_id"]))
    return ReportRows(rows[ordered], total, searched)
