"""The corridor plan against the former EOQ plan on one account (not a test).

Plans the account twice on the same inputs and forecast (``RestockParams(plan_rule=...)``, the
saved settings' capital rate), and prints per plan: SKUs to order now, order value, median and
maximum days of cover after the order, SKUs over 180 days of cover, red/orange SKUs ordered, SKUs
ordered past the ceiling without a stated reason, and Σ projected 12-month fees (storage, aged
surcharge, low-inventory fee) and expected lost margin a year, plus the what-if move time.

Then an independent check of the fees: each plan replayed day by day over a year
(``core.stock_projection.project_stock``: today's order, then the plan's own later orders) gives
arrivals for the Ageing & fees page's FIFO projection (``core.fees.inputs.project_from_inputs``:
today's lots by age, the forecast, the fee table): Σ storage fee, aged surcharge and utilisation
surcharge over 12 months, and the margin lost to stockouts over 365 days (Σ P(out) × d × unit margin).

    .venv/bin/python bench/bench_corridor.py --db /tmp/demo.duckdb
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import forecast, restock, settings, skus, stock_projection  # noqa: E402
from core.fees.inputs import fee_inputs, project_from_inputs  # noqa: E402
from core.fees.table import PLACEMENT_OPTIONS  # noqa: E402
from core.restock_params import baseline_restock_params  # noqa: E402


def summary(plan, grades) -> dict:
    now = plan[plan["status"] == "order now"]
    slow = now["sku"].map(grades).isin(["red", "orange"])
    past = now[(now["order_qty"] > now["ceiling_units"] + 1e-9) & (now["blocked_by"] == "")]
    return {"SKUs order now": len(now), "order value $": round(float(now["order_value"].sum()), 0),
            "median days of cover after": round(float(now["days_of_cover_after"].median()), 1),
            "max days of cover after": round(float(now["days_of_cover_after"].max()), 1),
            "SKUs > 180 days of cover": int((now["days_of_cover_after"] > 180).sum()),
            "red/orange ordered": int(slow.sum()),
            "past ceiling, unstated": len(past),
            "12-month storage $": round(float(plan["fees_storage_12m"].sum()), 0),
            "12-month aged surcharge $": round(float(plan["fees_aged_12m"].sum()), 0),
            "12-month low-inventory fee $": round(float(plan["fees_low_inventory_12m"].sum()), 0),
            "12-month fees $": round(float(plan["projected_fees_12m"].sum()), 0),
            "of which low-inventory fee $": round(float(plan["fees_low_inventory_12m"].sum()), 0),
            "of which placement $": round(float(plan["fees_placement_12m"].fillna(0).sum()), 0),
            "placement on today's orders $": round(float(now["placement_fee"].fillna(0).sum()), 0),
            "SKUs to order without a weight": int(now["placement_fee_per_unit"].isna().sum()),
            "lost margin a year $": round(float(plan["expected_lost_margin"].sum()), 0),
            "fees + lost margin $": round(float(plan["projected_fees_12m"].sum() + plan["expected_lost_margin"].sum()), 0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--placement", choices=PLACEMENT_OPTIONS, default=None,
                        help="price the placement fee with this split option (default: the saved one)")
    args = parser.parse_args()
    health, _ = settings.load(args.db)
    inputs = restock.restock_inputs(args.db, health_params=health)
    if args.placement:
        inputs = dataclasses.replace(inputs, placement_split=args.placement)
    result = forecast.forecast_table(args.db, as_of=inputs.as_of)
    grades = skus.sku_table(args.db, health).frame.set_index("sku")["grade"]
    base = baseline_restock_params(health)
    rows = {}
    fees_in = fee_inputs(args.db, inputs.as_of)
    for rule in ("eoq", "corridor"):
        params = dataclasses.replace(base, plan_rule=rule)
        plan = restock.plan_from_inputs(inputs, result.summary, params, forecast=result)
        replay = stock_projection.project_stock(plan, result.daily, days=397,
                                                review_period_days=params.review_period_days)
        projection = project_from_inputs(fees_in, result.daily, 12, replay.arrivals_frame())
        margin = plan.set_index("sku")["unit_margin"].clip(lower=0).fillna(0.0).reindex(replay.skus).to_numpy()
        d = plan.set_index("sku")["demand_per_day"].reindex(replay.skus).to_numpy()
        lost = float((replay.p_out[:, :365].sum(axis=1) * d * margin).sum())
        times = []
        for level in [0.9, 0.95, 0.97, 0.99, 0.92][:args.runs]:
            t0 = time.perf_counter()
            restock.plan_from_inputs(inputs, result.summary, dataclasses.replace(params, service_level_override=level),
                                     forecast=result)
            times.append(time.perf_counter() - t0)
        fifo = {"FIFO replay: storage $": projection["storage_fee"].sum(),
                "FIFO replay: aged surcharge $": projection["aged_surcharge"].sum(),
                "FIFO replay: utilisation surcharge $": projection["utilisation_surcharge"].sum(),
                "FIFO replay: units ordered in the year": replay.orders[:, :365].sum(),
                "FIFO replay: lost margin $": lost}
        fifo["FIFO replay: fees + lost margin $"] = (fifo["FIFO replay: storage $"] + fifo["FIFO replay: aged surcharge $"]
                                                    + fifo["FIFO replay: utilisation surcharge $"] + lost)
        rows[rule] = {**summary(plan, grades), **{k: round(float(v), 0) for k, v in fifo.items()},
                      "plan time ms (median)": round(statistics.median(times) * 1000, 1)}
    print(f"| measure ({len(grades)} SKUs, as of {inputs.as_of}) | EOQ plan | corridor plan |")
    print("|---|---:|---:|")
    for key in rows["eoq"]:
        print(f"| {key} | {rows['eoq'][key]:,} | {rows['corridor'][key]:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
