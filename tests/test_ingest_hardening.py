"""Files built to break the reader (issue 16): memory and time bombs, encodings that no single
decoder reads, UTF-16, long lines and headers, too many or repeated columns. Each must load exactly,
or be rejected with a short reason that names the real cause, within a bounded amount of memory.

The limits are lowered for a test through the ``FBA_HEALTH_<LIMIT>`` variables of core/ingest.py, so
that files of a few MB stand for files of GB. Peak memory is measured in a child process
(``resource.getrusage``'s ``ru_maxrss``), where memory is the point.
"""

import ast
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import duckdb
import pytest

from core import ingest
from tests.reportfiles import header, write_report

ROOT = Path(__file__).resolve().parent.parent
MYI = header("myi_2026_22")
SNAPSHOT = dt.date(2026, 5, 14)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "inventory.duckdb"


def rows(db_path, sql):
    con = duckdb.connect(str(db_path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def myi_line(sku: str, columns=MYI, **cells) -> str:
    values = {"sku": sku, "product-name": f"Product {sku}", "afn-fulfillable-quantity": 5,
              "afn-warehouse-quantity": 5, **cells}
    return "\t".join(str(values.get(c, "")) for c in columns)


def myi_text(skus, columns=MYI, newline="\n") -> str:
    return newline.join(["\t".join(columns), *(myi_line(s, columns) for s in skus)]) + newline


def load(db_path, path):
    return ingest.load_report(db_path, path, snapshot_date=SNAPSHOT)


def assert_short_and_clean(errors):
    """A reason a seller can read: short, printable, no exception class or traceback."""
    assert errors
    for error in errors:
        assert len(error) < 400, error
        assert error.isprintable(), error
        assert "Error" not in error and "Traceback" not in error, error


def child_peak(code: str, env: dict | None = None) -> tuple[int, int, str]:
    """Run ``code`` in a fresh Python; it sets ``result`` (a string). Returns (peak RSS in MB after the
    imports, peak RSS in MB at the end, result).

    The peak is the kernel's high-water mark of the child's own memory (VmHWM, which ``ru_maxrss``
    reports too once the process exits): ``getrusage`` in the child would carry over the peak of the
    pytest process it was started from, since Linux keeps ``ru_maxrss`` across exec.
    """
    script = ("import re, sys\nsys.path.insert(0, %r)\n"
              "def hwm():\n"
              "    return int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))\n"
              "import core.ingest, core.cli, duckdb, pandas\n"
              "base = hwm()\n"
              "%s\n"
              "peak = hwm()\n"
              "print(base // 1024, peak // 1024, result, sep='\\n')\n") % (str(ROOT), code)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **(env or {})}, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    base, peak, result = out.stdout.split("\n", 2)
    return int(base), int(peak), result.strip()


# --- memory: a non-UTF-8 byte late in a gzip file ------------------------------------------------

def test_a_late_cp1252_byte_in_a_large_gzip_is_re_decoded_as_a_stream(tmp_path):
    """Issue 16: an 8.3 MB gzip of 2 GiB whose first non-UTF-8 byte came after the first 64 KB took
    4.6 GB (the whole text was read, decoded and re-encoded in memory) and died with MemoryError.
    Scaled down to 48 MB of text: the copy is written a chunk at a time, so the child process grows by
    a few MB, where reading it whole grows by 3 times the text (bytes, str, UTF-8 copy)."""
    line = myi_line("HK-1") + "\n"
    lines = (48 << 20) // len(line)
    path = tmp_path / "myi.txt.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(("\t".join(MYI) + "\n").encode())
        block = (line * 10_000).encode()
        for _ in range(lines // 10_000):
            out.write(block)
        out.write(myi_line("CRÈME-1").encode("cp1252") + b"\n")
    base, peak, result = child_peak(
        "def tail(path):\n    with path.open('rb') as f:\n        f.seek(-200, 2)\n        return f.read().decode()\n"
        f"p = core.ingest.prepare_file(__import__('pathlib').Path({str(path)!r}))\n"
        f"result = (p.encoding, p.compression, p.read_path.stat().st_size, "
        f"tail(p.read_path).splitlines()[-1].split(chr(9))[0])\n"
        f"p.cleanup()\nresult = repr(result)")
    encoding, compression, size, last_sku = ast.literal_eval(result)
    assert (encoding, compression, last_sku) == ("cp1252", "none", "CRÈME-1")
    assert size > 45e6
    print(f"prepare_file: {base} MB after imports, {peak} MB peak")
    assert peak - base < 40, f"prepare_file grew the process by {peak - base} MB for 48 MB of text"


# --- one encoding per file, decided on the whole file -----------------------------------------------

def test_utf8_and_cp1252_in_one_file_is_rejected_naming_the_lines(db_path, tmp_path):
    """Issue 16: "CAFÉ-1" in UTF-8 in one line and "CAFÉ-2" in cp1252 in another. Read as cp1252 the
    first became a new SKU "CAFÃ‰-1"; no single encoding reads both, so the file is refused, saying
    which lines disagree and what to do, and nothing is loaded."""
    filler = "".join(myi_line(f"PLAIN-{i}") + "\n" for i in range(2000))  # the cp1252 line is past 64 KB
    data = (myi_text(["CAFÉ-1"]) + filler).encode("utf-8") + myi_line("CAFÉ-2").encode("cp1252") + b"\n"
    path = tmp_path / "myi.txt"
    path.write_bytes(data)
    result = load(db_path, path)
    assert result.status == "rejected"
    assert_short_and_clean(result.errors)
    (error,) = result.errors
    assert 'line 2 has "CAFÉ-1" in UTF-8' in error and 'line 2,003 has "CAFÉ-2"' in error, error
    assert "save it again as UTF-8" in error
    assert not db_path.exists() or rows(db_path, "SELECT count(*) FROM imports") == [(0,)]


def test_cp1252_file_with_capitals_before_symbols_is_not_taken_for_mixed(db_path, tmp_path):
    """"NESCAFÉ®" in cp1252 is C9 AE, which is also well-formed UTF-8 (for "ɮ"): that alone is no sign of
    UTF-8 text, so the file stays one cp1252 file, read as written."""
    path = tmp_path / "myi.txt"
    path.write_bytes(myi_text(["NESCAFÉ®-1", "CRÈME-2", "CAFÉ™-3"]).encode("cp1252"))
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 3), result.errors
    assert rows(db_path, "SELECT sku FROM manage_inventory ORDER BY sku") == [
        ("CAFÉ™-3",), ("CRÈME-2",), ("NESCAFÉ®-1",)]
    assert rows(db_path, "SELECT encoding FROM imports") == [("cp1252",)]


def test_utf8_file_whose_first_accent_is_past_64_kb_is_utf8(db_path, tmp_path):
    path = tmp_path / "myi.txt"
    path.write_bytes(myi_text([f"PLAIN-{i}" for i in range(2000)] + ["CAFÉ-1", "ステンレス-2"]).encode())
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 2002), result.errors
    assert rows(db_path, "SELECT sku FROM manage_inventory WHERE sku NOT LIKE 'PLAIN-%' ORDER BY sku") == [
        ("CAFÉ-1",), ("ステンレス-2",)]
    assert rows(db_path, "SELECT encoding FROM imports") == [("utf-8",)]


# --- UTF-16 (Excel's "Unicode Text") ---------------------------------------------------------------------

@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                           ("utf-16-le", b"")])
def test_utf16_unicode_text_loads(db_path, tmp_path, encoding, bom):
    """Issue 16: Excel's "Unicode Text" save (UTF-16LE with a BOM, tab-delimited, CR LF) was rejected with a
    header full of NULs. Read with or without the byte-order mark, big-endian too."""
    skus = ["CAFÉ-1", "ステンレス-2", "PLAIN-3"]
    path = tmp_path / "myi.txt"
    path.write_bytes(bom + myi_text(skus, newline="\r\n").encode(encoding))
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 3), result.errors
    assert rows(db_path, "SELECT sku, afn_fulfillable_quantity FROM manage_inventory ORDER BY sku") == sorted(
        (s, 5) for s in skus)
    assert rows(db_path, "SELECT encoding FROM imports") == [("utf-16" if bom else encoding,)]


# --- gzip ratio and size ------------------------------------------------------------------------------

def test_gzip_unpacking_past_its_ratio_cap_is_refused_saying_why(db_path, tmp_path, monkeypatch):
    """A gzip file may unpack to max(GZIP_RATIO_FLOOR_BYTES, GZIP_MAX_RATIO x its size): here 2 MB or
    100 times. 8 MB of one repeated report line packs about 400 times: refused, naming the ratio; the
    same rows varied enough to pack 5 times load."""
    monkeypatch.setenv("FBA_HEALTH_GZIP_RATIO_FLOOR_BYTES", str(2 << 20))
    line = myi_line("SAME-1") + "\n"
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(("\t".join(MYI) + "\n" + line * ((8 << 20) // len(line))).encode()))
    assert len(gzip.decompress(bomb.read_bytes())) > 100 * bomb.stat().st_size
    result = load(db_path, bomb)
    assert result.status == "rejected"
    assert_short_and_clean(result.errors)
    allowed = max(2 << 20, 100 * bomb.stat().st_size) / 1e6
    assert result.errors[0].startswith(f"The gzip file unpacks to more than {allowed:.1f} MB from "
                                       f"{bomb.stat().st_size / 1e3:.0f} KB, over 100 times its size;"), result.errors

    fine = tmp_path / "fine.txt.gz"
    fine.write_bytes(gzip.compress(myi_text([f"SKU-{i * 7919 % 100003:06d}-{i}" for i in range(40_000)]).encode()))
    assert len(gzip.decompress(fine.read_bytes())) > 2 << 20
    result = load(db_path, fine)
    assert (result.status, result.rows_loaded) == ("loaded", 40_000), result.errors


def test_gzip_of_zeros_is_refused_with_a_short_reason(db_path, tmp_path):
    """Issue 16: a 4 GiB gzip of zeros was refused, echoing 64 KB of NULs into the error. Scaled to 64 MB:
    the header line has no end in its first MB, and the message says so in a sentence."""
    path = tmp_path / "zeros.txt.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    path.write_bytes(packer.compress(b"\0" * (64 << 20)) + packer.flush())
    result = load(db_path, path)
    assert result.status == "rejected"
    assert_short_and_clean(result.errors)
    assert result.errors == ("The header line is longer than 1.0 MB (no line end in its first 1.0 MB): "
                             "this is not a report file.",)


def test_gzip_with_other_data_after_its_end_is_damaged(db_path, tmp_path):
    path = tmp_path / "myi.txt.gz"
    path.write_bytes(gzip.compress(myi_text(["A-1"]).encode()) + b"\0" * 64)
    result = load(db_path, path)
    assert result.status == "rejected"
    assert result.errors == ("The gzip file is damaged: other data follows the end of its compressed text.",)


def test_gzip_of_several_members_is_one_file(db_path, tmp_path):
    path = tmp_path / "myi.txt.gz"
    text = myi_text(["A-1", "B-2"])
    cut = text.index("B-2")
    path.write_bytes(gzip.compress(text[:cut].encode()) + gzip.compress(text[cut:].encode()))
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 2), result.errors


# --- columns ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_extra", [8_012, 100_012])
def test_a_header_with_far_more_columns_than_any_report_is_refused_before_rows(db_path, tmp_path, n_extra):
    """Issue 16: 8,034 columns took 178 s and 1.5 GB before DuckDB ran out of memory; 100,034 ran past
    300 s holding the database lock. The widest report we read has 109 known columns; more than
    max(4 x 109, 500) = 500 is refused from the header alone."""
    assert ingest.MAX_COLUMNS == 500 and ingest.WIDEST_SCHEMA == 109
    columns = MYI + [f"c{i}" for i in range(n_extra)]
    path = tmp_path / "wide.txt"
    path.write_text(myi_text(["A-1"] * 3, columns))
    result = load(db_path, path)
    assert result.status == "rejected"
    assert_short_and_clean(result.errors)
    assert f"The header has {len(columns):,} columns" in result.errors[0]
    assert "more than 500" in result.errors[0]


def test_a_report_with_many_unknown_columns_under_the_cap_loads(db_path, tmp_path):
    columns = MYI + [f"c{i}" for i in range(500 - len(MYI))]
    path = tmp_path / "wide.txt"
    path.write_text(myi_text(["A-1", "B-2"], columns))
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 2), result.errors


def test_a_column_of_the_report_twice_is_rejected_naming_it(db_path, tmp_path):
    """Issue 16: with "sku" twice the first copy silently won. Two spellings of one column ("sku" and
    "SKU") or the same name twice: refused, naming it and both positions."""
    columns = MYI + ["SKU"]
    path = tmp_path / "myi.txt"
    path.write_text("\t".join(columns) + "\n" + myi_line("A-1", MYI) + "\tB-1\n")
    result = load(db_path, path)
    assert result.status == "rejected"
    assert result.errors == (f'Column sku appears twice in the header (columns 1 and {len(columns)}, as "sku" '
                             f'and "SKU"): the file cannot say which copy is right. Delete one of them and '
                             f"load the file again.",)


def test_an_unknown_column_twice_keeps_both_copies(db_path, tmp_path):
    """A column we do not use, twice (no report documented in ../shared/amazon_reports.md repeats a header
    name, but nothing in the numbers depends on it): both copies are kept, the second numbered."""
    columns = MYI + ["note", "note"]
    path = tmp_path / "myi.txt"
    path.write_text("\t".join(columns) + "\n" + myi_line("A-1", MYI) + "\tfirst\tsecond\n")
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 1), result.errors
    assert any('appear more than once; each copy is kept (the second as "note (2)")' in w for w in result.warnings)
    assert [json.loads(e) for (e,) in rows(db_path, "SELECT extra FROM manage_inventory")] == [
        {"note": "first", "note (2)": "second"}]


# --- lines ----------------------------------------------------------------------------------------------

def test_a_header_over_64_kb_is_read_whole(db_path, tmp_path):
    """Issue 16: the head read was 64 KB, so a longer header line was cut short. A 100 KB column name
    (under the 1 MB header limit) is read whole: every field of the rows finds its column."""
    columns = MYI + ["x" * 100_000, "tail"]
    path = tmp_path / "myi.txt"
    path.write_text("\t".join(columns) + "\n" + myi_line("A-1", MYI) + "\tlong\tend\n")
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 1), result.errors
    (extra,) = rows(db_path, "SELECT extra FROM manage_inventory")[0]
    assert json.loads(extra) == {"x" * 100_000: "long", "tail": "end"}


def test_a_header_over_the_limit_is_rejected(db_path, tmp_path):
    path = tmp_path / "myi.txt"
    path.write_text("\t".join(MYI) + "\t" + "y" * (1 << 20) + "\n" + myi_line("A-1") + "\n")
    result = load(db_path, path)
    assert result.errors == ("The header line is longer than 1.0 MB (no line end in its first 1.0 MB): "
                             "this is not a report file.",)


def test_a_line_longer_than_the_limit_names_its_number_and_length(db_path, tmp_path, monkeypatch):
    """Issue 16: a 50 MB line was reported as "unbalanced quotes". Scaled to a 1 MB limit and a 3 MB line."""
    monkeypatch.setenv("FBA_HEALTH_MAX_LINE_BYTES", str(1_000_000))
    path = tmp_path / "myi.txt"
    path.write_text(myi_text(["A-1", "B-2"]) + myi_line("C-3", **{"product-name": "z" * 3_000_000}) + "\n")
    result = load(db_path, path)
    assert result.errors == ("Line 4 is 3.0 MB long, longer than any report line can be (the limit is 1.0 MB): "
                             "the file is damaged, or it is not a report file.",)


@pytest.mark.parametrize("delimiter", ["\t", ","])
def test_mixed_windows_and_unix_line_ends_load(db_path, tmp_path, delimiter):
    """Issue 16: a file whose lines end in CR LF in one part and LF in another (two files pasted together)
    was reported as "unbalanced quotes". DuckDB's reader has no option that reads both safely
    (strict_mode=false also drops extra fields silently), so such a file is read from a copy with Unix
    line ends."""
    first = myi_text(["A-1", "B-2"], newline="\r\n")
    second = myi_text(["C-3", "D-4"]).split("\n", 1)[1]
    text = (first + second).replace("\t", delimiter)
    path = tmp_path / "myi.txt"
    path.write_text(text, newline="")
    assert b"\r\n" in path.read_bytes() and b"\nC-3" in path.read_bytes()
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 4), result.errors
    assert rows(db_path, "SELECT sku, product_name FROM manage_inventory ORDER BY sku") == [
        (s, f"Product {s}") for s in ["A-1", "B-2", "C-3", "D-4"]]


def test_a_carriage_return_inside_a_line_is_named(db_path, tmp_path):
    path = tmp_path / "myi.txt"
    path.write_text(myi_text(["A-1"]) + myi_line("B-2", **{"product-name": "half\rway"}) + "\n", newline="")
    result = load(db_path, path)
    assert result.status == "rejected"
    assert "carriage return" in result.errors[0] and "quotes" not in result.errors[0], result.errors


def test_unbalanced_quotes_still_say_so(db_path, tmp_path):
    path = tmp_path / "myi.csv"
    path.write_text(myi_text(["A-1"]).replace("\t", ",") + myi_line("B-2", **{"product-name": '"open'}).replace("\t", ",")
                    + "\n" + myi_line("C-3").replace("\t", ",") + "\n")
    result = load(db_path, path)
    assert result.errors == ("The file could not be read at line 3: a quoted value is never closed "
                             "(unbalanced quotes).",)


# --- peek_head never raises and reads a bounded amount -----------------------------------------------

def _peek_cases() -> dict[str, bytes]:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return {
        "zeros.gz": packer.compress(b"\0" * (64 << 20)) + packer.flush(),
        "utf16": b"\xff\xfe" + myi_text(["A-1"], newline="\r\n").encode("utf-16-le"),
        "wide": myi_text(["A-1"], MYI + [f"c{i}" for i in range(8_012)]).encode(),
        "long header": b"sku\t" + b"y" * (2 << 20),
        "huge quoted cell": ('"snapshot-date","sku","available","inv-age-0-to-90-days"\n"2026-05-14","A","1","'
                             + "q" * 200_000 + '"\n"2026-05-14","B","1","1"\n"2026-05-14","C","1","1"\n').encode(),
        "damaged gzip": b"\x1f\x8b\x08\x00" + os.urandom(2000),
        "mixed": myi_text(["CAFÉ-1"]).encode() + myi_line("CAFÉ-2").encode("cp1252"),
    }


@pytest.mark.parametrize("name", list(_peek_cases()))
def test_peek_head_stays_safe(name):
    raw = _peek_cases()[name]
    peek = ingest.peek_head(raw[: ingest.PEEK_BYTES], name)
    expected = {
        "zeros.gz": (None, "the header line is too long"),
        "utf16": ("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", None),
        "wide": (None, "8,034 columns, far more than any report"),
        "long header": (None, "the header line is too long"),
        "huge quoted cell": ("GET_FBA_INVENTORY_PLANNING_DATA", None),
        "damaged gzip": (None, "the gzip file is damaged"),
        "mixed": ("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", None),
    }[name]
    assert (peek.report_type, peek.error) == expected
    if name == "huge quoted cell":
        assert peek.snapshot_dates == (dt.date(2026, 5, 14),)


# --- every bad file, through the command line, in bounded memory --------------------------------------

def test_every_bomb_fails_fast_in_bounded_memory_with_a_json_reason(tmp_path):
    """``fba-health load --json`` over every kind of bomb at once, in a child process with DuckDB's write
    cap lowered to 256 MB: each file gets a JSON line saying why it was refused, and the process stays
    within the cap plus what the imports cost (measured before any load)."""
    files = {}
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    files["zeros.txt.gz"] = packer.compress(b"\0" * (256 << 20)) + packer.flush()
    line = myi_line("SAME-1") + "\n"
    files["ratio.txt.gz"] = gzip.compress(("\t".join(MYI) + "\n" + line * ((128 << 20) // len(line))).encode(), 1)
    files["wide.txt"] = myi_text(["A-1"] * 3, MYI + [f"c{i}" for i in range(100_012)]).encode()
    files["long_line.txt"] = (myi_text(["A-1"]) + myi_line("B-2", **{"product-name": "z" * 12_000_000})).encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    late = packer.compress(("\t".join(MYI) + "\n").encode() + (line * ((64 << 20) // len(line))).encode())
    files["late_cp1252_mixed.txt.gz"] = late + packer.compress(myi_line("CAFÉ-1").encode() + b"\n"
                                                               + myi_line("CAFÉ-2").encode("cp1252")) + packer.flush()
    paths = []
    for name, data in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    db_file = tmp_path / "inventory.duckdb"
    args = ["load", "--json", "--snapshot-date", "2026-05-14", "--db", str(db_file), *map(str, paths)]
    base, peak, out = child_peak(
        "import io, contextlib\nbuffer = io.StringIO()\n"
        f"with contextlib.redirect_stdout(buffer):\n    code = core.cli.main({args!r})\n"
        "result = buffer.getvalue()",
        env={"FBA_HEALTH_WRITE_MEMORY_LIMIT": "256MB", "FBA_HEALTH_GZIP_RATIO_FLOOR_BYTES": str(96 << 20)})
    results = {Path(r["file"]).name: r for r in map(json.loads, out.splitlines())}
    assert set(results) == set(files)
    assert all(r["status"] == "rejected" for r in results.values()), results
    reasons = {name: r["errors"][0] for name, r in results.items()}
    assert reasons["zeros.txt.gz"].startswith("The header line is longer than 1.0 MB")
    assert reasons["ratio.txt.gz"].startswith("The gzip file unpacks to more than ")
    assert reasons["wide.txt"].startswith("The header has 100,034 columns")
    assert reasons["long_line.txt"].startswith("Line 3 is 12 MB long")
    assert reasons["late_cp1252_mixed.txt.gz"].startswith("The file mixes two text encodings")
    for r in results.values():
        assert_short_and_clean(r["errors"])
    print(f"load --json: {base} MB after imports, {peak} MB peak")
    assert peak - base < 100, f"the loads grew the process by {peak - base} MB"


def test_every_limit_is_documented():
    text = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    for name in ingest._LIMITS:
        assert f"`{name}`" in text, f"{name} is not in docs/reports.md"
