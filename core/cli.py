"""The ``fba-health`` command: the app's headless face over the same core functions.

Subcommands, flags and JSON field names are a contract relied on by scripts: add, never rename.

    fba-health load FILE... [--db PATH] [--json] [--snapshot-date YYYY-MM-DD] [--date-order dmy|mdy]
    fba-health imports [--db PATH] [--json]
    fba-health remove IMPORT_ID [--db PATH]
    fba-health load-sample [--db PATH]
    fba-health skus [--db PATH] [--as-of YYYY-MM-DD] (--json | --csv)
    fba-health summary [--db PATH] [--as-of YYYY-MM-DD] [--json]
    fba-health restock [--db PATH] [--service-level 0.95] [--lead-time-days N | --lead-time-shift N] (--json | --csv)
    fba-health forecast --sku SKU [--db PATH] [--json]
    fba-health fees [--db PATH] [--as-of YYYY-MM-DD] [--months 12] [--no-arrivals] [--crossings]
                    (--json | --csv)
    fba-health clearance [--db PATH] [--as-of YYYY-MM-DD] [--horizon-months 6] [--sku SKU ...]
                         [--discount-pct 0.2] [--elasticity 2.0] [--liquidation-recovery 0.10]
                         (--json | --csv)
    fba-health alerts [--db PATH] [--as-of YYYY-MM-DD] [--today YYYY-MM-DD] (--json | --by-sku | --markdown)
                      [--email TO ...]
    fba-health where [--db PATH] [--json]
    fba-health compact [--db PATH] [--keep-imports N] [--json]
    fba-health sync [--db PATH] [--since YYYY-MM-DD] [--report NAME ...] [--json] [--accept-held]

The database is ``--db``, else ``FBA_HEALTH_DB``, else the default of ``core.db.locate_db`` (the
checkout's data/inventory.duckdb, or the per-user data folder): never relative to the current directory.

Exit codes: 0 done; 2 input rejected (a file, a flag value, a --db that is no database, an --as-of with
no snapshot); 3 database locked by another program (for 20 s); 4 the alert digest could not be e-mailed; 5 nothing
is loaded (no database file, or one without a report: every read command, ``imports`` included, says so
on stderr); 6 the report the command needs is not loaded (a stock snapshot: FBA Inventory or Manage FBA
Inventory, for skus, summary, fees, clearance and the stock alerts; forecast and restock need a snapshot
or order history), the missing report named on stderr. What a command can compute without a report it
would use (no order history, no cost sheet, no stock snapshot for forecast and restock: they start from
the last order day, the plan taking the inventory position as 0) it prints, with a note on stderr saying
what is missing; stdout stays the JSON or CSV asked for. 7 the database cannot be used as asked, the
reason on stderr: permission denied, written by a newer fba-health or DuckDB (left unchanged), read-only
for a command that changes it (the read commands work on a read-only file or mount), an older read-only
file that needs an upgrade, or the disk is full. ``where --json`` names the reason for scripts
(``error``: locked, not_a_database, permission_denied, newer_version, read_only, needs_upgrade, disk_full).
``load`` goes on to the next file after a full disk: that file's result is ``failed``, with the reason.
``sync``: 8 no Amazon credentials are set up, or Amazon refused them (the message says which, never
their values); 9 a report failed (the others are loaded; each result says why); 10 Amazon could not be
reached (network down, after the retries): the sync stops at once, and the next one resumes it; 11 another
sync of the same database is running (the app's button or the cron job). A report held back
by a guardrail is not a failure (exit 0, a warning on stderr): ``sync --accept-held`` loads it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core import db, export, housekeeping, ingest, sample, settings, skus
from core.schemas import BY_TYPE
from core.spapi import catalogue as spapi_catalogue

NOTHING_LOADED = 5
REPORT_MISSING = 6

# Where each missing input comes from, by its Seller Central name.
HOW_TO_LOAD = ("Load your Seller Central reports with `fba-health load FILE...` (or on the app's Upload "
               "reports page), or the demo account with `fba-health load-sample`.")
STOCK_REPORTS = ("FBA Inventory (Seller Central: Inventory > Inventory Planning > Download) or Manage FBA "
                 "Inventory (Reports > Fulfillment)")
SALES_REPORTS = ("All Orders (Seller Central: Reports > Fulfillment > All Orders) or Amazon Fulfilled "
                 "Shipments")
COST_SHEET = ("your product-cost sheet with `fba-health load FILE` (template: "
              "sample_data/product_costs_template.csv; or the app's Product costs page)")
STOCK_TYPES = ("GET_FBA_INVENTORY_PLANNING_DATA", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA")
SALES_TYPES = ("GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
               "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL")
COST_TYPE = "PRODUCT_COSTS"


class Unavailable(Exception):
    """The command cannot compute anything from what is loaded: the message says what is missing."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Loaded:
    """What a database holds, for the messages about what is missing."""

    path: Path
    report_types: frozenset[str]
    snapshots: tuple[dt.date, ...]  # stock snapshot dates, newest first

    def has(self, *report_types: str) -> bool:
        return bool(self.report_types & set(report_types))

    def titles(self) -> str:
        """The loaded reports by name: "All Orders (by order date), Product costs (your own sheet)"."""
        return ", ".join(sorted(BY_TYPE[t].title if t in BY_TYPE else t for t in self.report_types))


def check_database_file(db_path: Path) -> None:
    """``Unavailable`` (exit 2) when the path is a folder or a file that is not a DuckDB database
    (``core.db.check_file``), exit 7 when it cannot be read; a missing path is fine (a load creates it)."""
    try:
        db.check_file(db_path)
    except db.DatabaseUnavailable as refused:
        raise Unavailable(str(refused), refused.exit_code) from refused


def loaded(db_path: Path) -> Loaded:
    """What is loaded; ``Unavailable`` (exit 5) when nothing is, without creating a missing file."""
    check_database_file(db_path)
    if not db_path.exists():
        raise Unavailable(f"Nothing is loaded: there is no database at {db_path}. {HOW_TO_LOAD}",
                          NOTHING_LOADED)
    summary = ingest.loaded_summary(db_path)
    if summary.empty:
        raise Unavailable(f"Nothing is loaded in {db_path}. {HOW_TO_LOAD}", NOTHING_LOADED)
    return Loaded(db_path, frozenset(summary["report_type"]), tuple(skus.snapshot_dates(db_path)))


def needs_snapshot(have: Loaded, as_of: dt.date | None, what: str) -> dt.date:
    """The snapshot date to use; ``Unavailable`` when there is none (exit 6) or ``--as-of`` names a day
    without one (exit 2)."""
    if not have.snapshots:
        works = (" (`fba-health forecast` and `fba-health restock` work from the order history alone.)"
                 if have.has(*SALES_TYPES) else "")
        raise Unavailable(f"No stock snapshot is loaded in {have.path}, so {what} cannot be computed: load "
                          f"{STOCK_REPORTS}. Loaded now: {have.titles()}.{works}", REPORT_MISSING)
    if as_of is not None and as_of not in have.snapshots:
        dates = ", ".join(d.isoformat() for d in have.snapshots[:12])
        more = f" and {len(have.snapshots) - 12} earlier" if len(have.snapshots) > 12 else ""
        raise Unavailable(f"No stock snapshot is dated {as_of.isoformat()}: --as-of must be a snapshot date "
                          f"({dates}{more}).", 2)
    return as_of or have.snapshots[0]


def plan_as_of(have: Loaded, as_of: dt.date | None, what: str) -> dt.date:
    """The as-of date of the forecast and the restock plan: a snapshot date as ``needs_snapshot``
    where one is loaded; else, with order history, ``--as-of`` or the last order day
    (``core.skus.as_of_date``); ``Unavailable`` (exit 6) with neither."""
    if have.snapshots:
        return needs_snapshot(have, as_of, what)
    if not have.has(*SALES_TYPES):
        raise Unavailable(f"No stock snapshot is loaded in {have.path}, and no order history either, so "
                          f"{what} cannot be computed: load {SALES_REPORTS} (it then starts from the last "
                          f"order day), or {STOCK_REPORTS}. Loaded now: {have.titles()}.", REPORT_MISSING)
    return as_of or skus.as_of_date(have.path)


def note(message: str) -> None:
    """A line on stderr about an input that is missing; stdout keeps only the result."""
    print(f"Note: {message}", file=sys.stderr)


def note_missing(have: Loaded, *, sales: str | None = None, costs: str | None = None) -> None:
    """Say what the result lacks: ``sales`` / ``costs`` are what their absence means for this command."""
    if sales and not have.has(*SALES_TYPES):
        note(f"No order history is loaded: {sales} Load {SALES_REPORTS}.")
    if costs and not have.has(COST_TYPE):
        note(f"No product-cost sheet is loaded: {costs} Load {COST_SHEET}.")


def _cmd_load(args: argparse.Namespace) -> int:
    db_path = db.resolve_db_path(args.db)
    check_database_file(db_path)
    rejected = False
    # A report with no date of its own takes the stock snapshot date of the FBA Inventory files loaded
    # with it, when they share one (read from their first rows before anything loads).
    batch = () if args.snapshot_date else tuple(
        d for path in args.files if path.is_file() for d in ingest.peek_report(path).snapshot_dates)
    failed: db.DatabaseUnavailable | None = None  # the database refused: every later file gets it too
    disk_full = False
    for path in args.files:
        if not path.is_file():
            result = ingest.LoadResult(str(path), None, "rejected", errors=(f"No such file: {path}",))
        elif failed is not None:
            result = ingest.LoadResult(str(path), None, "failed", errors=(f"Not loaded: {failed}",))
        else:
            try:
                result = ingest.load_report(db_path, path, file_name=str(path), snapshot_date=args.snapshot_date,
                                            batch_snapshot_dates=batch, date_order=args.date_order)
            except db.DiskFull as full:  # outside the load itself (e.g. removing the demo after it)
                result = ingest.LoadResult(str(path), None, "failed", errors=(str(full),))
            except db.DatabaseUnavailable as refused:
                failed = refused
                result = ingest.LoadResult(str(path), None, "failed", errors=(str(refused),))
        rejected |= result.status == "rejected"
        disk_full |= result.status == "failed" and failed is None
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        elif failed is None or result.status != "failed":  # a refusal of the database: said once, below
            _print_result(result)
    if failed is not None:
        print(failed, file=sys.stderr)
        return failed.exit_code
    if disk_full:
        return db.DiskFull.exit_code
    return 2 if rejected else 0


def _print_result(result: ingest.LoadResult) -> None:
    if result.status == "loaded":
        span = f", {result.date_min} to {result.date_max}" if result.date_min else ""
        print(f"{result.file}: loaded {_rows(result.rows_loaded)} as {_title(result.report_type)}"
              f" ({result.rows_replaced:,} replaced{span})")
    elif result.status == "unchanged":
        print(f"{result.file}: unchanged, {_title(result.report_type)} already loaded")
    elif result.status == "failed":
        print(f"{result.file}: NOT LOADED")
        for error in result.errors:
            print(f"  - {error}")
    else:
        print(f"{result.file}: REJECTED")
        for error in result.errors:
            print(f"  - {error}")
    for warning in result.warnings:
        print(f"  note: {warning}")


def _rows(count: int, noun: str = "row") -> str:
    """A count with the right plural: 1 row, 2,000 rows."""
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


def _title(report_type: str | None) -> str:
    """A report by its Seller Central name (the JSON keeps the report type)."""
    return BY_TYPE[report_type].title if report_type in BY_TYPE else str(report_type)


def _cmd_imports(args: argparse.Namespace) -> int:
    db_path = db.resolve_db_path(args.db)
    try:
        loaded(db_path)
    except Unavailable as nothing:  # nothing loaded: still the (empty) list asked for, then the reason
        if nothing.exit_code == NOTHING_LOADED:
            print("[]" if args.json else "Nothing loaded yet.")
        raise
    frame = ingest.list_imports(db_path)
    if args.json:
        print(frame.drop(columns=["warnings"]).to_json(orient="records", date_format="iso"))
    else:
        print(imports_text(frame))
    return 0


def imports_text(frame: pd.DataFrame) -> str:
    """The imports as a table for people: reports by their Seller Central names, dates as dates."""
    def day(value) -> str:
        return "—" if pd.isna(value) else pd.Timestamp(value).date().isoformat()

    table = pd.DataFrame({
        "Import": frame["import_id"].astype(int),
        "File": frame["file_name"],
        "Report": [BY_TYPE[t].title if t in BY_TYPE else t for t in frame["report_type"]],
        "Rows": [f"{int(n):,}" for n in frame["row_count"]],
        "Current": [f"{int(n):,}" for n in frame["current_rows"]],
        "From": [day(v) for v in frame["date_min"]],
        "To": [day(v) for v in frame["date_max"]],
        "Loaded at": [pd.Timestamp(v).strftime("%Y-%m-%d %H:%M") for v in frame["loaded_at"]],
    })
    return table.to_string(index=False)


def _cmd_remove(args: argparse.Namespace) -> int:
    db_path = db.resolve_db_path(args.db)
    loaded(db_path)  # nothing to remove: exit 5, and no empty database created
    try:
        removal = ingest.remove_import(db_path, args.import_id, without_restore=args.without_restore)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Removed import #{removal.import_id} ({removal.file}): {_rows(removal.rows_removed)} removed, "
          f"{_rows(removal.rows_restored, 'earlier row')} restored.")
    return 0


def _cmd_load_sample(args: argparse.Namespace) -> int:
    db_path = db.resolve_db_path(args.db)
    check_database_file(db_path)
    results = sample.load_sample(db_path)
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


def _table(args: argparse.Namespace, what: str) -> skus.SkuTable:
    db_path = db.resolve_db_path(args.db)
    have = loaded(db_path)
    as_of = needs_snapshot(have, args.as_of, what)
    health, grades = settings.load(db_path)
    table = skus.sku_table(db_path, health, grades, as_of=as_of)
    if table.sources.sales is None:
        note_missing(have, sales="units sold and demand are 0 for every SKU.")
    elif table.sources.sales == "inventory_planning":
        note_missing(have, sales="sales are the FBA Inventory report's units shipped in the last 30 and 90 "
                                 "days.")
    note_missing(have, costs="inventory value, turnover, holding cost and the other money figures are "
                             "unknown.")
    return table


def _cmd_skus(args: argparse.Namespace) -> int:
    table = _table(args, "the SKU table")
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
    table = _table(args, "the account summary")
    summary = skus.account_summary(table.frame, table.params)
    if args.json:
        print(json.dumps({k: _json_safe(v) if not isinstance(v, dict) else
                          {n: _json_safe(x) for n, x in v.items()} for k, v in summary.items()}))
    else:
        for key, value in summary.items():
            print(f"{key}: {_text_value(value)}")
    return 0


def _text_value(value) -> str:
    """A summary figure as text: a missing one reads "unknown", never nan or None."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text_value(v)}" for k, v in value.items())
    value = _json_safe(value)
    return "unknown" if value is None else str(value)


def _records(frame) -> list[dict]:
    return [{k: _json_safe(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _cmd_restock(args: argparse.Namespace) -> int:
    import dataclasses

    from core import forecast, restock
    from core.restock_params import RestockParams

    db_path = db.resolve_db_path(args.db)
    have = loaded(db_path)
    args.as_of = plan_as_of(have, args.as_of, "the restock plan")
    if not have.snapshots:
        note(f"No stock snapshot is loaded: the plan is as of {args.as_of.isoformat()} (the last order day "
             "unless --as-of says otherwise) and the inventory position (available + inbound + FC transfers "
             "+ open purchase orders) is taken as 0, so every SKU with demand is to order now, for all it "
             f"needs; each reason says \"{skus.NO_STOCK_SNAPSHOT}\". Load {STOCK_REPORTS}.")
    note_missing(have, sales="the forecasts have no sales to fit, so every SKU shows no demand and nothing "
                             "to order.",
                 costs="order values and the capital cost are unknown, and every SKU gets the default lead "
                       "time, no MOQ and no case pack.")
    health, _ = settings.load(db_path)
    params = dataclasses.replace(RestockParams(), service_level_override=args.service_level,
                                 lead_time_days_override=args.lead_time_days,
                                 lead_time_shift_days=args.lead_time_shift or 0)
    forecasts = forecast.forecast_table(db_path, as_of=args.as_of)
    plan = restock.restock_from_db(db_path, params, as_of=args.as_of, forecast_summary=forecasts.summary,
                                   health_params=health, forecast=forecasts)
    if args.csv:
        sys.stdout.buffer.write(export.to_csv_bytes(plan))
    else:  # blocked_by: grade | ceiling | capacity | moq, null when nothing holds the SKU back
        records = _records(plan)
        for record in records:
            record["blocked_by"] = record["blocked_by"] or None
        print(json.dumps(records, ensure_ascii=False))
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    from core import forecast

    db_path = db.resolve_db_path(args.db)
    have = loaded(db_path)
    if args.as_of is None:  # the latest snapshot (else the last order day) unless told otherwise
        args.as_of = plan_as_of(have, None, "a forecast without --as-of (it starts at the latest snapshot)")
        if not have.snapshots:
            note(f"No stock snapshot is loaded: the forecast starts at the last order day, "
                 f"{args.as_of.isoformat()}.")
    result = forecast.forecast_table(db_path, as_of=args.as_of)
    daily = result.daily[result.daily["sku"] == args.sku]
    if daily.empty:
        print(f"No forecast for SKU {args.sku!r} as of {args.as_of.isoformat()}: it is not in the loaded "
              "reports.", file=sys.stderr)
        return 2
    note_missing(have, sales="the forecast has no sales to fit (no demand).")
    summary = result.summary[result.summary["sku"] == args.sku]
    profile = result.profiles[result.profiles["sku"] == args.sku]
    # The lead-time demand and the calibrated reorder point at 95% over the lead times the plan uses most.
    points = [{"lead_time_days": lead, "service_level": 0.95,
               **{k: float(v) for k, v in result.reorder_point(lead, 0.95, [args.sku]).iloc[0].items()}}
              for lead in (30, 60, 90)]
    print(json.dumps({"sku": args.sku, "as_of": _json_safe(result.as_of),
                      "model": _records(summary)[0],
                      "yearly_profile": [round(float(v), 4) for v in profile.sort_values("month")["profile"]],
                      "reorder_points": points,
                      "daily": _records(daily.drop(columns="sku"))},
                     ensure_ascii=False))
    return 0


FEE_FIELDS = ["sku", "month", "days_in_month_counted", "storage_fee", "surcharge", "aged_surcharge",
              "utilisation_surcharge", "total_fees", "cubic_feet", "units_avg", "units_end", "ais_assessed",
              "low_inventory_risk"]  # JSON adds units_by_band before the last; CSV units_<band> columns
CROSSING_FIELDS = ["sku", "band", "units", "assessment_date", "deadline", "amount_avoided", "message"]


def _health_and_restock(db_path: Path):
    """The saved health settings, grades, and the restock parameters the app's pages use."""
    from core.restock_params import baseline_restock_params

    health, grades = settings.load(db_path)
    return health, grades, baseline_restock_params(health)


def _print_frame(frame: pd.DataFrame, as_csv: bool) -> None:
    if as_csv:
        sys.stdout.buffer.write(export.to_csv_bytes(frame))
    else:
        print(json.dumps(_records(frame), ensure_ascii=False))


def crossing_message(units: float, deadline: dt.date, amount_avoided: float) -> str:
    """"Sell or remove N units by DATE to avoid $X": N is the crossing units rounded up to whole units
    (removing fewer would leave part of the surcharge)."""
    whole = math.ceil(units - 1e-6)
    known = math.isfinite(amount_avoided)
    amount = f"${amount_avoided:,.2f}" if known else "an unknown amount (volume unknown)"
    plural = "s" if whole != 1 else ""
    return f"Sell or remove {whole:,} unit{plural} by {deadline.isoformat()} to avoid {amount}"


def _cmd_fees(args: argparse.Namespace) -> int:
    from core.fees.outlook import fee_outlook
    from core.fees.table import AIS_BANDS

    if args.months < 1:
        print("--months must be >= 1", file=sys.stderr)
        return 2
    db_path = db.resolve_db_path(args.db)
    have = loaded(db_path)
    args.as_of = needs_snapshot(have, args.as_of, "the fee outlook")
    note_missing(have, sales="the projection assumes no sales (the stock stays and ages).")
    health, _, restock_params = _health_and_restock(db_path)
    outlook = fee_outlook(db_path, as_of=args.as_of, months=args.months, with_arrivals=not args.no_arrivals,
                          restock_params=restock_params, health_params=health)
    if args.crossings:
        crossings = outlook.crossings
        messages = [crossing_message(float(u), d, float(a)) for u, d, a in
                    zip(crossings["units"], crossings["deadline"], crossings["amount_avoided"])]
        _print_frame(crossings.assign(message=pd.Series(messages, index=crossings.index, dtype=object))
                     [CROSSING_FIELDS], args.csv)
        return 0
    p = outlook.projection
    frame = pd.DataFrame({
        "sku": p["sku"], "month": p["month"], "days_in_month_counted": p["days_in_month_counted"],
        "storage_fee": p["storage_fee"], "surcharge": p["aged_surcharge"] + p["utilisation_surcharge"],
        "aged_surcharge": p["aged_surcharge"], "utilisation_surcharge": p["utilisation_surcharge"],
        "total_fees": p["total_fees"], "cubic_feet": p["cubic_feet_avg"], "units_avg": p["units_avg"],
        "units_end": p["units_end"], "ais_assessed": p["ais_assessed"].astype(bool),  # False: the 15th was past
        "low_inventory_risk": p["low_inventory_risk"].astype(bool)})[FEE_FIELDS]
    if args.csv:
        bands = {f"units_{b.column.removeprefix('ais_')}": p[b.column] for b in AIS_BANDS}
        frame = frame.assign(**bands)
        frame = frame[[*FEE_FIELDS[:-1], *bands, "low_inventory_risk"]]
        sys.stdout.buffer.write(export.to_csv_bytes(frame))
        return 0
    records = _records(frame)
    band_units = p[[b.column for b in AIS_BANDS]].to_numpy(float)
    for record, units in zip(records, band_units):
        record["units_by_band"] = {b.label: _json_safe(float(u)) for b, u in zip(AIS_BANDS, units)}
        record["low_inventory_risk"] = record.pop("low_inventory_risk")  # last, after the bands
    print(json.dumps(records, ensure_ascii=False))
    return 0


CLEARANCE_FIELDS = ["sku", "product_name", "grade", "units", "demand_per_day", "units_affected",
                    "recommendation", "recommended_cost", "keep_cost", "saving_vs_keep", "complete"]


def _cmd_clearance(args: argparse.Namespace) -> int:
    from core import clearance, restock
    from core.fees.outlook import clearance_advice, fee_outlook

    db_path = db.resolve_db_path(args.db)
    have = loaded(db_path)
    as_of = needs_snapshot(have, args.as_of, "the clearance advice")
    health, grades, restock_params = _health_and_restock(db_path)
    try:
        params = clearance.ClearanceParams(capital_rate_annual=health.capital_rate_annual,
                                           horizon_months=args.horizon_months, discount_pct=args.discount_pct,
                                           price_elasticity=args.elasticity,
                                           liquidation_recovery_share=args.liquidation_recovery)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    note_missing(have, sales="demand is the FBA Inventory report's units shipped, where it is loaded.",
                 costs="no option can be priced without a unit cost, so nothing is recommended.")
    table = skus.sku_table(db_path, health, grades, as_of=as_of)
    picked = tuple(dict.fromkeys(args.sku or ()))
    unknown = [s for s in picked if s not in set(table.frame["sku"])]
    if unknown and not table.frame.empty:
        print(f"Not in the SKU table at {table.as_of}: {', '.join(unknown)}", file=sys.stderr)
        return 2
    outlook = fee_outlook(db_path, as_of=table.as_of, months=max(12, params.horizon_months + 1),
                          restock_params=restock_params, health_params=health,
                          plan_inputs=lambda: restock.restock_inputs(db_path, table.as_of, health, table=table))
    advice = clearance_advice(db_path, outlook, table.frame, params, picked=picked)
    rec = advice.recommendation
    columns = [*CLEARANCE_FIELDS, *(f"cost_{o}" for o in clearance.OPTIONS)]
    if rec.empty:
        _print_frame(pd.DataFrame(columns=columns), args.csv)
        return 0
    frame = clearance.advice_table(advice.frame, advice.options, rec)
    frame["recommendation"] = frame["recommendation"].where(frame["recommendation"] != "", None)
    frame = frame.reindex(columns=columns)
    if args.csv:
        sys.stdout.buffer.write(export.to_csv_bytes(frame))
        return 0
    records = []
    for record in _records(frame):
        record["options"] = {o: record.pop(f"cost_{o}") for o in clearance.OPTIONS}
        records.append(record)
    print(json.dumps(records, ensure_ascii=False))
    return 0


def _cmd_alerts(args: argparse.Namespace) -> int:
    from core import alerts, notify

    db_path = db.resolve_db_path(args.db)
    have = loaded(db_path)
    today = args.today or dt.date.today()
    dated = any(BY_TYPE[t].date_column or BY_TYPE[t].snapshot_from_load for t in have.report_types)
    if have.snapshots or args.as_of is not None or not dated:  # a cost sheet alone: not even a data age
        as_of = needs_snapshot(have, args.as_of, "the alerts")
    else:
        as_of = None
    if as_of is not None:
        note_missing(have, sales="the stockout and order-by rules have no forecast demand, so they cannot "
                                 "fire.")
    fired = alerts.alerts_from_db(db_path, as_of, today)
    digest = alerts.digest_markdown(fired, as_of, today)
    if as_of is None:  # the data-age rule only: the digest must not read like "nothing fires"
        missing = ("Only the data-age rule was checked: the stock, restock and fee rules need a stock "
                   f"snapshot, and none is loaded. Load {STOCK_REPORTS}.")
        if args.json:  # the Markdown digest says it itself, below
            note(missing)
        count = (f"{len(fired)} data-age alert{'s' if len(fired) != 1 else ''}." if len(fired)
                 else "No report is older than its limit.")
        head, _, rest = digest.partition("\n")
        digest = "\n".join([head, f"{missing} {count}", *rest.split("\n")[1:]])  # instead of the count line
    if args.json:
        print(json.dumps(_records(fired), ensure_ascii=False))
    elif args.by_sku:
        print(json.dumps(_records(alerts.by_sku(fired)), ensure_ascii=False))
    else:
        print(digest)
    if args.email:
        try:
            smtp = notify.smtp_settings(db_path)
            notify.send_digest(digest, args.email, smtp, alerts.digest_subject(fired, today))
        except (ValueError, notify.NotifyError) as error:
            print(f"Digest not sent: {error}", file=sys.stderr)
            return 4
        print(f"Digest sent to {', '.join(args.email)}.", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fba-health", description=__doc__.splitlines()[0],
        epilog="Exit codes: 0 done; 2 input rejected; 3 database locked; 4 digest not e-mailed; 5 nothing "
               "is loaded; 6 the report the command needs is not loaded (named on stderr); 7 the database "
               "cannot be used (permission denied, newer version, read-only for a change, disk full).")
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = ("database file (default: $FBA_HEALTH_DB, else the checkout's data/inventory.duckdb, else "
               "~/.local/share/fba-health/inventory.duckdb; `fba-health where` shows it)")

    load = sub.add_parser("load", help="load Seller Central / SP-API report files")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--db", help=db_help)
    load.add_argument("--json", action="store_true", help="one JSON object per file")
    load.add_argument("--snapshot-date", type=dt.date.fromisoformat, default=None,
                      help="date for reports that carry none (Manage Inventory, Restock, Fee Preview); "
                           "default: the date in the file name, else the FBA Inventory snapshot loaded "
                           "with it; a file with neither is rejected")
    load.add_argument("--date-order", choices=("dmy", "mdy"), default=None,
                      help="how slash dates NN/NN/YYYY read where a file cannot tell: dmy (day first, as in "
                           "Europe) or mdy (month first, as in the US); a file whose dates prove otherwise "
                           "is rejected")
    load.set_defaults(run=_cmd_load)

    imports = sub.add_parser("imports", help="list what is loaded")
    imports.add_argument("--db", help=db_help)
    imports.add_argument("--json", action="store_true")
    imports.set_defaults(run=_cmd_imports)

    remove = sub.add_parser("remove", help="remove one import (restores the rows it replaced)")
    remove.add_argument("import_id", type=int)
    remove.add_argument("--db", help=db_help)
    remove.add_argument("--without-restore", action="store_true",
                        help="remove it even though `fba-health compact` dropped the rows it had replaced")
    remove.set_defaults(run=_cmd_remove)

    squeeze = sub.add_parser("compact", help="drop replaced rows no removal of the last N imports needs, "
                                             "and shrink the file")
    squeeze.add_argument("--db", help=db_help)
    squeeze.add_argument("--keep-imports", type=int, default=housekeeping.KEEP_IMPORTS, metavar="N",
                         help="the newest N imports stay removable with what they replaced restored "
                              f"(default {housekeeping.KEEP_IMPORTS})")
    squeeze.add_argument("--json", action="store_true",
                         help="{bytes_before, bytes_after, bytes_saved, rows_dropped, kept_restore_points, "
                              "compacted_imports}")
    squeeze.set_defaults(run=_cmd_compact)

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
    plan.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                      help="a stock snapshot date (default: the latest loaded; without any snapshot, the "
                           "last order day, the position taken as 0)")
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
    fc.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                    help="the last day of history (default: the latest stock snapshot, else the last "
                         "order day)")
    fc.add_argument("--json", action="store_true", help="JSON (the only format)")
    fc.set_defaults(run=_cmd_forecast)

    fees = sub.add_parser("fees", help="projected storage fees and surcharges per SKU and month, or the next "
                                       "aged-surcharge band crossings")
    fees.add_argument("--db", help=db_help)
    fees.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                      help="a stock snapshot date (default: the latest loaded)")
    fees.add_argument("--months", type=int, default=12,
                      help="calendar months to project, the as-of month (partial) first (default 12)")
    fees.add_argument("--no-arrivals", action="store_true",
                      help="today's stock alone: no inbound units, no orders of the restock plan")
    fees.add_argument("--crossings", action="store_true",
                      help="the units about to cross into a dearer aged-surcharge band at the next two "
                           "15ths, instead of the monthly projection")
    formats = fees.add_mutually_exclusive_group(required=True)
    formats.add_argument("--json", action="store_true")
    formats.add_argument("--csv", action="store_true")
    fees.set_defaults(run=_cmd_fees)

    clear = sub.add_parser("clearance", help="what to do with the excess of red and orange SKUs: every "
                                             "option priced, the cheapest recommended")
    clear.add_argument("--db", help=db_help)
    clear.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                       help="a stock snapshot date (default: the latest loaded)")
    clear.add_argument("--horizon-months", type=int, default=6,
                       help="months over which each option is priced, 1-24 (default 6)")
    clear.add_argument("--sku", nargs="+", action="extend", default=None, metavar="SKU",
                       help="also advise on these SKUs, whatever their grade")
    clear.add_argument("--discount-pct", type=float, default=0.20,
                       help="price cut of the discount option as a share, 0.2 = 20%% off (default 0.2)")
    clear.add_argument("--elasticity", type=float, default=2.0,
                       help="price elasticity: %% more units per %% price cut (default 2.0)")
    clear.add_argument("--liquidation-recovery", type=float, default=0.10,
                       help="FBA Liquidations payout as a share of the price (default 0.10)")
    formats = clear.add_mutually_exclusive_group(required=True)
    formats.add_argument("--json", action="store_true")
    formats.add_argument("--csv", action="store_true")
    clear.set_defaults(run=_cmd_clearance)

    alerts = sub.add_parser("alerts", help="the alert rules that fire (the Alerts page), for a nightly job")
    alerts.add_argument("--db", help=db_help)
    alerts.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                        help="a stock snapshot date (default: the latest loaded)")
    alerts.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="the date data ages are measured at (default: today)")
    formats = alerts.add_mutually_exclusive_group(required=True)
    formats.add_argument("--json", action="store_true", help="one JSON record per rule that fires")
    formats.add_argument("--by-sku", action="store_true",
                         help="one JSON record per SKU (account alerts first), ranked by money at stake")
    formats.add_argument("--markdown", action="store_true", help="the digest: one line per SKU, ranked")
    alerts.add_argument("--email", nargs="+", action="extend", default=None, metavar="TO",
                        help="also send the Markdown digest to these addresses over SMTP (host, port, user, "
                             "TLS: FBA_HEALTH_SMTP_* or the Alerts page; password: FBA_HEALTH_SMTP_PASSWORD)")
    alerts.set_defaults(run=_cmd_alerts)

    where = sub.add_parser("where", help="which database file the commands and the app use, and why")
    where.add_argument("--db", help=db_help)
    where.add_argument("--json", action="store_true",
                       help='{"db": path, "source": rule, "exists": bool, "read_only": bool, "error": null or '
                            '{"kind": reason, "message": text}}')
    where.set_defaults(run=_cmd_where)

    fetch = sub.add_parser("sync", help="fetch the reports from Amazon (Selling Partner API) and load them")
    fetch.add_argument("--db", help=db_help)
    fetch.add_argument("--since", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                       help="first day to fetch (default: the last synced day minus 2, or as far back as allowed)")
    fetch.add_argument("--report", nargs="+", action="extend", default=None, metavar="NAME",
                       help="only these reports: " + ", ".join(r.name for r in spapi_catalogue.CATALOGUE))
    fetch.add_argument("--json", action="store_true", help="one JSON object per report type")
    fetch.add_argument("--accept-held", action="store_true",
                       help="load the reports a guardrail held back (no request to Amazon)")
    fetch.set_defaults(run=_cmd_sync)
    return parser


NO_CREDENTIALS = 8
SYNC_FAILED = 9
AMAZON_UNREACHABLE = 10
SYNC_RUNNING = 11


def _cmd_sync(args: argparse.Namespace) -> int:
    from core.spapi import engine as spapi_sync
    db_path = db.resolve_db_path(args.db)
    check_database_file(db_path)
    try:
        names = [spapi_catalogue.find(n).name for n in args.report or ()]
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2

    def show(event) -> None:
        if not args.json and event.stage != "done":
            print(f"  {event.title}: {event.message}", file=sys.stderr, flush=True)

    try:
        if args.accept_held:
            results = spapi_sync.accept_held(db_path, names[0] if len(names) == 1 else None)
        else:
            results = spapi_sync.sync(db_path, since=args.since, reports=names or None, progress=show)
    except spapi_sync.MissingCredentials as missing:
        print(missing, file=sys.stderr)
        return NO_CREDENTIALS
    except spapi_sync.AmazonUnreachable as unreachable:
        print(unreachable, file=sys.stderr)
        return AMAZON_UNREACHABLE
    except spapi_sync.SyncAlreadyRunning as running:
        print(running, file=sys.stderr)
        return SYNC_RUNNING
    for result in results:
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        else:
            print(result.label)
    held = [r for r in results if r.status == "held"]
    if held:
        print(f"{len(held)} report(s) held back and not loaded: check them, then `fba-health sync --accept-held`.",
              file=sys.stderr)
    failed = [r for r in results if r.status == "failed"]
    if failed and any("credentials" in e for r in failed for e in r.errors) and \
            all(r.status == "failed" for r in results):
        return NO_CREDENTIALS
    return SYNC_FAILED if failed else 0


def _cmd_where(args: argparse.Namespace) -> int:
    location = db.locate_db(args.db)
    error = None
    if location.path.exists():  # can it be opened? (never creates or changes the file)
        try:
            db.check_openable(location.path)
        except db.DatabaseUnavailable as refused:
            error = {"kind": refused.kind, "message": str(refused)}
    read_only = db.read_only_reason(location.path)
    if args.json:
        print(json.dumps({"db": str(location.path), "source": location.source,
                          "exists": location.path.exists(), "read_only": read_only is not None,
                          "error": error}))
    else:
        state = "" if location.path.exists() else " (not created yet: the first load creates it)"
        print(f"{location.path}{state}\nchosen by: {location.source}")
        if read_only:
            print(f"read-only: {read_only} (the read commands work; loads and changes do not)")
        if error:
            print(f"cannot be used: {error['message']}")
    return 0


def _cmd_compact(args: argparse.Namespace) -> int:
    db_path = db.resolve_db_path(args.db)
    loaded(db_path)  # nothing to compact: exit 5, and no empty database created
    try:
        done = housekeeping.compact(db_path, args.keep_imports)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(done.to_json()))
        return 0
    kept = (f"the last {len(done.kept_restore_points)} import(s) (#{', #'.join(map(str, done.kept_restore_points))}) "
            "can still be removed with what they replaced restored" if done.kept_restore_points else
            "no import keeps what it replaced")
    print(f"Compacted {db_path}: {done.bytes_before / 1e6:,.1f} MB -> {done.bytes_after / 1e6:,.1f} MB "
          f"({_rows(done.rows_dropped, 'replaced row')} dropped); {kept}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            # numpy's "Degrees of freedom <= 0" and "Mean of empty slice" on SKUs without history: the
            # result already says "no demand"; the warning is noise to a person or a cron mail.
            warnings.simplefilter("ignore", RuntimeWarning)
            return args.run(args)
    except Unavailable as missing:
        print(missing, file=sys.stderr)
        return missing.exit_code
    except db.DatabaseUnavailable as refused:  # locked (3), not a database (2), and the rest (7)
        print(refused, file=sys.stderr)
        return refused.exit_code
    except BrokenPipeError:  # piped into head: the reader has what it wanted
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (Python's own recipe: silence the flush at exit)
        return 0
