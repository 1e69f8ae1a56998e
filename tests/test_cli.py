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
    assert {"load", "skus", "summary", "restock", "forecast"} <= set(subparsers.choices)
    for args in ([], *[[name] for name in subparsers.choices]):
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([*args, "--help"])
        assert exit_info.value.code == 0
        assert "usage: fba-health" in capsys.readouterr().out
