"""The `fba-health` command is a contract: subcommands, flags, JSON field names and exit codes."""

import datetime as dt
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
    where = json.loads(run("where", "--json", env={"FBA_HEALTH_DB": str(env_db)}).stdout)
    assert where == {"db": str(env_db), "source": "FBA_HEALTH_DB", "exists": True, "read_only": False,
                     "error": None}


def test_the_default_database_is_the_checkouts_from_any_directory(tmp_path):
    """Run from cron (another working directory, no FBA_HEALTH_DB): the same file as the app's."""
    workdir = tmp_path / "home"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "FBA_HEALTH_DB"}
    for command in ([str(FBA_HEALTH)], [sys.executable, "-m", "core"]):
        result = subprocess.run([*command, "where", "--json"], capture_output=True, text=True, env=env,
                                cwd=workdir, timeout=120)
        assert result.returncode == 0, result.stderr
        where = json.loads(result.stdout)
        assert (where["db"], where["source"]) == (str(ROOT / "data" / "inventory.duckdb"), "checkout")
    text = subprocess.run([str(FBA_HEALTH), "where"], capture_output=True, text=True, env=env, cwd=workdir,
                          timeout=120).stdout
    assert text.splitlines()[0].startswith(str(ROOT / "data" / "inventory.duckdb"))
    assert list(workdir.iterdir()) == []  # nothing created where the command happened to start


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


def test_fees_command_runs_as_a_process(demo_database):
    result = run("fees", "--db", demo_database, "--months", "1", "--no-arrivals", "--json")
    assert result.returncode == 0, result.stderr
    assert {r["month"] for r in json.loads(result.stdout)} == {"2026-11-01"}


# --- every state a seller's database can be in (issue 14) -------------------------------------------
# Exit 5: nothing is loaded. Exit 6: the stock snapshot the command needs is missing (named on stderr);
# forecast and restock need a snapshot or order history (issue 15: orders alone start at the last order
# day). A result computed without a report it would use (orders, the cost sheet, the snapshot for
# forecast and restock) gets a "Note:" on stderr.

SAMPLE = ROOT / "sample_data"
SNAPSHOT = SAMPLE / "fba_inventory_planning_2026-11-15.txt"
READ_COMMANDS = {
    "summary": ["summary", "--json"],
    "skus": ["skus", "--json"],
    "restock": ["restock", "--json"],
    "forecast": ["forecast", "--sku", "HK-GRD-0006", "--json"],
    "fees": ["fees", "--json"],
    "crossings": ["fees", "--crossings", "--json"],
    "clearance": ["clearance", "--json"],
    "alerts": ["alerts", "--today", "2026-11-20", "--json"],
}
NEEDS_SNAPSHOT = [name for name in READ_COMMANDS if name != "alerts"]
FROM_ORDERS_ALONE = ("forecast", "restock")  # they start at the last order day without a snapshot


def cli_run(capsys, *args):
    """(exit code, stdout, stderr) of the command run in this process: an exception fails the test."""
    from core import cli

    code = cli.main([*map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def load(db_path, *paths, snapshot_date=None):
    from core import ingest

    for path in paths:
        assert ingest.load_report(db_path, path, snapshot_date=snapshot_date).status == "loaded", path
    return db_path


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """One real DuckDB file per state, loaded from the demo's report files (orders: a small All Orders
    file in Amazon's format, to keep the test quick)."""
    from core import db as core_db

    folder = tmp_path_factory.mktemp("states")
    orders = write_report(folder / "orders.txt", header("orders_2026_34"),
                          [order_row("1", "HK-GRD-0006", date="2026-11-10T10:00:00+00:00"),
                           order_row("2", "HK-GRD-0006", date="2026-11-12T10:00:00+00:00")])
    schema_only = folder / "schema_only.duckdb"
    core_db.ensure_schema(schema_only)  # the file exists, with every table, and no report in it
    reports = [p for p in sorted(SAMPLE.iterdir()) if p.suffix in (".txt", ".gz")]
    return {
        "missing file": folder / "never_created.duckdb",
        "schema only": schema_only,
        "orders only": load(folder / "orders.duckdb", orders),
        "one snapshot": load(folder / "snapshot.duckdb", SNAPSHOT),
        "cost sheet only": load(folder / "costs.duckdb", SAMPLE / "product_costs.csv"),
        "no cost sheet": load(folder / "nocost.duckdb", *reports, snapshot_date=dt.date(2026, 11, 15)),
    }


@pytest.mark.parametrize("state", ["missing file", "schema only"])
@pytest.mark.parametrize("command", [*READ_COMMANDS, "markdown", "imports"])
def test_nothing_loaded_says_so_and_exits_5(capsys, states, state, command):
    path = states[state]
    args = {"markdown": ["alerts", "--markdown"], "imports": ["imports", "--json"]}.get(command) \
        or READ_COMMANDS[command]
    code, out, err = cli_run(capsys, *args, "--db", path)
    assert code == 5
    assert err.startswith("Nothing is loaded") and str(path) in err and "fba-health load" in err
    assert out == ("[]\n" if command == "imports" else "")  # never a digest saying "Nothing fires"
    assert path.exists() == (state == "schema only")  # a read never creates a database


def test_imports_text_on_an_empty_database(capsys, states):
    code, out, err = cli_run(capsys, "imports", "--db", states["missing file"])
    assert (code, out) == (5, "Nothing loaded yet.\n") and "Nothing is loaded" in err


WITHOUT_SNAPSHOT = (
    [("orders only", "All Orders (by order date)", c) for c in NEEDS_SNAPSHOT if c not in FROM_ORDERS_ALONE]
    + [("cost sheet only", "Product costs (your own sheet)", c) for c in NEEDS_SNAPSHOT])


@pytest.mark.parametrize("state, loaded, command", WITHOUT_SNAPSHOT)
def test_without_a_stock_snapshot_the_missing_report_is_named_and_exit_is_6(capsys, states, state, loaded,
                                                                            command):
    code, out, err = cli_run(capsys, *READ_COMMANDS[command], "--db", states[state])
    assert (code, out) == (6, "")
    assert err.startswith("No stock snapshot is loaded")
    assert "FBA Inventory (Seller Central" in err and "Manage FBA Inventory" in err
    assert f"Loaded now: {loaded}." in err
    if state == "orders only":  # the health figures need stock; the plan does not
        assert "`fba-health forecast` and `fba-health restock` work from the order history alone" in err
    elif command in FROM_ORDERS_ALONE:
        assert "and no order history either" in err and "All Orders (Seller Central" in err


def test_orders_only_forecast_and_restock_start_at_the_last_order_day(capsys, states):
    """The orders-only file has lines on 10 and 12 Nov 2026: without --as-of, the forecast and the
    plan are as of 12 Nov, the forecast's first day 13 Nov; the plan takes the position as 0 and says
    so, on stderr and in every reason."""
    path = states["orders only"]
    code, out, err = cli_run(capsys, *READ_COMMANDS["forecast"], "--db", path)
    result = json.loads(out)
    assert code == 0 and result["as_of"] == "2026-11-12" and result["daily"][0]["day"] == "2026-11-13"
    assert result["model"]["method"] == "launch"  # 2 in-stock days of history: the mean so far
    assert "the forecast starts at the last order day, 2026-11-12" in err
    code, out, err = cli_run(capsys, *READ_COMMANDS["restock"], "--db", path)
    plan = json.loads(out)
    assert code == 0 and [r["sku"] for r in plan] == ["HK-GRD-0006"]
    assert plan[0]["as_of"] == "2026-11-12" and plan[0]["position"] == 0 and plan[0]["status"] == "order now"
    assert plan[0]["order_qty"] > 0
    assert plan[0]["reason"].startswith("no stock snapshot loaded: position taken as 0; position 0 ≤ ")
    assert "No stock snapshot is loaded: the plan is as of 2026-11-12" in err and "taken as 0" in err
    code, out, err = cli_run(capsys, "restock", "--csv", "--db", path)
    assert code == 0 and "no stock snapshot loaded: position taken as 0" in out


def test_alerts_on_orders_only_check_the_data_age_and_say_the_rest_was_not_checked(capsys, states):
    """The orders end 12 Nov; on 20 Nov they are 8 days old, over the 7-day limit: the one rule that can
    be evaluated fires, and the digest says the stock rules were not checked (not "Nothing fires")."""
    code, out, err = cli_run(capsys, *READ_COMMANDS["alerts"], "--db", states["orders only"])
    assert code == 0
    fired = json.loads(out)
    assert [(a["rule"], a["value"], a["threshold"]) for a in fired] == [("stale_data", 8.0, 7.0)]
    assert "Only the data-age rule was checked" in err and "FBA Inventory" in err
    code, out, err = cli_run(capsys, "alerts", "--today", "2026-11-13", "--markdown",
                             "--db", states["orders only"])
    assert code == 0 and out.splitlines()[1].startswith("Only the data-age rule was checked")
    assert err == ""  # cron mails stdout and stderr together: the digest says it once
    assert out.splitlines()[1].endswith("No report is older than its limit.") and "Nothing fires" not in out


def test_alerts_on_a_cost_sheet_alone_check_nothing_and_exit_6(capsys, states):
    code, out, err = cli_run(capsys, "alerts", "--markdown", "--db", states["cost sheet only"])
    assert (code, out) == (6, "") and err.startswith("No stock snapshot is loaded")


def test_one_snapshot_alone_computes_and_notes_the_missing_orders_and_costs(capsys, states):
    path = states["one snapshot"]
    with open(SNAPSHOT, encoding="utf-8-sig") as handle:
        skus_in_file = {line.split("\t")[2] for line in list(handle)[1:]}  # the "sku" column (3rd)
    code, out, err = cli_run(capsys, "summary", "--json", "--db", path)
    summary = json.loads(out)
    assert code == 0 and summary["skus"] == len(skus_in_file) == 150
    assert summary["skus_cost_missing"] == 150 and summary["inventory_value"] is None
    assert "No order history is loaded" in err and "FBA Inventory report's units shipped" in err
    assert "No product-cost sheet is loaded" in err
    code, out, err = cli_run(capsys, "summary", "--db", path)  # the text form: "unknown", never nan
    assert code == 0 and "inventory_value: unknown" in out and "nan" not in out and "None" not in out
    for name in ("skus", "restock", "fees", "clearance"):
        code, out, err = cli_run(capsys, *READ_COMMANDS[name], "--db", path)
        assert code == 0 and json.loads(out), name
        assert "No order history is loaded" in err, name
    code, out, err = cli_run(capsys, *READ_COMMANDS["restock"], "--db", path)
    plan = json.loads(out)  # no sales: nothing to order (red and orange SKUs held); it says why
    assert {r["status"] for r in plan} == {"not yet", "held"}
    assert all(r["blocked_by"] == "grade" for r in plan if r["status"] == "held")
    assert "every SKU shows no demand" in err and "Warning" not in err
    code, out, err = cli_run(capsys, *READ_COMMANDS["forecast"], "--db", path)
    assert code == 0 and json.loads(out)["model"]["method"] == "no demand" and "no sales to fit" in err
    code, out, err = cli_run(capsys, *READ_COMMANDS["alerts"], "--db", path)
    rules = {a["rule"] for a in json.loads(out)}
    assert code == 0 and "red_grade" in rules and not rules & {"stockout_in_lead_time", "order_by_passed"}
    assert "the stockout and order-by rules have no forecast demand" in err


def test_reports_without_a_cost_sheet_compute_everything_and_note_the_costs(capsys, states):
    path = states["no cost sheet"]
    for name, args in READ_COMMANDS.items():
        code, out, err = cli_run(capsys, *args, "--db", path)
        assert code == 0 and json.loads(out), name
        assert "No order history" not in err, name
    code, out, err = cli_run(capsys, *READ_COMMANDS["clearance"], "--db", path)
    rows = json.loads(out)
    assert {r["recommendation"] for r in rows} == {None} and not any(r["complete"] for r in rows)
    assert "No product-cost sheet is loaded: no option can be priced" in err


@pytest.mark.parametrize("command", [*READ_COMMANDS, "imports"])
def test_the_full_demo_needs_no_note(capsys, demo_database, command):
    args = ["imports", "--json"] if command == "imports" else READ_COMMANDS[command]
    code, out, err = cli_run(capsys, *args, "--db", demo_database)
    assert code == 0 and json.loads(out)
    assert err == ""


def test_an_as_of_without_a_snapshot_is_rejected_with_the_dates_there_are(capsys, demo_database):
    for command in ("summary", "fees", "clearance", "alerts", "restock"):
        code, out, err = cli_run(capsys, *READ_COMMANDS[command], "--as-of", "2026-11-10",
                                 "--db", demo_database)
        assert (code, out) == (2, ""), command
        assert "No stock snapshot is dated 2026-11-10" in err and "2026-11-15, 2026-10-15" in err


def test_states_as_processes_print_no_traceback(states):
    """The exit codes reach the shell (cron sees them) and nothing a person reads is a traceback."""
    for state, expected in (("missing file", 5), ("orders only", 6), ("one snapshot", 0)):
        result = run("summary", "--json", "--db", states[state])
        assert result.returncode == expected, result.stderr
        assert "Traceback" not in result.stderr and "Error" not in result.stderr
        result = run("restock", "--csv", "--db", states[state])
        assert result.returncode == (0 if state == "orders only" else expected)  # a plan from the orders
        assert "Traceback" not in result.stderr
        assert "RuntimeWarning" not in result.stderr


def test_remove_on_an_empty_database_exits_5_and_creates_nothing(capsys, tmp_path):
    code, out, err = cli_run(capsys, "remove", "1", "--db", tmp_path / "none.duckdb")
    assert (code, out) == (5, "") and err.startswith("Nothing is loaded")
    assert not (tmp_path / "none.duckdb").exists()


def test_forecast_on_orders_only_works_when_given_a_day(capsys, states):
    """An --as-of day other than the last order day (12 Nov) is taken as given."""
    code, out, err = cli_run(capsys, "forecast", "--sku", "HK-GRD-0006", "--as-of", "2026-11-15", "--json",
                             "--db", states["orders only"])
    result = json.loads(out)
    assert code == 0 and result["as_of"] == "2026-11-15" and len(result["daily"]) > 0


def test_text_output_names_reports_as_seller_central_does(tmp_path, files):
    """People read `load` and `imports` without --json: report names, dates as dates, no NaT or ids."""
    good, _ = files
    db = tmp_path / "x.duckdb"
    costs = tmp_path / "costs.csv"
    costs.write_text("sku,unit_cost\nA,2.50\n", encoding="utf-8")
    loaded = run("load", good, costs, "--db", db)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded 2 rows as All Orders (by order date)" in loaded.stdout
    assert "loaded 1 row as Product costs (your own sheet)" in loaded.stdout
    again = run("load", good, "--db", db).stdout
    assert "unchanged, All Orders (by order date) already loaded" in again
    listing = run("imports", "--db", db).stdout
    assert "All Orders (by order date)" in listing and "2026-05-08" in listing
    for token in ("GET_", "NaT", "nan", "None", "import_id", "report_type"):
        assert token not in listing and token not in loaded.stdout, token


@pytest.mark.parametrize("command", [["summary", "--json"], ["imports"], ["load-sample"]])
def test_a_path_that_is_not_a_database_is_named_not_called_locked(capsys, tmp_path, files, command):
    """DuckDB refuses a text file, an empty file or a folder at once; that is no lock (exit 3)."""
    text = tmp_path / "notes.txt"
    text.write_text("hello\n", encoding="utf-8")
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    for path in (text, empty, tmp_path):
        code, out, err = cli_run(capsys, *command, "--db", path)
        assert (code, out) == (2, ""), path
        assert str(path) in err and "in use by another program" not in err
        assert ("is a folder" if path == tmp_path else "not a DuckDB file") in err
    good, _ = files
    code, _, err = cli_run(capsys, "load", good, "--db", text)
    assert code == 2 and "not a DuckDB file" in err and text.read_text(encoding="utf-8") == "hello\n"


def test_restock_json_carries_the_corridor_per_sku(capsys, demo_database):
    """Every SKU has the corridor's fields; an order never goes past its ceiling unless blocked_by says
    why (moq) and no red or orange SKU is ordered (issue 17)."""
    plan = cli_json(capsys, "restock", "--db", demo_database, "--json")
    fields = {"floor_units", "ceiling_units", "days_of_cover_after", "projected_fees_12m", "capacity_cuft_after",
              "blocked_by", "order_qty", "status", "reason"}
    assert len(plan) == 150 and all(fields <= set(r) for r in plan)
    assert {r["blocked_by"] for r in plan} <= {None, "grade", "ceiling", "capacity", "moq"}
    ordered = [r for r in plan if r["status"] == "order now"]
    assert ordered and all(r["order_qty"] > 0 and r["projected_fees_12m"] >= 0 for r in ordered)
    assert all(r["order_qty"] <= r["ceiling_units"] + 1e-6 or r["blocked_by"] == "moq" for r in ordered)
    assert all("aged surcharges" in r["reason"] for r in ordered if r["blocked_by"] == "moq")
    assert all(r["blocked_by"] == "grade" and r["order_qty"] == 0 for r in plan if r["status"] == "held")


def test_restock_json_carries_the_placement_fee_of_the_saved_split_option(capsys, demo_database, tmp_path):
    """With minimal splits saved (Settings), each standard-size SKU to order carries the 2026 minimal-split
    fee for its Fee Preview weight (us.json: up to 1 lb $0.27, 2 lb $0.34, 3 lb $0.40, then $0.40 +
    $0.016 a lb over 3), its order's ``placement_fee`` = order qty × that, and 12 months of it at least
    today's order's; with the default (Amazon-optimised) every placement field is 0."""
    import shutil

    from core import settings

    def minimal_standard(lb):
        return 0.27 if lb <= 1 else 0.34 if lb <= 2 else 0.40 if lb <= 3 else 0.40 + 0.016 * (lb - 3)

    free = cli_json(capsys, "restock", "--db", demo_database, "--json")
    assert all(r["placement_split"] == "amazon_optimised" and r["placement_fee"] == 0 for r in free)
    path = tmp_path / "minimal.duckdb"
    shutil.copy(demo_database, path)
    settings.save_placement_split(path, "minimal")
    plan = cli_json(capsys, "restock", "--db", path, "--json")
    ordered = [r for r in plan if r["status"] == "order now" and r["size_tier"] == "standard"]
    assert ordered and all(r["weight_lb"] is not None for r in ordered)
    for r in ordered:
        assert r["placement_fee_per_unit"] == pytest.approx(minimal_standard(r["weight_lb"]))
        assert r["placement_fee"] == pytest.approx(r["order_qty"] * r["placement_fee_per_unit"])
        assert r["fees_placement_12m"] >= r["placement_fee"] - 1e-9
    with pytest.raises(ValueError, match="option must be one of"):
        settings.save_placement_split(path, "west coast")
