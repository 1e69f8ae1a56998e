"""Build report files in Amazon's formats for tests, from the real header rows in fixtures/headers."""

from __future__ import annotations

import gzip
from pathlib import Path

HEADERS = Path(__file__).parent / "fixtures" / "headers"


def header(name: str) -> list[str]:
    """A real header row, e.g. header("orders_2026_34")."""
    return (HEADERS / f"{name}.tsv").read_text(encoding="utf-8").rstrip("\n").split("\t")


def write_report(path: Path, columns: list[str], rows: list[dict], *, delimiter: str = "\t",
                 encoding: str = "utf-8", bom: bool = False, quote_all: bool = False,
                 compress: bool = False) -> Path:
    """Write ``rows`` (dicts keyed by raw header name; absent cells are empty) under ``columns``."""

    def cell(value) -> str:
        text = "" if value is None else str(value)
        return '"' + text.replace('"', '""') + '"' if quote_all else text

    lines = [delimiter.join(cell(c) for c in columns)]
    lines += [delimiter.join(cell(row.get(c)) for c in columns) for row in rows]
    data = ("\n".join(lines) + "\n").encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    if compress:
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def order_row(order_id: str, sku: str, qty: int = 1, status: str = "Shipped", price: str = "25.00",
              date: str = "2026-05-08T23:36:26+00:00", **extra) -> dict:
    row = {"amazon-order-id": order_id, "purchase-date": date, "last-updated-date": date,
           "order-status": status, "fulfillment-channel": "Amazon", "sales-channel": "Amazon.com",
           "product-name": f"Product {sku}", "sku": sku, "asin": "B0TEST0001", "item-status": status,
           "quantity": qty, "currency": "USD", "item-price": price, "is-business-order": "false"}
    row.update(extra)
    return row


def ledger_row(date: str, sku: str, event: str, qty: int, ref: str = "", fc: str = "PHL7", **extra) -> dict:
    row = {"Date": date, "FNSKU": f"X00{sku[-4:]}", "ASIN": "B0TEST0001", "MSKU": sku, "Title": "Thing",
           "Event Type": event, "Reference ID": ref, "Quantity": qty, "Fulfillment Center": fc,
           "Disposition": "SELLABLE", "Reason": "", "Country": "US", "Reconciled Quantity": "",
           "Unreconciled Quantity": "", "Date and Time": "", "Store": ""}
    row.update(extra)
    return row
