"""The ``fba-health`` command: the app's headless face over the same core functions.

Subcommands, flags and JSON field names are a contract relied on by scripts: add, never rename.

    fba-health load FILE... [--db PATH] [--json] [--snapshot-date YYYY-MM-DD]
    fba-health imports [--db PATH] [--json]
    fba-health remove IMPORT_ID [--db PATH]
    fba-health load-sample [--db PATH]
    fba-health skus [--db PATH] [--as-of YYYY-MM-DD] (--json | --csv)
    fba-health summary [--db PATH] [--as-of YYYY-MM-DD] [--json]
    fba-health restock [--db PATH] [--service-level 0.95] [--lead-time-days N | --lead-time-shift N] (--json | --csv)
    fba-health forecast --sku SKU [--db PATH] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

import pandas as pd

from core import db, export, ingest, sample, settings, skus




def _cmd_load(args: argparse.Namespace) -> int:
    db_path = db.resolve_db_path(args.db)
    rejected = False
    for path in args.files:
        if not path.is_file():
            result = ingest.LoadResult(str(path), None, "rejected", errors=(f"No such file: {path}",))
        else:
            result = ingest.load_report(db_path, path, file_name=str(path), snapshot_date=args.snapshot_date)
        rejected |= result.status == "rejected"
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        else:
            _print_result(result)
    return 2 if rejected else 0


def _print_result(result: ingest.LoadResult) -> None:
    if result.status == "loaded":
        span = f", {result.date_min} to {result.date_max}" if result.date_min else ""
        print(f"{result.file}: loaded {result.rows_loaded:,} rows as {result.report_type}"
              f" ({result.rows_replaced:,} replaced{span})")
    elif result.status == "unchanged":
        print(f"{result.file}: unchanged ({result.report_type} already loaded)")
    else:
        print(f"{result.file}: REJECTED")
        for error in result.errors:
            print(f"  - {error}")
    for warning in result.warnings:
        print(f"  note: {warning}")


def _cmd_imports(args: argparse.Namespace) -> int:
    frame = ingest.list_imports(db.resolve_db_path(args.db))
    if args.json:
        print(frame.drop(columns=["warnings"]).to_json(orient="records", date_format="iso"))
    elif frame.empty:
        print("Nothing loaded yet.")
    else:
        print(frame[["import_id", "file_name", "report_type", "row_count", "current_rows", "date_min",
                     "date_max", "loaded_at"]].to_string(index=False))
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    try:
        removal = ingest.remove_import(db.resolve_db_path(args.db), args.import_id)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Removed import #{removal.import_id} ({removal.file}): {removal.rows_removed:,} rows removed, "
          f"{removal.rows_restored:,} earlier rows restored.")
    return 0


def _cmd_load_sample(args: argparse.Namespace) -> int:
    results = sample.load_sample(db.resolve_db_path(args.db))
    for result in results:
        _print_result(result)
    return 2 if any(r.status == "rejected" for r in results) else 0


def _json_safe(value):
    """JSON has no inf/NaN: they become null (days of supply with no demand is null, 'no sales')."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):  # days as YYYY-MM-DD, instants in full
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _json_safe(value.item())
    return value


def _table(args: argparse.Namespace) -> skus.SkuTable:
    db_path = db.resolve_db_path(args.db)
    health, grades = settings.load(db_path)
    return skus.sku_table(db_path, health, grades, as_of=args.as_of)


def _cmd_skus(args: argparse.Namespace) -> int:
    table = _table(args)
    frame = table.frame
    if args.csv:  # formula-safe, like every export of the app
        sys.stdout.buffer.write(export.to_csv_bytes(frame))
        return 0
    records = []
    for row in frame.to_dict("records"):
        record = {k: _json_safe(v) for k, v in row.items()}
        record["signals"] = [s for s in (row["signals"] or "").split("; ") if s]
        records.append(record)
    print(json.dumps(records, ensure_ascii=False))
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    table = _table(args)
    summary = skus.account_summary(table.frame, table.params)
    if args.json:
        print(json.dumps({k: _json_safe(v) if not isinstance(v, dict) else
                          {n: _json_safe(x) for n, x in v.items()} for k, v in summary.items()}))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


def _records(frame) -> list[dict]:
    return [{k: _json_safe(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _cmd_restock(args: argparse.Namespace) -> int:
    import dataclasses

    from core import forecast, restock
    from core.restock_params import RestockParams

    db_path = db.resolve_db_path(args.db)
    health, _ = settings.load(db_path)
    params = dataclasses.replace(RestockParams(), service_level_override=args.service_level,
                                 lead_time_days_override=args.lead_time_days,
                                 lead_time_shift_days=args.lead_time_shift or 0)
    forecasts = forecast.forecast_table(db_path, as_of=args.as_of)
    plan = restock.restock_from_db(db_path, params, as_of=args.as_of, forecast_summary=forecasts.summary,
                                   health_params=health)
    if args.csv:
        sys.stdout.buffer.write(export.to_csv_bytes(plan))
    else:
        print(json.dumps(_records(plan), ensure_ascii=False))
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    from core import forecast

    result = forecast.forecast_table(db.resolve_db_path(args.db), as_of=args.as_of)
    daily = result.daily[result.daily["sku"] == args.sku]
    if daily.empty:
        print(f"No forecast for SKU {args.sku!r}: it is not in the loaded reports.", file=sys.stderr)
        return 2
    summary = result.summary[result.summary["sku"] == args.sku]
    print(json.dumps({"sku": args.sku, "as_of": _json_safe(result.as_of),
                      "model": _records(summary)[0], "daily": _records(daily.drop(columns="sku"))},
                     ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fba-health", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = "database file (default: $FBA_HEALTH_DB or data/inventory.duckdb)"

    load = sub.add_parser("load", help="load Seller Central / SP-API report files")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--db", help=db_help)
    load.add_argument("--json", action="store_true", help="one JSON object per file")
    load.add_argument("--snapshot-date", type=dt.date.fromisoformat, default=None,
                      help="date for reports that carry none (Manage Inventory, Restock, fee preview); "
                           "default today")
    load.set_defaults(run=_cmd_load)

    imports = sub.add_parser("imports", help="list what is loaded")
    imports.add_argument("--db", help=db_help)
    imports.add_argument("--json", action="store_true")
    imports.set_defaults(run=_cmd_imports)

    remove = sub.add_parser("remove", help="remove one import (restores the rows it replaced)")
    remove.add_argument("import_id", type=int)
    remove.add_argument("--db", help=db_help)
    remove.set_defaults(run=_cmd_remove)

    demo = sub.add_parser("load-sample", help="load the bundled demo account")
    demo.add_argument("--db", help=db_help)
    demo.set_defaults(run=_cmd_load_sample)
    for name, run, help_text in (("skus", _cmd_skus, "the per-SKU health table"),
                                  ("summary", _cmd_summary, "the account's health figures")):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--db", help=db_help)
        command.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                             help="a stock snapshot date (default: the latest loaded)")
        formats = command.add_mutually_exclusive_group(required=name == "skus")
        formats.add_argument("--json", action="store_true")
        if name == "skus":
            formats.add_argument("--csv", action="store_true")
        command.set_defaults(run=run)
    plan = sub.add_parser("restock", help="what to order, how much and by when, per SKU")
    plan.add_argument("--db", help=db_help)
    plan.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    plan.add_argument("--service-level", type=float, default=None,
                      help="one service level for every SKU, e.g. 0.95 (default: by ABC class)")
    lead = plan.add_mutually_exclusive_group()
    lead.add_argument("--lead-time-days", type=float, default=None, help="lead time of every SKU, in days")
    lead.add_argument("--lead-time-shift", type=float, default=None, help="days added to every SKU's lead time")
    formats = plan.add_mutually_exclusive_group(required=True)
    formats.add_argument("--json", action="store_true")
    formats.add_argument("--csv", action="store_true")
    plan.set_defaults(run=_cmd_restock)

    fc = sub.add_parser("forecast", help="one SKU's daily demand forecast with 80%% and 95%% intervals")
    fc.add_argument("--sku", required=True)
    fc.add_argument("--db", help=db_help)
    fc.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    fc.add_argument("--json", action="store_true", help="JSON (the only format)")
    fc.set_defaults(run=_cmd_forecast)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except db.DatabaseBusy as busy:
        print(busy, file=sys.stderr)
        return 3
