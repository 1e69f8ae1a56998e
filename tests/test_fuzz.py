"""Bad input, fuzzed (issue 7): Hypothesis writes report files and ``load_report`` must stay honest.

The invariant for every generated file: ``load_report`` returns ``loaded`` (the rows it reports are
the rows in the table, the rows it replaced are exactly the earlier rows sharing a natural key, and
the same bytes again are ``unchanged``) or ``rejected`` with specific messages (value errors name the
column); it never raises; and data loaded before it (a base import) is untouched by a rejected file.

Strategies (see ../shared/amazon_reports.md §0 for the formats):
- ``fuzzed_files``: real headers of every fixture report (tests/fixtures/headers) and the cost and
  channel-stock sheets, whole, shuffled or as random subsets, with unknown, empty or repeated column
  names; cells valid for their type in every supported format, missing markers (empty, ``--``,
  ``N/A``, ``none``), near misses and random text, one 100,000-character cell now and then; tab,
  comma or semicolon, a different delimiter in the data rows, no quoting, RFC quoting, an unbalanced
  quote, ragged rows, CRLF; UTF-8 with and without BOM, cp1252, cp932, latin-1, UTF-16, stray
  invalid bytes; gzip and gzip cut short; empty files, a lone BOM, blank lines, random bytes.
- ``nonsense_files``: a real header and valid rows, except random text in one typed column.
- ``valid_files``: every value written in a supported format; the file must load and every typed
  value read back as the Python value it was written from.
- Cell-level properties run every parser of core/values.py on arbitrary text inside DuckDB.

Each database test reuses one DuckDB file for all its examples (a base import is loaded first) and
keeps one connection open on it, so the database stays in memory between loads as in the app.
Loaded files are removed again after the checks, which must restore the base exactly.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from core import db, ingest, values
from core.schemas import BY_TYPE, PRODUCT_COSTS_TEMPLATE_COLUMNS, SCHEMAS, detect
from tests.reportfiles import HEADERS, header, ledger_row, order_row, write_report

SNAPSHOT = dt.date(2026, 5, 14)
FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])

SOURCES = {p.stem: header(p.stem) for p in sorted(HEADERS.glob("*.tsv"))} | {
    "product_costs": list(PRODUCT_COSTS_TEMPLATE_COLUMNS),
    "other_channel_stock": ["sku", "quantity", "channel", "snapshot_date"],
}
SCHEMA_OF = {name: detect(columns).schema for name, columns in SOURCES.items()}
assert all(SCHEMA_OF.values())


def type_of(schema, raw: str) -> str:
    name = schema.canonical_for(raw)
    return schema.column(name).type if name else "text"


def first_positions(schema, columns: list[str]) -> dict[str, int]:
    """Canonical column -> the first position holding it (later duplicates are kept raw)."""
    positions: dict[str, int] = {}
    for i, raw in enumerate(columns):
        name = schema.canonical_for(raw)
        if name is not None:
            positions.setdefault(name, i)
    return positions


# --- cells -------------------------------------------------------------------------------------

MISSING = ["", "--", "N/A", "n/a", "none", "None", " -- ", "  "]
# Invalid for every value type (and not a missing marker).
NEAR_MISSES = ["2026-13-45", "13/45/2026", "1.2.3", "12,3456", "365++", "yes please", "$", "1e", "0x1F",
               "--5", "N/A/B", "2026-05-13Tnoon", "1,23,4", "€€", "nan", "inf", "ft3"]
CURRENCIES = ["$", "€", "£", "USD ", " EUR", "US$", "C$", " GBP", "¥"]
BOOLS = {"Yes": True, "No": False, "Y": True, "N": False, "true": True, "false": False, "TRUE": True,
         "yes": True, "n": False, "1": True, "0": False}
SAFE_TEXT = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 -_.,;/#&'\"()éüß€ステン"),
                    max_size=14)


def _us(value: Decimal, places: int, thousands: bool) -> str:
    return f"{value:,.{places}f}" if thousands else f"{value:.{places}f}"


def _eu(value: Decimal, places: int, thousands: bool) -> str:
    return _us(value, places, thousands).replace(",", "_").replace(".", ",").replace("_", ".")


@st.composite
def decimal_text(draw, money: bool = False):
    """A decimal in the US or EU convention (with or without thousands), and its value."""
    places = draw(st.sampled_from([0, 1, 2, 2, 4] if not money else [2]))
    value = Decimal(draw(st.integers(-10**9, 10**9))).scaleb(-places)
    thousands = draw(st.booleans())
    eu = draw(st.booleans()) and places in (1, 2)  # `12,5` / `1.234,50`; EU without decimals is ambiguous
    text = (_eu if eu else _us)(value, places, thousands)
    if money and draw(st.booleans()):
        symbol = draw(st.sampled_from(CURRENCIES))
        text = text + symbol if symbol.startswith(" ") or eu else symbol + text
    return text, float(value)


@st.composite
def whole_text(draw, minimum: int = -10**7):
    n = draw(st.integers(minimum, 10**7))
    form = draw(st.sampled_from(["plain", "thousands", "point_zero", "padded"]))
    text = {"plain": str(n), "thousands": f"{n:,}", "point_zero": f"{n}.0", "padded": f" {n} "}[form]
    return text, n


DATES = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
OFFSETS = st.sampled_from([0, 60, -7 * 60, -8 * 60, 5 * 60 + 30, 9 * 60, -12 * 60, 14 * 60])


def _iso_date(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def _us_date(d: dt.date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


@st.composite
def timestamp_text(draw):
    """An instant as Amazon writes it, and the naive UTC datetime it means."""
    day = draw(DATES)
    clock = dt.time(draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59)))
    local = dt.datetime.combine(day, clock)
    hms = f"{clock:%H:%M:%S}"
    form = draw(st.sampled_from(["colon", "nocolon", "z", "fraction", "naive_t", "naive_space", "date",
                                 "us_date", "us_datetime"]))
    if form in ("colon", "nocolon", "fraction"):
        minutes = draw(OFFSETS)
        sign = "+" if minutes >= 0 else "-"
        hh, mm = divmod(abs(minutes), 60)
        zone = f"{sign}{hh:02d}:{mm:02d}" if form != "nocolon" else f"{sign}{hh:02d}{mm:02d}"
        micros = draw(st.integers(0, 999_999)) if form == "fraction" else 0
        frac = f".{micros:06d}" if form == "fraction" else ""
        utc = local.replace(microsecond=micros) - dt.timedelta(minutes=minutes)
        return f"{_iso_date(day)}T{hms}{frac}{zone}", utc
    text = {"z": f"{_iso_date(day)}T{hms}Z", "naive_t": f"{_iso_date(day)}T{hms}",
            "naive_space": f"{_iso_date(day)} {hms}", "date": _iso_date(day), "us_date": _us_date(day),
            "us_datetime": f"{_us_date(day)} {hms}"}[form]
    return text, local if form not in ("date", "us_date") else dt.datetime.combine(day, dt.time())


@st.composite
def date_text(draw):
    day = draw(DATES)
    form = draw(st.sampled_from(["iso", "us", "iso_ts", "iso_ts_nocolon", "iso_z", "us_ts"]))
    text = {"iso": _iso_date(day), "us": _us_date(day), "iso_ts": f"{_iso_date(day)}T23:30:00+00:00",
            "iso_ts_nocolon": f"{_iso_date(day)}T00:00:00-0700", "iso_z": f"{_iso_date(day)}T07:03:57Z",
            "us_ts": f"{_us_date(day)} 10:00:00"}[form]
    return text, day


@st.composite
def month_text(draw):
    day = draw(DATES)
    form = draw(st.sampled_from(["ym", "ymd", "ts"]))
    text = {"ym": f"{day.year:04d}-{day.month:02d}", "ymd": _iso_date(day), "ts": f"{_iso_date(day)}T00:00:00"}[form]
    return text, day.replace(day=1)


@st.composite
def days_text(draw):
    if draw(st.booleans()):
        return "365+", 365.0
    text, value = draw(st.one_of(whole_text(0), decimal_text()))
    return text, float(value)


@st.composite
def volume_text(draw):
    text, value = draw(decimal_text())
    return text + draw(st.sampled_from(["", " ft3", "ft3", " ft³", " cu ft", " cu. ft.", " cubic feet"])), value


VALID = {
    "int": whole_text(),
    "count": whole_text(0),
    "number": decimal_text(),
    "money": decimal_text(money=True),
    "date": date_text(),
    "timestamp": timestamp_text(),
    "month": month_text(),
    "bool": st.sampled_from(sorted(BOOLS.items())),
    "days": days_text(),
    "volume": volume_text(),
    "text": SAFE_TEXT.map(lambda t: (t, None)),
}


def fuzz_cell(value_type: str):
    """Mostly valid, sometimes missing, a near miss or random text (any character at all)."""
    return st.one_of(
        VALID[value_type].map(lambda pair: pair[0]),
        VALID[value_type].map(lambda pair: pair[0]),
        st.sampled_from(MISSING),
        st.sampled_from(NEAR_MISSES),
        st.text(max_size=12),
    )


# --- files -------------------------------------------------------------------------------------

def render(columns: list[str], rows: list[list[str]], *, delimiter: str, row_delimiter: str,
           quoting: str, newline: str) -> str:
    """Lines of a delimited file; ``quoting`` is none, minimal, all or broken (one stray quote)."""
    if quoting in ("minimal", "all"):
        out = io.StringIO()
        mode = csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL
        csv.writer(out, delimiter=delimiter, quoting=mode, lineterminator=newline).writerow(columns)
        csv.writer(out, delimiter=row_delimiter, quoting=mode, lineterminator=newline).writerows(rows)
        return out.getvalue()
    lines = [delimiter.join(columns)] + [row_delimiter.join(r) for r in rows]
    return newline.join(lines) + newline


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", errors="surrogatepass")
    return text.encode(encoding, errors="replace" if encoding != "utf-8" else "surrogatepass")


def choose_columns(draw, source: str) -> list[str]:
    full = SOURCES[source]
    schema = SCHEMA_OF[source]
    how = draw(st.sampled_from(["full", "shuffled", "subset", "required_subset", "required_subset"]))
    if how == "full":
        return list(full)
    if how == "shuffled":
        return draw(st.permutations(full))
    if how == "subset":
        return draw(st.lists(st.sampled_from(full), min_size=1, max_size=len(full), unique=True))
    positions = first_positions(schema, full)
    required = [full[positions[name]] for name in schema.required if name in positions]
    others = draw(st.lists(st.sampled_from(full), max_size=8, unique=True))
    return draw(st.permutations(list(dict.fromkeys(required + others))))


@st.composite
def fuzzed_files(draw):
    """(bytes, description) of a report file, well-formed or not."""
    shape = draw(st.sampled_from(["report"] * 14 + ["empty", "bom_only", "blank", "random_bytes"]))
    if shape == "empty":
        return b"", shape
    if shape == "bom_only":
        return b"\xef\xbb\xbf", shape
    if shape == "blank":
        return draw(st.sampled_from([b"\n", b"\r\n\r\n", b" \t \n", b"\n\nsku\tquantity\tchannel\nA\t1\tx\n",
                                     b"\xef\xbb\xbf\n"])), shape
    if shape == "random_bytes":
        return draw(st.binary(min_size=1, max_size=300)), shape

    source = draw(st.sampled_from(sorted(SOURCES)))
    schema = SCHEMA_OF[source]
    columns = choose_columns(draw, source)
    for _ in range(draw(st.integers(0, 2))):  # unknown, empty or repeated column names
        extra = draw(st.one_of(st.text(max_size=10), st.sampled_from(columns), st.just("")))
        columns.insert(draw(st.integers(0, len(columns))), extra)
    types = [type_of(schema, c) for c in columns]
    clean = draw(st.booleans())  # half the files have only valid or missing cells, so that more load
    cell = {t: VALID[t].map(lambda pair: pair[0]) | st.sampled_from(MISSING) if clean else fuzz_cell(t)
            for t in set(types)}
    rows = [[draw(cell[t]) for t in types] for _ in range(draw(st.integers(0, 4)))]
    if rows and draw(st.integers(0, 9)) == 0:  # a ragged row
        row = draw(st.sampled_from(rows))
        if draw(st.booleans()) or len(row) < 2:
            row.append("extra")
        else:
            row.pop()
    if rows and draw(st.integers(0, 14)) == 0:  # one huge cell
        row = draw(st.sampled_from(rows))
        row[draw(st.integers(0, len(row) - 1))] = draw(st.sampled_from(["x", "9", "é", "1,"])) * 100_000
    delimiter = draw(st.sampled_from(["\t", "\t", ",", ";"]))
    row_delimiter = delimiter if draw(st.integers(0, 5)) else draw(st.sampled_from(["\t", ",", ";", "|"]))
    quoting = draw(st.sampled_from(["none", "none", "minimal", "all", "broken"]))
    if quoting == "broken" and rows:
        row = draw(st.sampled_from(rows))
        i = draw(st.integers(0, len(row) - 1))
        row[i] = '"' + row[i]
    text = render(columns, rows, delimiter=delimiter, row_delimiter=row_delimiter,
                  quoting="none" if quoting == "broken" else quoting,
                  newline=draw(st.sampled_from(["\n", "\n", "\r\n"])))
    if not draw(st.integers(0, 5)):
        text = text.rstrip("\r\n")  # no newline at the end
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252", "cp932", "latin-1", "utf-16"]))
    data = encode(text, encoding)
    if not draw(st.integers(0, 6)):  # stray bytes that are not UTF-8
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\x80", b"\xc3", b"\x81\x8d", b"\xe3\x81", b"\x00"])) + data[at:]
    compression = draw(st.sampled_from(["none"] * 6 + ["gzip", "truncated_gzip"]))
    if compression != "none":
        data = gzip.compress(data, mtime=0)
        if compression == "truncated_gzip":
            data = data[: draw(st.integers(1, len(data) - 1))]
    description = (f"{source} {len(columns)} cols {len(rows)} rows delim={delimiter!r}/{row_delimiter!r} "
                   f"quoting={quoting} {encoding} {compression}")
    return data, description


def typed_row(draw, schema, columns: list[str], positions: dict[str, int], index: int):
    """Valid cells for one row, and the Python value each typed column should read back as."""
    cells, expected = [], {}
    identity = set(schema.not_empty) | set(schema.skip_if_missing) | set(schema.required)
    for i, raw in enumerate(columns):
        name = schema.canonical_for(raw)
        value_type = schema.column(name).type if name else "text"
        first = name is not None and positions[name] == i
        if name in schema.key and value_type == "text":
            cells.append(f"{name[:3]}-{index}")  # distinct keys, so every row is kept
            continue
        if name not in identity and draw(st.integers(0, 5)) == 0:
            cells.append(draw(st.sampled_from(MISSING)))
            if first and value_type != "text":
                expected[name] = None
            continue
        text, value = draw(VALID[value_type])
        cells.append(text)
        if first and value_type != "text":
            expected[name] = value
    return cells, expected


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- the database and its invariants -----------------------------------------------------------

TABLES = [f"{s.table}_rows" for s in SCHEMAS] + ["imports"]


def _hash_of(columns: list[str]) -> str:
    return f"coalesce(sum(hash({', '.join(columns)})), 0)"


CONTENT_COLUMNS = {f"{s.table}_rows": [n for n, _ in db.physical_columns(s) if n != "superseded_by"]
                   for s in SCHEMAS}


def state(con) -> dict:
    """Per table: rows, a checksum of all columns, a checksum without superseded_by, superseded rows."""
    parts = []
    for table in TABLES:
        content = CONTENT_COLUMNS.get(table)
        parts.append(
            f"SELECT '{table}' AS t, count(*) AS n, coalesce(sum(hash(x)), 0) AS whole, "
            + (f"{_hash_of(content)} AS content, count(superseded_by) AS superseded" if content
               else "0 AS content, 0 AS superseded") + f" FROM {table} x")
    return {r[0]: r[1:] for r in con.execute(" UNION ALL ".join(parts)).fetchall()}


@pytest.fixture
def base(tmp_path):
    """A database holding a base import (two overlapping orders files, a ledger, a cost sheet), and
    a connection kept open on it for the checks."""
    path = tmp_path / "fuzz.duckdb"
    files = [
        write_report(tmp_path / "orders-1.txt", header("orders_2026_34"),
                     [order_row("1", "A", status="Pending"), order_row("2", "B"), order_row("3", "A")], bom=True),
        write_report(tmp_path / "orders-2.txt", header("orders_2026_33"),
                     [order_row("1", "A"), order_row("4", "HK-1", qty=7)]),
        write_report(tmp_path / "ledger.txt", header("ledger_detail_2026_16"), [
            ledger_row("05/13/2026", "HK-0001", "Shipments", -3, ref="113-1"),
            ledger_row("05/13/2026", "HK-0001", "Receipts", 100, ref="FBA1")]),
        write_report(tmp_path / "costs.csv", ["sku", "unit_cost", "currency"],
                     [{"sku": "A", "unit_cost": "4.25", "currency": "USD"}], delimiter=","),
    ]
    for f in files:
        assert ingest.load_report(path, f, snapshot_date=SNAPSHOT).status == "loaded"
    con = duckdb.connect(str(path))
    try:
        yield path, con, state(con)
    finally:
        con.close()


def check_load(path: Path, con, before: dict, file: Path, name: str) -> ingest.LoadResult:
    """Load one file and assert every invariant of issue 7; leave the database as ``before`` (the
    base: every accepted file is removed again, so the base state holds between examples)."""
    result = ingest.load_report(path, file, file_name=name, snapshot_date=SNAPSHOT)
    assert result.file == name
    assert result.status in ("loaded", "unchanged", "rejected"), result
    event(f"status: {result.status}")
    if result.status == "rejected":
        assert result.errors and all(isinstance(e, str) and e.strip() for e in result.errors), result
        for error in result.errors:
            if "value(s) are not" in error or "every row needs a value" in error:
                assert re.match(r'Column "[^"]+"', error), error
        assert state(con) == before, "a rejected file changed the database"
        return result
    if result.status == "unchanged":  # only the base files' own bytes can be known already
        sha = hashlib.sha256(file.read_bytes()).hexdigest()
        assert con.execute("SELECT import_id FROM imports WHERE sha256 = $s", {"s": sha}).fetchone()[0] == result.import_id
        assert state(con) == before
        return result

    assert not result.errors
    new = result.import_id
    schema = BY_TYPE[result.report_type]
    rows = f"{schema.table}_rows"
    after = state(con)
    assert {t: v for t, v in after.items() if t not in (rows, "imports")} == \
           {t: v for t, v in before.items() if t not in (rows, "imports")}, "another table changed"
    # The rows it reports are the rows in the table; the rows it replaced are the earlier rows with its keys.
    assert con.execute(f"SELECT count(*) FROM {rows} WHERE import_id = {new}").fetchone()[0] == result.rows_loaded
    assert con.execute(f"SELECT count(*) FROM {rows} WHERE superseded_by = {new}").fetchone()[0] == result.rows_replaced
    content = CONTENT_COLUMNS[rows]
    n_old, old_content, old_superseded = con.execute(
        f"SELECT count(*), {_hash_of(content)}, count(superseded_by) FILTER (WHERE superseded_by <> {new}) "
        f"FROM {rows} WHERE import_id <> {new}").fetchone()
    assert (n_old, old_content, old_superseded) == (before[rows][0], before[rows][2], before[rows][3])
    wrong = con.execute(
        f"SELECT count(*) FILTER (WHERE old.superseded_by = {new} AND NOT EXISTS (SELECT 1 FROM {rows} AS new "
        f"  WHERE new.import_id = {new} AND {ingest.key_match(schema, 'old', 'new')})),"
        f" count(*) FILTER (WHERE old.superseded_by IS NULL AND EXISTS (SELECT 1 FROM {rows} AS new "
        f"  WHERE new.import_id = {new} AND {ingest.key_match(schema, 'old', 'new')}))"
        f" FROM {rows} AS old WHERE old.import_id <> {new}").fetchone()
    assert wrong == (0, 0), "rows replaced without a matching key, or left current despite one"
    # The imports ledger: earlier imports untouched, this one recorded as reported.
    assert con.execute(f"SELECT count(*), coalesce(sum(hash(x)), 0) FROM imports x WHERE import_id <> {new}"
                       ).fetchone() == before["imports"][:2]
    recorded = con.execute(f"SELECT file_name, sha256, row_count, rows_replaced FROM imports WHERE import_id = {new}"
                           ).fetchone()
    assert recorded == (name, hashlib.sha256(file.read_bytes()).hexdigest(), result.rows_loaded, result.rows_replaced)
    if schema.date_column:
        dates = con.execute(f"SELECT min({schema.date_column})::DATE::VARCHAR, max({schema.date_column})::DATE::VARCHAR "
                            f"FROM {rows} WHERE import_id = {new}").fetchone()
        assert (result.date_min, result.date_max) == dates
    # The same bytes again change nothing.
    again = ingest.load_report(path, file, file_name=name, snapshot_date=SNAPSHOT)
    assert (again.status, again.import_id, again.rows_loaded) == ("unchanged", new, 0)
    assert con.execute(f"SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM {rows})").fetchone() == \
           (after["imports"][0], after[rows][0])
    # Taking it out brings the base back exactly.
    ingest.remove_import(path, new)
    assert state(con) == before, "removing the import did not restore the base"
    return result


# --- 1. any file at all --------------------------------------------------------------------------

@settings(FUZZ, max_examples=200)
@given(case=fuzzed_files(), name=st.sampled_from(["report.txt", "Inventory Ledger (1).csv", "ステンレス.tsv"]))
@example(case=(b"\xef\xbb\xbf", "a lone UTF-8 BOM: IndexError in prepare_file"), name="bom.txt")
def test_any_file_loads_cleanly_or_is_rejected_with_reasons(base, tmp_path, case, name):
    path, con, before = base
    data, description = case
    file = write(tmp_path / "fuzzed.bin", data)
    try:
        check_load(path, con, before, file, name)
    except Exception as error:
        raise AssertionError(f"{description}: {error!r}") from error


# --- 2. real headers, nonsense values --------------------------------------------------------------

GARBAGE = st.one_of(
    st.sampled_from(NEAR_MISSES),
    st.builds(lambda a, b: a + "q" + b, *[st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=8)] * 2),
)
TYPED_SOURCES = sorted(s for s in SOURCES if any(c.type != "text" for c in SCHEMA_OF[s].columns))


@st.composite
def nonsense_files(draw):
    """A real header and valid rows, but random text in some cells of one typed column."""
    source = draw(st.sampled_from(TYPED_SOURCES))
    schema = SCHEMA_OF[source]
    columns = list(SOURCES[source]) if draw(st.booleans()) else draw(st.permutations(SOURCES[source]))
    positions = first_positions(schema, columns)
    rows = [typed_row(draw, schema, columns, positions, i)[0] for i in range(draw(st.integers(1, 3)))]
    typed = sorted(name for name in positions if schema.column(name).type != "text")
    target = draw(st.sampled_from(typed))
    bad_rows = draw(st.sets(st.integers(0, len(rows) - 1), min_size=1))
    for r in bad_rows:
        rows[r][positions[target]] = draw(GARBAGE)
    delimiter = draw(st.sampled_from(["\t", ",", ";"]))
    text = render(columns, rows, delimiter=delimiter, row_delimiter=delimiter,
                  quoting="none" if delimiter == "\t" else "minimal", newline="\n")
    return encode(text, draw(st.sampled_from(["utf-8", "utf-8-sig"]))), columns[positions[target]], source


@settings(FUZZ, max_examples=50)
@given(case=nonsense_files())
@example(case=(b"sku\tquantity\tchannel\nA\t1e999\tshop\n", "quantity", "other_channel_stock"))
@example(case=(b"sku\tquantity\tchannel\nA\t" + b"9" * 100_000 + b"\tshop\n", "quantity", "other_channel_stock"))
def test_nonsense_in_a_typed_column_is_rejected_naming_it(base, tmp_path, case):
    path, con, before = base
    data, column, source = case
    result = check_load(path, con, before, write(tmp_path / "nonsense.txt", data), "nonsense.txt")
    assert result.status == "rejected", (source, column, result)
    assert any(f'"{column}"' in e for e in result.errors), (column, result.errors)


# --- 3. every supported format reads back as written ----------------------------------------------

@st.composite
def valid_files(draw):
    source = draw(st.sampled_from(sorted(SOURCES)))
    schema = SCHEMA_OF[source]
    columns = choose_columns(draw, source)
    if detect(columns).schema is not schema:
        columns = list(SOURCES[source])
    positions = first_positions(schema, columns)
    rows, expected = [], []
    for i in range(draw(st.integers(1, 4))):
        cells, values_ = typed_row(draw, schema, columns, positions, i)
        rows.append(cells)
        expected.append(values_)
    delimiter = draw(st.sampled_from(["\t", ",", ";"]))
    if delimiter == "\t":
        rows = [[c.replace('"', "'") for c in r] for r in rows]  # tab files keep bare quotes, but not a wrapping pair
    text = render(columns, rows, delimiter=delimiter, row_delimiter=delimiter,
                  quoting="none" if delimiter == "\t" else draw(st.sampled_from(["minimal", "all"])),
                  newline=draw(st.sampled_from(["\n", "\r\n"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "cp932"]))
    try:
        data = text.encode(encoding) if encoding != "utf-8-sig" else encode(text, encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    if draw(st.booleans()):
        data = gzip.compress(data, mtime=0)
    return data, schema, expected


@settings(FUZZ, max_examples=30)
@given(case=valid_files())
def test_values_in_every_supported_format_load_as_written(base, tmp_path, case):
    path, con, before = base
    data, schema, expected = case
    file = write(tmp_path / "valid.txt", data)
    # Written month first: said so, for files whose dates could read either way (tests/test_dates_ambiguous.py).
    result = ingest.load_report(path, file, file_name="valid.txt", snapshot_date=SNAPSHOT, date_order="mdy")
    try:
        assert result.status == "loaded", result.errors
        assert result.rows_loaded == len(expected)
        names = sorted(expected[0])
        if names:
            got = con.execute(f"SELECT {', '.join(names)} FROM {schema.table}_rows "
                              f"WHERE import_id = {result.import_id} ORDER BY source_row").fetchall()
            for row, want in zip(got, expected):
                for name, value in zip(names, row):
                    wanted = want[name]
                    assert value == (pytest.approx(wanted, rel=1e-12) if isinstance(wanted, float) else wanted), \
                        (name, value, wanted)
    finally:
        if result.import_id and result.status == "loaded":
            ingest.remove_import(path, result.import_id)
    assert state(con) == before


# --- 3b. one encoding per file (issue 16) ---------------------------------------------------------------

ASCII_SKU = "ABCXYZ0189-_."
# cp1252's accented letters are all bytes of 0xC0 and up, so two of them in a row are never UTF-8; its
# symbols (® ™ €, bytes 0x80-0xBF) after a capital can be ("É®" is C9 AE, UTF-8 for "ɮ"): they go in
# the UTF-8 and UTF-16 files only, and the unit tests cover that case.
ACCENTS = "éÉüÜñÑçßøÀ"
SYMBOLS = "®™€"
KANA = "ステンレスあいう鍋"
ALPHABETS = {"utf-8": ASCII_SKU + ACCENTS + SYMBOLS + KANA, "cp1252": ASCII_SKU + ACCENTS,
             "cp932": ASCII_SKU + KANA, "mixed": ASCII_SKU + ACCENTS}
ENCODED = {"utf-8": lambda t: t.encode("utf-8"), "utf-8-sig": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
           "utf-16-le": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
           "utf-16-be": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
           "cp1252": lambda t: t.encode("cp1252"), "cp932": lambda t: t.encode("cp932")}


@st.composite
def encoded_files(draw):
    """(bytes, SKUs in file order, whether the file mixes UTF-8 and cp1252 text) of an other-channel
    stock file: one encoding for the whole file, or UTF-8 and cp1252 line by line ("mixed")."""
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp1252", "cp932", "mixed",
                                     "mixed"]))
    alphabet = ALPHABETS.get(encoding, ALPHABETS["utf-8"])
    skus = draw(st.lists(st.text(alphabet, min_size=1, max_size=12).filter(lambda t: t not in MISSING),
                         min_size=1, max_size=6, unique=True))
    if encoding == "cp932" and not any(c in "ステンレスあいう" for c in "".join(skus)):
        skus[0] = "ス" + skus[0]  # cp932 is told from cp1252 by its kana (docs/reports.md)
    both = encoding == "mixed" and draw(st.booleans())  # an accented line in each encoding, for sure
    if both:
        skus = list(dict.fromkeys(["É" + skus[0], *skus[1:], "ñ" + skus[-1]]))
    newlines = draw(st.lists(st.sampled_from(["\n", "\n", "\r\n"]), min_size=len(skus) + 1,
                             max_size=len(skus) + 1))
    lines = ["sku\tquantity\tchannel" + newlines[0]] + [
        f"{sku}\t{i}\tshop{newline}" for i, (sku, newline) in enumerate(zip(skus, newlines[1:]))]
    if encoding != "mixed":
        data = ENCODED[encoding]("".join(lines))
        mixed = False
    else:
        kinds = draw(st.lists(st.sampled_from(["utf-8", "cp1252"]), min_size=len(lines), max_size=len(lines)))
        if both:
            kinds[1], kinds[-1] = "utf-8", "cp1252"
        data = b"".join(line.encode(kind) for line, kind in zip(lines, kinds))
        accented = {kind for line, kind in zip(lines, kinds) if not line.isascii()}
        mixed = accented == {"utf-8", "cp1252"}
    if draw(st.integers(0, 3)) == 0:
        data = gzip.compress(data, mtime=0)
    return data, skus, mixed, encoding


@settings(FUZZ, max_examples=60)
@given(case=encoded_files())
@example(case=("sku\tquantity\tchannel\nCAFÉ-1\t1\tshop\n".encode() + "CAFÉ-2\t2\tshop\n".encode("cp1252"),
               ["CAFÉ-1", "CAFÉ-2"], True, "mixed"))
def test_every_sku_reads_back_in_its_encoding_or_a_mixed_file_is_refused(base, tmp_path, case):
    """Issue 16: the SKUs loaded are the SKUs written, whatever the one encoding of the file (UTF-8 with or
    without BOM, UTF-16 either way round, cp1252, cp932), gzip or not, with Windows and Unix line ends
    mixed; a file that is UTF-8 in some lines and cp1252 in others is refused, saying so, and changes
    nothing."""
    path, con, before = base
    data, skus, mixed, encoding = case
    file = write(tmp_path / "stock.txt", data)
    result = ingest.load_report(path, file, file_name="stock.txt", snapshot_date=SNAPSHOT)
    event(f"{encoding}: {result.status}")
    try:
        if mixed:
            assert result.status == "rejected", (encoding, result)
            assert len(result.errors) == 1 and result.errors[0].startswith("The file mixes two text encodings")
            assert state(con) == before
            return
        assert result.status == "loaded", (encoding, result.errors)
        got = con.execute(f"SELECT sku FROM other_channel_stock_rows WHERE import_id = {result.import_id} "
                          f"ORDER BY source_row").fetchall()
        assert [sku for (sku,) in got] == skus, encoding
    finally:
        if result.import_id and result.status == "loaded":
            ingest.remove_import(path, result.import_id)
    assert state(con) == before


# --- 4. the value rules on arbitrary text ------------------------------------------------------------

RULES = [name for name in values.PARSERS if name != "text"]


@pytest.fixture(scope="module")
def cells():
    """``evaluate(texts, rule=None)``: rows of every rule's value (or one rule's) for each text, as
    ingest computes them (typed rules read the present text). The all-rules query is prepared once:
    planning it is most of its cost."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TEMP TABLE cells (n INTEGER, v VARCHAR)")
    rules = ", ".join(f"{values.PARSERS[name]('p')} AS {name}" for name in RULES)
    con.execute(f"PREPARE every_rule AS SELECT {rules}, {values.parse_text('v')}, {values.is_days_plus('p')},"
                f" {values.unwrap_quotes('v')} FROM (SELECT n, v, {values.present('v')} AS p FROM cells) ORDER BY n")

    def evaluate(texts, rule=None):
        if rule is not None:
            return con.execute(f"SELECT {values.PARSERS[rule]('p')} FROM (SELECT {values.present('v')} AS p"
                               f" FROM (SELECT $v::VARCHAR AS v))", {"v": texts[0]}).fetchall()[0]
        con.execute("DELETE FROM cells")
        con.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(texts)))
        return con.execute("EXECUTE every_rule").fetchall()

    yield evaluate
    con.close()


@settings(FUZZ, max_examples=100)
@given(texts=st.lists(st.one_of(st.text(), st.sampled_from(NEAR_MISSES + MISSING),
                                st.from_regex(r"[+-]?[0-9,. ]{1,30}(e[+-]?[0-9]{1,4})?", fullmatch=True)),
                      min_size=1, max_size=30))
@example(texts=["1e999", "9" * 400, "-1e300", "99999999999999999999", "365+", "1,999,999,999,999,999,999,999"])
def test_every_value_rule_answers_or_says_null_never_raises(cells, texts):
    """A cell that does not parse is NULL (and so reported), never an error that aborts the load;
    and no number is read as infinity."""
    got = cells(texts)
    assert len(got) == len(texts)
    for row in got:
        assert all(v not in (float("inf"), float("-inf")) for v in row[: len(RULES)])


@settings(FUZZ, max_examples=350)
@given(value_type=st.sampled_from(["int", "count", "number", "money", "volume", "days"]), data=st.data())
def test_numbers_read_back_in_us_and_eu_conventions(cells, value_type, data):
    text, value = data.draw(VALID[value_type])
    assert cells([text], value_type)[0] == pytest.approx(value, rel=1e-12), text


@settings(FUZZ, max_examples=350)
@given(value_type=st.sampled_from(["date", "timestamp", "month"]), data=st.data())
def test_dates_read_back_in_every_supported_format(cells, value_type, data):
    text, value = data.draw(VALID[value_type])
    got = cells([text], value_type)[0]
    assert got == value, (text, got, value)


# --- 5. slash dates that may read day first or month first (issue 16) -----------------------------

@st.composite
def slash_date_ledgers(draw):
    """A ledger file whose Date column is written day first or month first, with or without its ISO
    Date and Time, a day above 12, a marketplace and a stated order; and the true dates."""
    order = draw(st.sampled_from(["dmy", "mdy"]))
    low_days = draw(st.booleans())  # every day 12 or less: each date reads both ways
    days = []
    for _ in range(draw(st.integers(1, 6))):
        day = draw(DATES)
        days.append(day.replace(day=draw(st.integers(1, 12))) if low_days else day)
    iso = draw(st.booleans())
    markets = {"dmy": ["DE", "UK", "FR", "Amazon.it"], "mdy": ["US", "CA", "Amazon.com"]}[order]
    market = draw(st.sampled_from([""] + markets + ["JP", "MX"]))
    stated = draw(st.sampled_from([None, order]))
    padded = draw(st.booleans())

    def written(d: dt.date) -> str:
        first, second = (d.day, d.month) if order == "dmy" else (d.month, d.day)
        return f"{first:02d}/{second:02d}/{d.year}" if padded else f"{first}/{second}/{d.year}"

    offset = draw(st.sampled_from(["-0700", "+0100", "+0900", "Z"]))
    rows = [ledger_row(written(d), f"SKU-{i:04d}", "Shipments", -1, ref=f"113-{i}", Country=market,
                       **{"Date and Time": f"{d.isoformat()}T00:00:00{offset}" if iso else ""})
            for i, d in enumerate(days)]
    evidence = (any(d.day > 12 for d in days) or (iso and any(d.day != d.month for d in days))
                or market in markets or stated is not None or all(d.day == d.month for d in days))
    return rows, days, stated, evidence, f"{order} iso={iso} market={market!r} stated={stated}"


@settings(FUZZ, max_examples=60)
@given(case=slash_date_ledgers())
def test_slash_dates_load_as_the_true_days_or_are_refused_as_ambiguous(base, tmp_path, case):
    """Never misdated: the loaded dates are the true ones, or the file is refused saying the dates
    cannot be told apart, exactly when nothing in the file or the load says which comes first."""
    path, con, before = base
    rows, days, stated, evidence, description = case
    file = write_report(tmp_path / "ledger.txt", header("ledger_detail_2026_16"), rows)
    result = ingest.load_report(path, file, date_order=stated)
    event(f"{result.status}, evidence: {evidence}")
    try:
        if not evidence:
            assert result.status == "rejected", (description, result)
            assert len(result.errors) == 1 and "no date in it tells the day from the month" in result.errors[0]
            assert state(con) == before
            return
        assert result.status == "loaded", (description, result.errors)
        got = con.execute(f"SELECT date FROM ledger_detail_rows WHERE import_id = {result.import_id} "
                          f"ORDER BY source_row").fetchall()
        assert [r[0] for r in got] == days, description
    finally:
        if result.status == "loaded":
            ingest.remove_import(path, result.import_id)
    assert state(con) == before
