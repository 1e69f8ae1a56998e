"""The bundled demo account: every file loads completely, twice changes nothing, and it is reproducible."""

import csv
import gzip
import io
import json

import duckdb
import pytest

from core import ingest, sample
from core.schemas import BY_TYPE

MANIFEST = sample.manifest()


def data_lines(path):
    """Data rows of a tab file counted independently of the app (Python's csv module)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    delimiter = "\t" if "\t" in text.splitlines()[0] else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_NONE)
    header = next(reader)
    return header, [r for r in reader if r]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("sample") / "demo.duckdb"
    return db_path, sample.load_sample(db_path)


def test_every_sample_file_loads_as_its_report_type(loaded):
    _, results = loaded
    by_file = {r.file: r for r in results}
    assert set(by_file) == set(MANIFEST["files"])
    for name, report_type in MANIFEST["files"].items():
        result = by_file[name]
        assert result.status == "loaded", (name, result.errors)
        assert result.report_type == report_type


@pytest.mark.parametrize("name", sorted(n for n in MANIFEST["files"] if not n.endswith(".xlsx")))
def test_row_counts_match_an_independent_count(loaded, name):
    db_path, results = loaded
    result = next(r for r in results if r.file == name)
    header, lines = data_lines(sample.SAMPLE_DIR / name)
    expected = len(lines)
    if BY_TYPE[result.report_type].table == "storage_fees":
        month = header.index("month_of_charge")
        expected = sum(1 for line in lines if line[month] != "--")
    assert result.rows_loaded == expected


def test_loading_the_sample_again_changes_nothing(loaded):
    db_path, _ = loaded
    before = ingest.list_imports(db_path)[["import_id", "current_rows"]].to_dict("records")
    again = sample.load_sample(db_path)
    assert {r.status for r in again} == {"unchanged"}
    assert ingest.list_imports(db_path)[["import_id", "current_rows"]].to_dict("records") == before


def test_sample_is_marked_and_removed_when_own_data_arrives(tmp_path):
    db_path = tmp_path / "demo.duckdb"
    sample.load_sample(db_path)
    assert ingest.list_imports(db_path)["is_sample"].all()
    template = ingest.load_report(db_path, sample.TEMPLATE)  # the template as downloaded: example rows
    assert template.status == "rejected" and "cost-sheet template as downloaded" in template.errors[0]
    assert ingest.list_imports(db_path)["is_sample"].all()  # nothing of the demo went
    own = tmp_path / "my_costs.csv"
    own.write_text("sku,unit_cost\nMY-OWN-SKU,4.10\n", encoding="utf-8")
    mine = ingest.load_report(db_path, own)
    assert mine.status == "loaded"
    assert any("demo account was removed" in w for w in mine.warnings)
    assert ingest.list_imports(db_path)["file_name"].tolist() == ["my_costs.csv"]


def test_cost_sheet_template_has_the_cost_columns():
    header = sample.TEMPLATE.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ["sku", "unit_cost", "currency", "supplier", "production_lead_time_days",
                      "transit_lead_time_days", "moq", "case_pack"]


def test_demo_account_is_coherent(loaded):
    """The latest planning snapshot's available units equal Manage Inventory's fulfillable units."""
    db_path, _ = loaded
    con = duckdb.connect(str(db_path))
    try:
        mismatched = con.execute("""
            SELECT count(*) FROM inventory_planning p JOIN manage_inventory m USING (sku)
            WHERE p.snapshot_date = (SELECT max(snapshot_date) FROM inventory_planning)
              AND p.available <> m.afn_fulfillable_quantity""").fetchone()[0]
        skus = con.execute("SELECT count(DISTINCT sku) FROM inventory_planning").fetchone()[0]
    finally:
        con.close()
    assert skus == MANIFEST["skus"]
    assert mismatched == 0


def test_committed_sample_is_what_the_seeded_generator_makes(tmp_path):
    """Regenerating with the manifest's arguments gives the committed files byte for byte."""
    import subprocess
    import sys

    subprocess.run([sys.executable, str(sample.SAMPLE_DIR / "generate.py"), "--out", str(tmp_path),
                    "--seed", str(MANIFEST["seed"]), "--skus", str(MANIFEST["skus"]),
                    "--as-of", MANIFEST["as_of"], "--days", str(MANIFEST["days"])],
                   check=True, capture_output=True, timeout=300)
    for name in [*MANIFEST["files"], "manifest.json", "product_costs_template.csv"]:
        if name.endswith(".xlsx"):
            continue  # openpyxl stamps the workbook's creation time
        assert (tmp_path / name).read_bytes() == (sample.SAMPLE_DIR / name).read_bytes(), name
