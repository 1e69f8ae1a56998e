"""Excel cost sheets that would exhaust the machine or load blanks (issue 16): a workbook is measured
in its zip directory before openpyxl parses it and refused with a reason; rows, columns and cell
length are bounded; formulas without saved values and empty sheets are refused, never loaded empty.

The workbooks are built here: with openpyxl (which writes formulas without saved values, as any
script does), or part by part with zipfile for the bombs and hand-written sheet XML. Caps are
lowered where a small file can show them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from core import ingest

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def workbook(path: Path, rows_xml: str, shared: list[str] | None = None, *, huge_string_mb: int = 0) -> Path:
    """A minimal workbook written part by part: one sheet whose ``<sheetData>`` is ``rows_xml``, and a
    shared-strings table of ``shared``, or of one string of ``huge_string_mb`` MB of "a" (written in
    chunks: it compresses about a thousand times)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                   'ContentType="application/xml"/>'
                   f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
                   f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
                   f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/'
                                  'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet '
                                      'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
                   f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" '
                   'Target="sharedStrings.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><sheetData>{rows_xml}'
                                               '</sheetData></worksheet>')
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(f'<sst xmlns="{MAIN}">'.encode())
            for text in shared or []:
                out.write(f"<si><t>{text}</t></si>".encode())
            if huge_string_mb:
                out.write(b"<si><t>")
                for _ in range(huge_string_mb):
                    out.write(b"a" * 2**20)
                out.write(b"</t></si>")
            out.write(b"</sst>")
    return path


def text(ref: str, index: int) -> str:
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


COSTS_HEADER = ["sku", "unit_cost"]


def openpyxl_book(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def load(tmp_path, path):
    return ingest.load_report(tmp_path / "inventory.duckdb", path)


def costs(tmp_path):
    con = duckdb.connect(str(tmp_path / "inventory.duckdb"))
    try:
        return con.execute("SELECT sku, unit_cost FROM product_costs ORDER BY sku").fetchall()
    finally:
        con.close()


# --- bombs: refused from the zip directory ----------------------------------------------------------

def test_a_shared_strings_bomb_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "XLSX_MAX_STRINGS_BYTES", 2**20)
    path = workbook(tmp_path / "bomb.xlsx", f'<row r="1">{text("A1", 0)}{text("B1", 1)}</row>'
                                            f'<row r="2">{text("A2", 2)}</row>',
                    ["sku", "unit_cost"], huge_string_mb=4)
    assert path.stat().st_size < 30_000  # 4 MB of text in a few KB
    result = load(tmp_path, path)
    assert result.status == "rejected"
    assert result.errors == ("The Excel file's text (its shared strings) would expand to 4.0 MB; a cost sheet's "
                             "is at most 1.0 MB. Save the sheet as CSV (File > Save As > CSV) and load that, or "
                             "remove what makes it so large (very long cells, pictures pasted as text, other "
                             "sheets).",)


def test_the_whole_workbook_and_the_expansion_ratio_are_bounded(tmp_path, monkeypatch):
    path = workbook(tmp_path / "bomb.xlsx", "", ["sku"], huge_string_mb=3)
    error = load(tmp_path, path).errors[0]  # 3 MB of one letter deflates about a thousand times
    assert error.startswith("The part xl/sharedStrings.xml of the Excel file expands 995 times (from 3 KB to "
                            "3.0 MB); real sheets expand about 10 times and at most 100.")
    monkeypatch.setattr(ingest, "XLSX_MAX_RATIO", 1000)
    monkeypatch.setattr(ingest, "XLSX_MAX_BYTES", 2**20)
    error = load(tmp_path, path).errors[0]
    assert error.startswith("The Excel file would expand to 3.0 MB; a cost sheet is at most 1.0 MB.")
    monkeypatch.setattr(ingest, "XLSX_MAX_MEMBERS", 5)
    assert load(tmp_path, path).errors[0].startswith("The Excel file holds 6 parts; ")


def test_a_sheet_with_one_huge_cell_is_refused_by_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "XLSX_MAX_SHEET_BYTES", 2**20)
    big = "x" * (3 * 2**20)
    path = workbook(tmp_path / "cell.xlsx", f'<row r="1">{text("A1", 0)}{text("B1", 1)}</row><row r="2">'
                                            f'<c r="A2" t="inlineStr"><is><t>{big}</t></is></c></row>',
                    ["sku", "unit_cost"])
    error = load(tmp_path, path).errors[0]
    assert error.startswith("The sheet part xl/worksheets/sheet1.xml would expand to 3.0 MB; a cost sheet's "
                            "is at most 1.0 MB.")


def test_a_bomb_is_refused_within_a_small_memory_peak(tmp_path):
    """64 MB of shared strings in a file of 70 KB, caps as shipped: openpyxl would hold the string
    several times over; refused from the zip directory, the load's peak stays within a few MB of
    the interpreter's (resource.getrusage in a fresh process)."""
    path = workbook(tmp_path / "bomb.xlsx", f'<row r="1">{text("A1", 0)}</row>', ["sku"], huge_string_mb=64)
    script = (
        "import json, resource, sys\n"
        "from pathlib import Path\n"
        "from core import ingest\n"
        "import openpyxl, duckdb\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "result = ingest.load_report(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'grew_kb': after - before, 'result': result.to_json()}))\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "db.duckdb"), str(path)],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["result"]["status"] == "rejected"
    assert "would expand to 64.0 MB" in report["result"]["errors"][0]
    assert report["grew_kb"] < 16 * 1024, report


# --- rows, columns, cells ------------------------------------------------------------------------------

def test_rows_columns_and_cell_length_are_bounded(tmp_path, monkeypatch):
    path = openpyxl_book(tmp_path / "c.xlsx", [COSTS_HEADER + ["supplier"], ["A", 1.5, "x" * 40], ["B", 2, "y"],
                                               ["C", 3, "z"]])
    monkeypatch.setattr(ingest, "XLSX_MAX_CELL_CHARS", 39)
    assert load(tmp_path, path).errors == (
        'The sheet "Sheet" of the Excel file: cell C2 holds 40 characters; a cell holds at most 39.',)
    monkeypatch.setattr(ingest, "XLSX_MAX_CELL_CHARS", 40)
    monkeypatch.setattr(ingest, "XLSX_MAX_ROWS", 3)
    assert load(tmp_path, path).errors[0].startswith(
        'The sheet "Sheet" of the Excel file has rows past row 3; a cost sheet has one row per SKU, at most 3.')
    monkeypatch.setattr(ingest, "XLSX_MAX_ROWS", 4)
    monkeypatch.setattr(ingest, "XLSX_MAX_COLUMNS", 2)
    assert load(tmp_path, path).errors[0].startswith(
        'The sheet "Sheet" of the Excel file has values past column 2 (C1);')
    monkeypatch.setattr(ingest, "XLSX_MAX_COLUMNS", 3)
    assert load(tmp_path, path).status == "loaded"
    assert costs(tmp_path) == [("A", 1.5), ("B", 2.0), ("C", 3.0)]


def test_blank_rows_claimed_far_down_are_skipped_and_a_value_there_is_past_the_cap(tmp_path):
    """A sheet may claim rows far down (a formatted empty row): blank rows are skipped fast; a value
    down there is past the cap."""
    rows = f'<row r="1">{text("A1", 0)}{text("B1", 1)}</row><row r="2">{text("A2", 2)}<c r="B2"><v>4.5</v></c></row>'
    path = workbook(tmp_path / "far.xlsx", rows + '<row r="150000"><c r="A150000"/></row>', COSTS_HEADER + ["A"])
    assert load(tmp_path, path).status == "loaded"
    assert costs(tmp_path) == [("A", 4.5)]
    far = workbook(tmp_path / "far2.xlsx", rows + f'<row r="150000">{text("A150000", 2)}</row>',
                   COSTS_HEADER + ["B"])
    assert load(tmp_path, far).errors[0].startswith("The sheet \"Sheet1\" of the Excel file has rows past row 100,000")


# --- empty sheets and formulas --------------------------------------------------------------------------

def test_an_empty_sheet_or_a_header_alone_is_refused_with_a_reason(tmp_path):
    assert load(tmp_path, openpyxl_book(tmp_path / "e.xlsx", [])).errors == (
        'The sheet "Sheet" of the Excel file is empty: put a header row (sku, unit_cost, ...) and one row '
        'per SKU on the first sheet, or on a sheet named product_costs.',)
    assert load(tmp_path, openpyxl_book(tmp_path / "h.xlsx", [COSTS_HEADER])).errors == (
        'The sheet "Sheet" of the Excel file has a header row and no rows below it: add one row per SKU.',)


def test_formulas_without_saved_values_are_refused_naming_the_cells(tmp_path):
    """openpyxl, like any script, writes a formula with no value: read for values it would be empty."""
    rows = [COSTS_HEADER + ["landed"]] + [[f"S-{i}", 2.0, f"=B{i + 2}*1.1"] for i in range(39)]
    rows[5][1] = "=1+1"
    path = openpyxl_book(tmp_path / "f.xlsx", rows)
    result = load(tmp_path, path)
    assert result.status == "rejected"
    assert result.errors == (
        'The sheet "Sheet" of the Excel file holds formulas without saved values (column "unit_cost" cells B6; '
        'column "landed" cells C2:C40): it was written by a program and never saved by Excel, so those '
        'cells would load empty. Open it in Excel (or LibreOffice) and save it, or save it as CSV, then '
        'load it again.',)
    assert not (tmp_path / "inventory.duckdb").exists() or costs(tmp_path) == []


def test_formulas_with_saved_values_load_their_values(tmp_path):
    """As Excel saves them: the formula and its value (an empty text result is a value too)."""
    rows = (f'<row r="1">{text("A1", 0)}{text("B1", 1)}{text("C1", 2)}</row>'
            f'<row r="2">{text("A2", 3)}<c r="B2"><f>2*4.25</f><v>8.5</v></c>'
            f'<c r="C2" t="str"><f>IF(B2&gt;9,"big","")</f><v></v></c></row>')
    path = workbook(tmp_path / "saved.xlsx", rows, ["sku", "unit_cost", "supplier", "HK-1"])
    assert load(tmp_path, path).status == "loaded"
    assert costs(tmp_path) == [("HK-1", 8.5)]
