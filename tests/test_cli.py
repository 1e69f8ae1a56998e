"""The `fba-health` command is a contract: subcommands, flags, JSON field names and exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reportfiles import header, order_row, write_report

ROOT = Path(__file__).resolve().parent.parent
FBA_HEALTH = Path(sys.executable).with_name("fba-health")
FIELDS = {"file", "report_type", "status", "rows_loaded", "rows_replaced", "errors"}


def run(*args, env=None, cwd=ROOT):
    return subprocess.run([str(FBA_HEALTH), *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=120)


@pytest.fixture
def files(tmp_path):
    good = write_report(tmp_path / "orders.txt", header("orders_2026_34"), [order_row("1", "A"), order_row("2", "B")])
    bad = write_report(tmp_path / "bad.txt", header("orders_2026_34"), [order_row("3", "A", qty="lots")])
    return good, bad


def test_load_json_one_object_per_file_and_exit_2_on_rejection(tmp_path, files):
    good, bad = files
    db = tmp_path / "x.duckdb"
    result = run("load", good, bad, "--db", db, "--json")
    assert result.returncode == 2, result.stderr
    first, second = [json.loads(line) for line in result.stdout.splitlines()]
    assert FIELDS <= first.keys() and FIELDS <= second.keys()
    assert (first["status"], first["rows_loaded"], first["rows_replaced"], first["errors"]) == ("loaded", 2, 0, [])
    assert first["report_type"] == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    assert second["status"] == "rejected" and '"quantity"' in second["errors"][0] and "lots" in second["errors"][0]

    again = run("load", good, "--db", db, "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["status"] == "unchanged"


def test_database_path_from_environment_and_default(tmp_path, files):
    good, _ = files
    env_db = tmp_path / "env.duckdb"
    assert run("load", good, "--json", env={"FBA_HEALTH_DB": str(env_db)}).returncode == 0
    assert env_db.exists()
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "FBA_HEALTH_DB"}
    result = subprocess.run([str(FBA_HEALTH), "load", str(good)], capture_output=True, text=True, env=env,
                            cwd=workdir, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (workdir / "data" / "inventory.duckdb").exists()


def test_python_dash_m_core_is_the_same_command(tmp_path, files):
    good, _ = files
    result = subprocess.run([sys.executable, "-m", "core", "load", str(good), "--db", str(tmp_path / "m.duckdb"),
                             "--json"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert json.loads(result.stdout)["rows_loaded"] == 2


def test_missing_file_is_rejected_others_still_load(tmp_path, files):
    good, _ = files
    result = run("load", tmp_path / "nope.txt", good, "--db", tmp_path / "x.duckdb", "--json")
    outcomes = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 2
    assert [o["status"] for o in outcomes] == ["rejected", "loaded"]
    assert "No such file" in outcomes[0]["errors"][0]


def test_imports_and_remove(tmp_path, files):
    good, _ = files
    db = tmp_path / "x.duckdb"
    run("load", good, "--db", db)
    listing = json.loads(run("imports", "--db", db, "--json").stdout)
    assert [(i["file_name"].endswith("orders.txt"), i["row_count"]) for i in listing] == [(True, 2)]
    removed = run("remove", listing[0]["import_id"], "--db", db)
    assert removed.returncode == 0 and "2 rows removed" in removed.stdout
    assert json.loads(run("imports", "--db", db, "--json").stdout) == []


def test_every_subcommand_has_working_help(capsys):
    """``--help`` of the command and of each subcommand prints without error (a bare % in a help
    text once broke argparse's formatting)."""
    import argparse

    from core import cli

    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {"load", "skus", "summary", "restock", "forecast", "fees", "clearance"} <= set(subparsers.choices)
    for args in ([], *[[name] for name in subparsers.choices]):
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([*args, "--help"])
        assert exit_info.value.code == 0
        assert "usage: fba-health" in capsys.readouterr().out


# --- fees and clearance (issue 5), in-process over the shared demo database --------------------------

def cli_json(capsys, *args):
    from core import cli

    code = cli.main([*map(str, args)])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def cli_csv(capsys, *args):
    import io

    import pandas as pd

    from core import cli

    assert cli.main([*map(str, args)]) == 0
    return pd.read_csv(io.BytesIO(capsys.readouterr().out.encode("utf-8")), encoding="utf-8-sig")


def same(a, b):
    return (a is None and b is None) or (a is not None and b is not None and a == pytest.approx(b, abs=1e-9))


@pytest.fixture(scope="module")
def outlook(demo_database):
    from core import settings
    from core.fees.outlook import fee_outlook
    from core.restock_params import RestockParams

    health, _ = settings.load(demo_database)  # an independent call with the settings the command reads
    restock_params = RestockParams(capital_rate_annual=health.capital_rate_annual)
    return fee_outlook(demo_database, restock_params=restock_params, health_params=health)


def test_fees_json_rows_add_up_and_match_the_outlook(capsys, demo_database, outlook):
    from core.fees.table import AIS_LABELS

    rows = cli_json(capsys, "fees", "--db", demo_database, "--json")
    projection = outlook.projection
    assert len(rows) == len(projection) > 0
    for row in rows:
        parts = (row["aged_surcharge"], row["utilisation_surcharge"])
        assert same(row["surcharge"], None if None in parts else sum(parts))
        assert list(row["units_by_band"]) == list(AIS_LABELS)
        assert isinstance(row["low_inventory_risk"], bool) and isinstance(row["ais_assessed"], bool)
        assert row["ais_assessed"] or (not any(row["units_by_band"].values()) and row["aged_surcharge"] == 0)
        assert row["month"].endswith("-01")
    by_key = projection.set_index(["sku", projection["month"].map(lambda d: d.isoformat())])
    for row in rows[::37]:
        expected = by_key.loc[(row["sku"], row["month"])]
        assert row["storage_fee"] == pytest.approx(expected["storage_fee"])
        assert row["cubic_feet"] == pytest.approx(expected["cubic_feet_avg"])
        assert row["units_by_band"]["456+"] == pytest.approx(expected["ais_456_plus"])
    assert sum(r["total_fees"] or 0 for r in rows) == pytest.approx(projection["total_fees"].sum())


def test_fees_csv_has_the_cost_and_band_columns(capsys, demo_database):
    from core.fees.table import AIS_COLUMNS

    frame = cli_csv(capsys, "fees", "--db", demo_database, "--months", "2", "--no-arrivals", "--csv")
    assert {"sku", "month", "storage_fee", "surcharge", "aged_surcharge", "utilisation_surcharge", "total_fees",
            "cubic_feet", "units_avg", "low_inventory_risk"} <= set(frame.columns)
    bands = {c.replace("ais_", "units_") for c in AIS_COLUMNS}
    assert {"units_181_210", "units_456_plus"} <= bands <= set(frame.columns)
    assert frame["month"].nunique() == 2
    # each column rounded to cents on its own (core.export): the parts may differ from the total by a cent
    assert (frame["total_fees"] - frame["storage_fee"] - frame["surcharge"]).abs().max() <= 0.01 + 1e-9


def test_fees_crossings_say_what_to_sell_by_when(capsys, demo_database):
    rows = cli_json(capsys, "fees", "--db", demo_database, "--crossings", "--json")
    assert rows and {"sku", "band", "units", "deadline", "amount_avoided", "message"} <= rows[0].keys()
    for row in rows:
        assert row["deadline"].endswith("-14")
        amount = f"${row['amount_avoided']:,.2f}"
        assert row["message"].startswith("Sell or remove ")
        assert row["message"].endswith(f"by {row['deadline']} to avoid {amount}")


def test_crossing_message_rounds_units_up():
    import datetime as dt

    from core.cli import crossing_message

    day = dt.date(2026, 12, 14)
    assert crossing_message(42.06, day, 19.1604) == "Sell or remove 43 units by 2026-12-14 to avoid $19.16"
    assert crossing_message(1.0, day, 1234.5) == "Sell or remove 1 unit by 2026-12-14 to avoid $1,234.50"


def test_clearance_json_recommends_the_cheapest_option_and_takes_picked_skus(capsys, demo_database):
    from core import settings, skus

    health, grades = settings.load(demo_database)
    frame = skus.sku_table(demo_database, health, grades).frame
    green = frame.loc[frame["grade"].fillna("") == "", "sku"].iloc[0]
    rows = cli_json(capsys, "clearance", "--db", demo_database, "--sku", green, "--json")
    by_sku = {r["sku"]: r for r in rows}
    assert green in by_sku and by_sku[green]["grade"] == ""
    assert set(by_sku) == set(frame.loc[frame["grade"].isin(["red", "orange"]), "sku"]) | {green}
    for row in rows:
        costs = {k: v for k, v in row["options"].items() if v is not None}
        if row["recommendation"] is None:  # no unit cost: nothing can be priced, nothing recommended
            assert not costs and row["complete"] is False
            continue
        cheapest = min(round(v, 2) for v in costs.values())
        assert round(row["options"][row["recommendation"]], 2) == cheapest
        assert row["recommended_cost"] == pytest.approx(row["options"][row["recommendation"]])
        assert row["keep_cost"] == pytest.approx(row["options"]["keep"])
        assert row["saving_vs_keep"] == pytest.approx(row["keep_cost"] - row["recommended_cost"])


def test_clearance_csv_has_a_cost_column_per_option(capsys, demo_database):
    from core.clearance import OPTIONS

    frame = cli_csv(capsys, "clearance", "--db", demo_database, "--horizon-months", "3",
                    "--discount-pct", "0.3", "--csv")
    assert {f"cost_{o}" for o in OPTIONS} <= set(frame.columns)
    assert len(frame) > 0 and set(frame["recommendation"].dropna()) <= set(OPTIONS)
    assert frame.loc[frame["recommendation"].isna(), "complete"].eq(False).all()


def test_clearance_rejects_bad_parameters_and_unknown_skus(capsys, demo_database):
    from core import cli

    assert cli.main(["clearance", "--db", str(demo_database), "--discount-pct", "1.5", "--json"]) == 2
    assert "discount_pct" in capsys.readouterr().err
    assert cli.main(["clearance", "--db", str(demo_database), "--sku", "NO-SUCH-SKU", "--json"]) == 2
    assert "NO-SUCH-SKU" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["fees", "--json"], ["fees", "--crossings", "--json"],
                                  ["clearance", "--json"], ["clearance", "--sku", "ANY", "--json"]])
def test_an_empty_database_prints_an_empty_list(capsys, tmp_path, args):
    assert cli_json(capsys, *args, "--db", tmp_path / "empty.duckdb") == []


def test_fees_command_runs_as_a_process(demo_database):
    result = run("fees", "--db", demo_database, "--months", "1", "--no-arrivals", "--json")
    assert result.returncode == 0, result.stderr
    assert {r["month"] for r in json.loads(result.stdout)} == {"2026-11-01"}
