"""Report file -> canonical rows -> DuckDB, one transaction per file.

The steps, in order:
1. ``prepare_file``: in one streaming pass, fingerprint the bytes (sha256), unwrap gzip (within a
   ratio cap), check the header and line lengths, and decide the one encoding of the whole file (UTF-8
   with or without BOM, UTF-16, else cp932 for Japanese text, else cp1252; UTF-8 in parts and
   something else in others is rejected); turn an XLSX cost sheet into a tab file, and anything not
   UTF-8 (or with mixed line ends) into a UTF-8 copy, a chunk at a time; sniff the delimiter (tab,
   comma or semicolon) from the header line and read the header (at most ``MAX_COLUMNS`` columns).
   The limits are in docs/reports.md, "File limits".
2. ``core.schemas.detect`` recognises the report by its header names.
3. One DuckDB statement reads the data rows and types every cell (quotes honoured for
   comma/semicolon files; for tab files see ``core.values.unwrap_quotes``) into a temp table; every
   cell is checked against its column's value type, and the file is rejected with examples if any
   present value does not parse.
4. In one transaction the rows are inserted, rows of earlier imports with the same natural key are
   marked as replaced, and the import is recorded. All of it or none of it.

Loading a file whose sha256 is already recorded changes nothing and says ``unchanged``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from core import db, display, report_dates
from core.schemas import BY_TYPE, SCHEMAS, ReportSchema, detect
from core.values import EXPECTED, PARSERS, is_days_plus, is_missing, present, sql_str, unwrap_quotes

Progress = Callable[[float, str], None]

EXAMPLES_SHOWN = 3
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
# Full-width hiragana and katakana. Kanji alone are no evidence: Western cp1252 text such as "Crème"
# also decodes as cp932, into kanji; half-width katakana share their bytes with cp1252's accented capitals.
_KANA = re.compile(r"[\u3040-\u30ff]")
# The cost-sheet template as bundled: its example rows are not anyone's costs.
_TEMPLATE = Path(__file__).resolve().parent.parent / "sample_data" / "product_costs_template.csv"


class RejectedFile(Exception):
    """A file that cannot be loaded; ``errors`` say why in plain words."""

    def __init__(self, errors: list[str], report_type: str | None = None):
        super().__init__("; ".join(errors))
        self.errors = errors
        self.report_type = report_type


@dataclass(frozen=True)
class LoadResult:
    """What happened to one file. The JSON form is the ``fba-health load --json`` contract."""

    file: str
    report_type: str | None
    status: str  # loaded | unchanged | rejected | failed (the database could not take it: disk full)
    rows_loaded: int = 0
    rows_replaced: int = 0
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    import_id: int | None = None
    date_min: str | None = None
    date_max: str | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["errors"] = list(self.errors)
        data["warnings"] = list(self.warnings)
        return data


@dataclass
class PreparedFile:
    """A file made ready for DuckDB's reader, with what we learned about it."""

    name: str
    sha256: str
    read_path: Path  # what DuckDB reads: the original file, or a UTF-8 copy
    compression: str  # 'gzip' or 'none'
    encoding: str
    delimiter: str
    quoted: bool
    header: list[str]
    workdir: Path | None = field(default=None, repr=False)

    def cleanup(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


# --- step 1: bytes to a readable file -----------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# What an Excel cost sheet may expand to, checked in the zip directory before openpyxl reads a byte of
# it (sizes uncompressed; Python's zip reader never yields more than a member declares, so the
# declared sizes bound what is read). A 10,000-SKU sheet is about 3.5 MB of sheet XML.
XLSX_MAX_BYTES = 64 * 2**20  # every part read (.xml and .rels) together
XLSX_MAX_SHEET_BYTES = 40 * 2**20  # one worksheet's XML (streamed)
XLSX_MAX_STRINGS_BYTES = 16 * 2**20  # the shared-strings table (held in memory whole)
XLSX_MAX_PART_BYTES = 4 * 2**20  # any other part (styles, workbook, ...: parsed whole)
XLSX_MAX_RATIO = 100  # uncompressed / compressed size of a part over XLSX_RATIO_FROM_BYTES (sheets: 10-15)
XLSX_RATIO_FROM_BYTES = 2**20
XLSX_MAX_MEMBERS = 1000
XLSX_MAX_ROWS = 100_000  # rows of the sheet, counted from row 1
XLSX_MAX_COLUMNS = 100
XLSX_MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
_SAVE_AS_CSV = "Save the sheet as CSV (File > Save As > CSV) and load that"


def _mb(size: int) -> str:
    """A size in words: 3 KB, 4.0 MB, 1.0 GB."""
    if size < 2**20:
        return f"{max(size / 2**10, 1):,.0f} KB"
    return f"{size / 2**20:,.1f} MB" if size < 2**30 else f"{size / 2**30:,.1f} GB"


def _check_xlsx_parts(source: Path) -> None:
    """Refuse a workbook whose zip directory says it would expand past the caps (a zip bomb, or a sheet
    far larger than any cost sheet), before any part is decompressed."""
    import zipfile

    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise RejectedFile([f"The Excel file could not be opened as a workbook (a damaged zip: {error})."])
    if len(members) > XLSX_MAX_MEMBERS:
        raise RejectedFile([f"The Excel file holds {len(members):,} parts; a cost sheet has a few dozen at "
                            f"most (the limit is {XLSX_MAX_MEMBERS:,}). {_SAVE_AS_CSV}."])
    read = [m for m in members if m.filename.lower().endswith((".xml", ".rels"))]  # images etc. are not read
    for member in read:
        name = member.filename.lower()
        if name.startswith("xl/worksheets/"):
            cap, what = XLSX_MAX_SHEET_BYTES, f"The sheet part {member.filename}"
        elif name.endswith("sharedstrings.xml"):
            cap, what = XLSX_MAX_STRINGS_BYTES, "The Excel file's text (its shared strings)"
        else:
            cap, what = XLSX_MAX_PART_BYTES, f"The part {member.filename} of the Excel file"
        if member.file_size > cap:
            raise RejectedFile([f"{what} would expand to {_mb(member.file_size)}; a cost sheet's is at most "
                                f"{_mb(cap)}. {_SAVE_AS_CSV}, or remove what makes it so large (very long "
                                f"cells, pictures pasted as text, other sheets)."])
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > XLSX_RATIO_FROM_BYTES and ratio > XLSX_MAX_RATIO:
            raise RejectedFile([f"The part {member.filename} of the Excel file expands {ratio:,.0f} times "
                                f"(from {_mb(member.compress_size)} to {_mb(member.file_size)}); real sheets "
                                f"expand about 10 times and at most {XLSX_MAX_RATIO:,}. The file looks built "
                                f"to exhaust memory. {_SAVE_AS_CSV}."])
    total = sum(m.file_size for m in read)
    if total > XLSX_MAX_BYTES:
        raise RejectedFile([f"The Excel file would expand to {_mb(total)}; a cost sheet is at most "
                            f"{_mb(XLSX_MAX_BYTES)}. {_SAVE_AS_CSV}, or remove the other sheets."])


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _formulas_without_values(archive, part: str) -> dict[str, list[int]]:
    """Column letter -> row numbers of the cells of worksheet ``part`` that hold a formula with no saved
    value (a sheet written by a program and never opened in Excel): read with ``data_only`` they would
    be empty. A formula whose saved value is empty text (``t="str"``) has a value."""
    import xml.etree.ElementTree as ElementTree

    with archive.open(part) as handle:  # most sheets hold no formula at all: a byte scan says so
        tail, found = b"", False
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            if _FORMULA_TAG.search(tail + chunk):
                found = True
                break
            tail = chunk[-16:]
    if not found:
        return {}
    missing: dict[str, list[int]] = {}
    with archive.open(part) as handle:
        for _, element in ElementTree.iterparse(handle):
            if element.tag.rpartition("}")[2] != "c":
                continue
            children = {child.tag.rpartition("}")[2]: child for child in element}
            if "f" in children and element.get("t") != "str" and not (
                    "v" in children and (children["v"].text or "").strip()):
                found_ref = re.fullmatch(r"([A-Z]+)(\d+)", element.get("r") or "")
                if found_ref:
                    missing.setdefault(found_ref.group(1), []).append(int(found_ref.group(2)))
            element.clear()
    return missing


def _cells_named(column: str, rows: list[int]) -> str:
    """``D2:D40`` for a run of rows, else the first few cells."""
    if rows[-1] - rows[0] + 1 == len(rows):
        return f"{column}{rows[0]}" if len(rows) == 1 else f"{column}{rows[0]}:{column}{rows[-1]}"
    shown = ", ".join(f"{column}{r}" for r in rows[:3])
    return shown + (f" and {len(rows) - 3:,} more" if len(rows) > 3 else "")


def _xlsx_to_tsv(source: Path, target: Path) -> None:
    """Write the first sheet (or one named product_costs) of a workbook as a UTF-8 tab file.

    Refused with a reason: a workbook that would expand past the ``XLSX_MAX_*`` caps (checked before
    it is parsed), more than ``XLSX_MAX_ROWS`` rows or ``XLSX_MAX_COLUMNS`` columns, a cell longer than
    Excel allows, formulas without saved values, an empty sheet or one with a header and no rows.
    """
    import openpyxl  # only cost sheets come as XLSX
    from openpyxl.utils import column_index_from_string, get_column_letter

    _check_xlsx_parts(source)
    try:
        # A file object, not the path: openpyxl judges a path by its extension, and an upload's temp
        # copy may have none.
        book = openpyxl.load_workbook(source.open("rb"), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise RejectedFile([f"The Excel file could not be opened as a workbook ({error})."])
    try:
        if not book.worksheets:
            raise RejectedFile(["The Excel file has no worksheet (only charts): put the costs on a sheet."])
        sheet = book["product_costs"] if "product_costs" in book.sheetnames else book.worksheets[0]
        named = f'The sheet "{sheet.title}" of the Excel file'

        def cell(value) -> str:
            if value is None:
                return ""
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            if isinstance(value, dt.datetime | dt.date):
                return value.isoformat()
            return re.sub(r"[\t\r\n]+", " ", str(value))

        lines: list[list[str]] = []
        width = 0
        for number, row in enumerate(sheet.iter_rows(max_col=XLSX_MAX_COLUMNS + 1, values_only=True), 1):
            if row.count(None) == len(row):  # quick for the blank rows a sheet may claim by the million
                continue
            cells = [cell(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            if number > XLSX_MAX_ROWS:
                raise RejectedFile([f"{named} has rows past row {XLSX_MAX_ROWS:,}; a cost sheet has one row "
                                    f"per SKU, at most {XLSX_MAX_ROWS:,}. {_SAVE_AS_CSV}."])
            if len(cells) > XLSX_MAX_COLUMNS:
                raise RejectedFile([f"{named} has values past column {XLSX_MAX_COLUMNS} "
                                    f"({get_column_letter(XLSX_MAX_COLUMNS + 1)}{number}); a cost sheet has "
                                    f"a few columns (sku, unit_cost, ...). Remove the others."])
            longest = max(range(len(cells)), key=lambda j: len(cells[j]))
            if len(cells[longest]) > XLSX_MAX_CELL_CHARS:
                raise RejectedFile([f"{named}: cell {get_column_letter(longest + 1)}{number} holds "
                                    f"{len(cells[longest]):,} characters; a cell holds at most "
                                    f"{XLSX_MAX_CELL_CHARS:,}."])
            width = max(width, len(cells))
            lines.append(cells)
        missing = _formulas_without_values(book._archive, sheet._worksheet_path)
    finally:
        book.close()
    if missing:
        header = lines[0] if lines else []
        parts = []
        for column in sorted(missing, key=column_index_from_string):
            index = column_index_from_string(column) - 1
            title = f'"{header[index]}" ' if index < len(header) and header[index] else ""
            parts.append(f"column {title}cells {_cells_named(column, sorted(missing[column]))}")
        raise RejectedFile([f"{named} holds formulas without saved values ({'; '.join(parts)}): it was "
                            f"written by a program and never saved by Excel, so those cells would load "
                            f"empty. Open it in Excel (or LibreOffice) and save it, or save it as CSV, "
                            f"then load it again."])
    if not lines:
        raise RejectedFile([f"{named} is empty: put a header row (sku, unit_cost, ...) and one row per SKU "
                            f"on the first sheet, or on a sheet named product_costs."])
    if len(lines) == 1:
        raise RejectedFile([f"{named} has a header row and no rows below it: add one row per SKU."])
    with target.open("w", encoding="utf-8", newline="") as out:
        for cells in lines:
            out.write("\t".join(cells + [""] * (width - len(cells))) + "\n")


def _sniff_delimiter(line: str) -> str:
    """Tab when the header has a tab (Amazon's flat files), else the commoner of comma and semicolon."""
    if "\t" in line:
        return "\t"
    return ";" if line.count(";") > line.count(",") else ","


def _split_header(line: str, delimiter: str, quoted: bool) -> list[str]:
    if quoted:
        return next(csv.reader([line], delimiter=delimiter, quotechar='"'))
    return [h[1:-1] if len(h) >= 2 and h[0] == h[-1] == '"' else h for h in line.split(delimiter)]


def _read_header(first_line: str) -> tuple[str, bool, list[str]]:
    """The header line's delimiter, whether its cells are quoted, and its column names (BOM stripped)."""
    delimiter = _sniff_delimiter(first_line)
    quoted = delimiter != "\t" or first_line.startswith('"')
    names = [h.replace("\ufeff", "").strip() for h in _split_header(first_line, delimiter, quoted)]
    return delimiter, quoted, names


# --- limits on what a file may be (docs/reports.md, "Limits") ---------------------------------------
# Each can be lowered for a test, or raised, by an environment variable of its name with FBA_HEALTH_ in
# front (FBA_HEALTH_GZIP_MAX_RATIO=200). The Python side of a load holds at most a few chunks of a
# file at once, whatever its size: it reads, checks, unpacks and converts CHUNK_BYTES at a time.
CHUNK_BYTES = 1 << 20
HEADER_MAX_BYTES = 1 << 20  # the header line
MAX_LINE_BYTES = 10_000_000  # any line (also DuckDB's max_line_size)
# A gzip file may unpack to max(GZIP_RATIO_FLOOR_BYTES, GZIP_MAX_RATIO x its own size); real reports
# compress 5 to 20 times.
GZIP_MAX_RATIO = 100
GZIP_RATIO_FLOOR_BYTES = 256 << 20
# The widest report we read has this many known columns; a header with more than MAX_COLUMNS is refused
# before any row is read (DuckDB's planning alone grows with the column count: 8,000 columns took minutes).
WIDEST_SCHEMA = max(len(s.columns) for s in SCHEMAS)
MAX_COLUMNS = max(4 * WIDEST_SCHEMA, 500)
SHOWN_CHARS = 80  # the most of a file's own text an error message quotes

_LIMITS = ("CHUNK_BYTES", "HEADER_MAX_BYTES", "MAX_LINE_BYTES", "GZIP_MAX_RATIO", "GZIP_RATIO_FLOOR_BYTES",
           "MAX_COLUMNS")


def _limit(name: str) -> int:
    """The limit ``name`` of this module, or its ``FBA_HEALTH_<name>`` override (a whole number)."""
    assert name in _LIMITS
    value = os.environ.get(f"FBA_HEALTH_{name}", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else globals()[name]


def _shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """A file's own text as an error message may quote it: printable characters only, at most ``limit``."""
    clean = "".join(c if c.isprintable() else "?" for c in text[: limit + 1])
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def _size(n_bytes: int) -> str:
    """A size in words: 850 bytes, 12 KB, 2.5 MB, 340 MB."""
    if n_bytes < 1000:
        return f"{n_bytes} bytes"
    if n_bytes < 1e6:
        return f"{n_bytes / 1e3:,.0f} KB"
    return f"{n_bytes / 1e6:,.1f} MB" if n_bytes < 10e6 else f"{n_bytes / 1e6:,.0f} MB"


def _chunks(path: Path, compression: str, hasher=None, size: int | None = None) -> Iterator[bytes]:
    """The file's bytes, gunzipped when ``compression`` is 'gzip', ``CHUNK_BYTES`` (or ``size``) at a time.

    The raw bytes go to ``hasher`` as they are read. A gzip file that is damaged, cut short, followed by
    other data, or unpacks past ``max(GZIP_RATIO_FLOOR_BYTES, GZIP_MAX_RATIO x its size)`` raises
    ``RejectedFile`` as soon as that is known. Several gzip members one after another are one stream.
    """
    size = size or _limit("CHUNK_BYTES")
    with path.open("rb") as handle:
        if compression != "gzip":
            while raw := handle.read(size):
                if hasher is not None:
                    hasher.update(raw)
                yield raw
            return
        packed = path.stat().st_size
        ratio = _limit("GZIP_MAX_RATIO")
        allowed = max(_limit("GZIP_RATIO_FLOOR_BYTES"), ratio * packed)
        unpacked = 0
        stream = zlib.decompressobj(wbits=31)
        while raw := handle.read(size):
            if hasher is not None:
                hasher.update(raw)
            data = raw
            while data:
                if stream.eof:  # another member, or something that is not gzip
                    if data[:1] != _GZIP_MAGIC[:1]:
                        raise RejectedFile(["The gzip file is damaged: other data follows the end of its "
                                            "compressed text."])
                    stream = zlib.decompressobj(wbits=31)
                try:
                    out = stream.decompress(data, size)
                except zlib.error as error:
                    raise RejectedFile([f"The gzip file is damaged ({_shown(str(error))})."])
                data = stream.unused_data if stream.eof else stream.unconsumed_tail
                unpacked += len(out)
                if unpacked > allowed:
                    raise RejectedFile([
                        f"The gzip file unpacks to more than {_size(allowed)} from {_size(packed)}, over "
                        f"{ratio} times its size; reports compress 5 to 20 times, so it was not read further "
                        f"(a damaged file or a zip bomb). If it is a real report, unzip it and load the "
                        f"text file."])
                if out:
                    yield out
        if not stream.eof:
            raise RejectedFile(["The gzip file is cut short: its compressed text ends before its end mark "
                                "(download it again)."])


@dataclass
class _Scan:
    """What one pass over a file's unpacked bytes found."""

    head: bytes  # the header line, its line end left off
    utf16: bool  # the file starts with a UTF-16 byte-order mark (the rest was not looked at)
    utf8: bool  # every byte sequence of the file is UTF-8
    bad_at: int | None = None  # offset of the first byte that is not UTF-8
    bad_context: bytes = b""  # the bytes around it
    mixed_line_ends: bool = False  # both Windows (CR LF) and Unix (LF) line ends


def _scan(path: Path, compression: str, hasher=None) -> _Scan:
    """One streaming pass: the header line (up to ``HEADER_MAX_BYTES``), whether the whole file is UTF-8,
    whether it mixes line ends, and that no line is longer than ``MAX_LINE_BYTES``.

    A header or line that is too long raises ``RejectedFile`` at once, naming the line. The check costs
    little beside reading the bytes: CPython's UTF-8 decoder checks 256 MB of report text in 0.04 s.
    """
    header_max, line_max = _limit("HEADER_MAX_BYTES"), _limit("MAX_LINE_BYTES")
    chunk_size = min(_limit("CHUNK_BYTES"), line_max)  # so that a line inside one chunk is short enough
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    head, head_done, utf16, utf8 = bytearray(), False, False, True
    bad_at, bad_context = None, b""
    offset = 0  # of the chunk in the unpacked stream
    line_start = 0  # offset where the current line starts
    crlf = bare_lf = cr_before = False
    for chunk in _chunks(path, compression, hasher, chunk_size):
        if offset == 0 and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            utf16 = True
        if utf16:  # read on only for the fingerprint and the gzip caps; the UTF-8 copy is scanned instead
            offset += len(chunk)
            continue
        if utf8:
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                utf8 = False
                bad_at = offset - pending + error.start
                bad_context = _cell_around(chunk, max(error.start - pending, 0))
        if not head_done:
            ends = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
            head += chunk[: min(ends)] if ends else chunk
            head_done = bool(ends)
            if len(head) > header_max:
                raise RejectedFile([f"The header line is longer than {_size(header_max)} (no line end in "
                                    f"its first {_size(header_max)}): this is not a report file."])
        first_lf = chunk.find(b"\n")
        if first_lf < 0:
            if offset + len(chunk) - line_start > line_max:
                raise _too_long(path, compression, line_start, line_max)
        else:
            if offset + first_lf - line_start > line_max:
                raise _too_long(path, compression, line_start, line_max)
            line_start = offset + chunk.rfind(b"\n") + 1
        if not (crlf and bare_lf):
            if chunk.find(b"\r") >= 0 or cr_before:
                pairs = chunk.count(b"\r\n") + (cr_before and chunk.startswith(b"\n"))
                crlf = crlf or pairs > 0
                bare_lf = bare_lf or chunk.count(b"\n") > pairs
            else:
                bare_lf = bare_lf or first_lf >= 0
            cr_before = chunk.endswith(b"\r")
        offset += len(chunk)
    if utf8 and not utf16:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:  # a character cut short at the very end
            utf8, bad_at, bad_context = False, offset - len(decoder.getstate()[0]), b""
    return _Scan(bytes(head), utf16, utf8, bad_at, bad_context, crlf and bare_lf)


def _line_number(path: Path, compression: str, offset: int) -> int:
    """The line (from 1) that holds byte ``offset`` of the unpacked file."""
    lines, seen = 1, 0
    for chunk in _chunks(path, compression):
        if seen + len(chunk) > offset:
            return lines + chunk.count(b"\n", 0, offset - seen)
        lines += chunk.count(b"\n")
        seen += len(chunk)
    return lines


def _too_long(path: Path, compression: str, line_start: int, line_max: int) -> RejectedFile:
    """The rejection of a line longer than ``line_max``: its number, and its length (measured up to ten
    times the limit)."""
    line, seen, length, cap = 1, 0, 0, 10 * line_max
    for chunk in _chunks(path, compression):
        if seen + len(chunk) <= line_start:
            line += chunk.count(b"\n")
        else:
            part = chunk[max(line_start - seen, 0):]
            line += chunk.count(b"\n", 0, max(line_start - seen, 0))
            end = part.find(b"\n")
            length += end if end >= 0 else len(part)
            if end >= 0 or length > cap:
                break
        seen += len(chunk)
    how_long = f"{_size(length)} long" if length <= cap else f"over {_size(cap)} long"
    return RejectedFile([f"Line {line:,} is {how_long}, longer than any report line can be (the limit is "
                         f"{_size(line_max)}): the file is damaged, or it is not a report file."])


# Well-formed UTF-8 that Windows-1252 text all but never holds by chance: a two-byte character of
# U+0080-U+017F (é, ü, ł: lead bytes Â Ã Ä Å followed by a symbol byte) or any three- or four-byte
# character (’, €, kana, CJK). Left out: two-byte characters from U+0180 on, whose bytes are a capital
# such as É followed by ® or ™ ("NESCAFÉ®" is C9 AE, UTF-8 for "ɮ").
_UTF8_EVIDENCE = re.compile(
    rb"[\xc2-\xc5][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def _cell_around(data: bytes, at: int) -> bytes:
    """The cell of ``data`` that holds byte ``at``: up to the nearest delimiter or line end either side
    (at most 60 bytes each way)."""
    ends = re.compile(rb"[\t,;\r\n]")
    left = data[max(at - 60, 0): at]
    right = data[at: at + 60]
    cut_left = max((m.end() for m in ends.finditer(left)), default=0)
    cut_right = next((m.start() for m in ends.finditer(right)), len(right))
    return (left[cut_left:] + right[:cut_right]).strip()


def _legacy_encoding(path: Path, compression: str, scan: _Scan) -> str:
    """The one encoding of a file that is not UTF-8 throughout, decided on the whole file in one pass.

    cp932 when all of it decodes as cp932 and it has kana (Japanese); else, if it also holds UTF-8 text
    (see ``_UTF8_EVIDENCE``), it is UTF-8 in parts and something else in others, and ``RejectedFile``
    says where; else cp1252 (Latin-1 when it has a byte cp1252 leaves undefined).
    """
    cp932 = codecs.getincrementaldecoder("cp932")("strict")
    cp932_ok, kana, undefined = True, False, False
    evidence_at, evidence = None, b""
    offset, carry = 0, b""
    for chunk in _chunks(path, compression):
        if cp932_ok:
            try:
                kana = bool(_KANA.search(cp932.decode(chunk))) or kana
            except UnicodeDecodeError:
                cp932_ok = False
        undefined = undefined or any(b in chunk for b in _CP1252_UNDEFINED)
        if evidence_at is None:
            window = carry + chunk
            found = _UTF8_EVIDENCE.search(window)
            if found:
                evidence_at = offset - len(carry) + found.start()
                evidence = _cell_around(window, found.start())
            carry = chunk[-3:]
        offset += len(chunk)
        if not cp932_ok and evidence_at is not None:
            break  # mixed: nothing more to learn
    if cp932_ok:
        try:
            cp932.decode(b"", final=True)
        except UnicodeDecodeError:
            cp932_ok = False
    if cp932_ok and kana:
        return "cp932"
    if evidence_at is not None:
        good = _line_number(path, compression, evidence_at)
        bad = _line_number(path, compression, scan.bad_at or 0)
        raise RejectedFile([
            f'The file mixes two text encodings, so no single one reads all of it right: line {good:,} has '
            f'"{_shown(evidence.decode("utf-8", errors="replace"), 40)}" in UTF-8, but line {bad:,} has '
            f'"{_shown(scan.bad_context.decode("cp1252", errors="replace"), 40)}" in another encoding '
            f"(Windows-1252 as far as we can tell). Open the file in a text editor or Excel, save it again "
            f"as UTF-8, and load it again."])
    return "latin-1" if undefined else "cp1252"


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the header line's bytes alternate NUL and ASCII, as UTF-16 does."""
    sample = head[:200]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _utf8_copy(path: Path, compression: str, encoding: str, workdir: Path) -> Path:
    """Decode the file as ``encoding`` into a UTF-8 copy with Unix line ends, one chunk at a time.

    Windows line ends (CR LF) become LF; a carriage return on its own is left as it is.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    copy = workdir / "utf8.txt"
    cr_before = False
    try:
        with copy.open("w", encoding="utf-8", newline="") as out:
            for chunk in _chunks(path, compression):
                text = ("\r" if cr_before else "") + decoder.decode(chunk)
                cr_before = text.endswith("\r")
                out.write((text[:-1] if cr_before else text).replace("\r\n", "\n"))
            out.write((decoder.decode(b"", final=True) + ("\r" if cr_before else "")).replace("\r\n", "\n"))
    except UnicodeDecodeError as error:
        name = "UTF-16" if encoding.startswith("utf-16") else encoding
        raise RejectedFile([f"The file is not valid {name} throughout ({_shown(error.reason)}): save it "
                            f"again as UTF-8 and load it again."])
    return copy


def prepare_file(path: Path, name: str | None = None) -> PreparedFile:
    """Fingerprint, decompress, decode and sniff one file; raise ``RejectedFile`` if it is unreadable.

    One streaming pass fingerprints the bytes and checks the unpacked text (``_scan``); a file that is
    not UTF-8 throughout, is UTF-16, or mixes line ends gets a UTF-8 copy with Unix line ends, written
    one chunk at a time, which is scanned in turn. Nothing holds more than a few chunks in memory.
    """
    name = name or path.name
    if path.stat().st_size == 0:
        raise RejectedFile(["The file is empty (0 bytes)."])
    with path.open("rb") as handle:
        magic = handle.read(4)
    workdir = Path(tempfile.mkdtemp(prefix="fba-ingest-"))
    try:
        read_path, compression = path, "none"
        hasher = hashlib.sha256()
        if magic.startswith(_ZIP_MAGIC):
            sha, hasher = _sha256(path), None
            read_path = workdir / "sheet.tsv"
            _xlsx_to_tsv(path, read_path)
        elif magic.startswith(_GZIP_MAGIC):
            compression = "gzip"
        scan = _scan(read_path, compression, hasher)
        if hasher is not None:
            sha = hasher.hexdigest()
        if scan.utf16:
            encoding = "utf-16"
        elif scan.utf8:
            encoding = "utf-8-sig" if scan.head.startswith(codecs.BOM_UTF8) else "utf-8"
        else:
            encoding = _utf16_without_bom(scan.head) or _legacy_encoding(read_path, compression, scan)
        if encoding not in ("utf-8", "utf-8-sig") or scan.mixed_line_ends:
            read_path = _utf8_copy(read_path, compression, encoding, workdir)
            compression = "none"
            scan = _scan(read_path, compression)
        first_line = scan.head.decode("utf-8", errors="replace").lstrip("\ufeff")
        if not first_line.strip():
            raise RejectedFile(["The file has no header line: the first line is empty."])
        if "\x00" in first_line:
            raise RejectedFile(["The header line holds NUL bytes: this is not a text file. Save it as UTF-8 "
                                "text (or Unicode Text) and load it again."])
        try:
            delimiter, quoted, header = _read_header(first_line)
        except csv.Error:  # a quoted name past the csv module's field limit
            raise RejectedFile(["The header line could not be read: a column name is longer than 128 KB. "
                                "This is not a report file."])
        if len(header) > _limit("MAX_COLUMNS"):
            raise RejectedFile([
                f"The header has {len(header):,} columns; no report we read has more than {WIDEST_SCHEMA} "
                f"known columns, and a header with more than {_limit('MAX_COLUMNS'):,} is refused before "
                f"any row is read. This is not a report file, or its delimiter is wrong."])
        return PreparedFile(name, sha, read_path, compression, encoding, delimiter, quoted, header, workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


@dataclass(frozen=True)
class ReportPeek:
    """What a file is, read from its first bytes only (before loading, to ask for a date)."""

    report_type: str | None
    title: str | None
    needs_date: bool  # a report with no date of its own (Manage Inventory, Restock, Fee Preview)
    snapshot_dates: tuple[dt.date, ...] = ()  # the stock snapshot dates in its first rows (FBA Inventory)
    error: str | None = None


PEEK_BYTES = 1 << 20


def peek_head(raw: bytes, name: str) -> ReportPeek:
    """Recognise a file from its first bytes (``PEEK_BYTES`` of it, gzip or not) without loading it,
    and read the stock snapshot dates of its first rows; never raises for a bad file, and reads at
    most ``PEEK_BYTES`` of unpacked text whatever the gzip ratio."""
    try:
        return _peek(raw[:PEEK_BYTES])
    except Exception:  # a guess before loading: the load itself says what is wrong
        return ReportPeek(None, None, False, error="the file could not be read")


def _peek(raw: bytes) -> ReportPeek:
    if raw.startswith(_ZIP_MAGIC):
        return ReportPeek(None, "Excel workbook", False)
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = zlib.decompressobj(wbits=31).decompress(raw, PEEK_BYTES)
        except zlib.error:
            return ReportPeek(None, None, False, error="the gzip file is damaged")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw[: len(raw) // 2 * 2].decode("utf-16", errors="replace")
    else:
        encoding = _utf16_without_bom(raw[:200])
        if encoding:
            text = raw[: len(raw) // 2 * 2].decode(encoding, errors="replace")
        else:
            try:
                codecs.getincrementaldecoder("utf-8")("strict").decode(raw, final=False)
                text = raw.decode("utf-8", errors="replace")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    first_end = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=-1)
    if first_end < 0 and len(raw) >= PEEK_BYTES:
        return ReportPeek(None, None, False, error="the header line is too long")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return ReportPeek(None, None, False, error="no header line")
    delimiter, quoted, header = _read_header(lines[0])
    if len(header) > _limit("MAX_COLUMNS"):
        return ReportPeek(None, None, False, error=f"{len(header):,} columns, far more than any report")
    schema = detect(header).schema
    if schema is None:
        return ReportPeek(None, None, False, error="not a report we recognise")
    dates: set[dt.date] = set()
    position = _column_map(schema, header)[0].get("snapshot_date")
    if not schema.snapshot_from_load and position is not None:
        for line in lines[1:-1]:  # the last line may be cut short
            try:
                cells = _split_header(line, delimiter, quoted)
            except csv.Error:  # a cell past the csv module's field limit (128 KB)
                continue
            found = re.match(r"\s*(\d{4}-\d{2}-\d{2})", cells[position]) if position < len(cells) else None
            if found:
                dates.add(dt.date.fromisoformat(found.group(1)))
    return ReportPeek(schema.report_type, schema.title, schema.snapshot_from_load and position is None,
                      tuple(sorted(dates)))


def peek_report(path: Path, name: str | None = None) -> ReportPeek:
    """``peek_head`` of a file on disk."""
    with path.open("rb") as handle:
        return peek_head(handle.read(PEEK_BYTES), name or path.name)


# --- step 3: read and check ---------------------------------------------------------------------

def _stage(con: duckdb.DuckDBPyConnection, schema: ReportSchema, prepared: PreparedFile,
           mapping: dict[str, int], unknown: list[int], snapshot_date: dt.date) -> None:
    """Read and type every data row, in one pass, into the temp table ``stage_rows`` (rowid = file order).

    Each column of the report gets its canonical name and type (a column the file lacks is NULL, or
    the snapshot date). A typed column also keeps its raw cell as ``raw_<name>``: the checks tell a
    missing value from one that does not parse by it, and quote it. Unknown named columns are kept in
    ``extra`` as JSON. Reading and parsing in one statement lets DuckDB do both in parallel, and
    parses each value once.
    """
    n = len(prepared.header)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    quote = "'\"'" if prepared.quoted else "''"
    cells = [f"c{i}" if prepared.quoted else f"{unwrap_quotes(f'c{i}')} AS c{i}" for i in range(n)]
    typed = _typed_positions(schema, mapping)
    # Two layers keep the SQL small enough to plan quickly on a 100-column report: the inner one
    # turns each typed cell into its present text once, the outer one parses that.
    presents = [f"{present(f'c{i}')} AS p{i}" for i in typed]
    parts = []
    for column in schema.columns:
        i = mapping.get(column.name)
        if i is None:
            value = (f"DATE {sql_str(snapshot_date.isoformat())}"
                     if schema.snapshot_from_load and column.name == "snapshot_date" else "NULL")
            parts.append(f"{value} AS {column.name}")
            if column.type == "days":
                parts.append(f"NULL AS {column.name}_plus")
        elif column.type == "text":
            parts.append(f"{PARSERS['text'](f'c{i}')} AS {column.name}")
        else:
            parts.append(f"{PARSERS[column.type](f'p{i}')} AS {column.name}")
            parts.append(f"c{i} AS raw_{column.name}")
            if column.type == "days":
                parts.append(f"{is_days_plus(f'p{i}')} AS {column.name}_plus")
    named = [i for i in unknown if prepared.header[i]]
    if named:
        pairs = ", ".join(f"{sql_str(key)}, c{i}" for i, key in _extra_keys(prepared.header, named).items())
        parts.append(f"json_object({pairs}) AS extra")
    else:
        parts.append("NULL AS extra")
    con.execute("DROP TABLE IF EXISTS stage_rows")
    try:
        con.execute(
            f"CREATE TEMP TABLE stage_rows AS SELECT {', '.join(parts)}"
            f" FROM (SELECT *, {', '.join(presents or ['NULL AS p_none'])}"
            f" FROM (SELECT {', '.join(cells)} FROM read_csv($path, delim = $delim,"
            f" quote = {quote}, escape = {quote}, header = false, skip = 1, auto_detect = false,"
            f" columns = {columns}, compression = $compression, max_line_size = $max_line)))",
            {"path": str(prepared.read_path), "delim": prepared.delimiter,
             "compression": prepared.compression, "max_line": _limit("MAX_LINE_BYTES")},
        )
    except duckdb.Error as error:
        raise RejectedFile([_explain_reader_error(str(error), n)])


def _explain_reader_error(message: str, n_columns: int) -> str:
    """Turn DuckDB's CSV error into a short sentence a seller can act on (none of the file's text
    beyond ``SHOWN_CHARS`` characters)."""
    line = re.search(r"Line:\s*(\d+)", message)
    where = f" at line {int(line.group(1)):,}" if line else ""
    lower = message.lower()
    if "expected number of columns" in lower:
        found = re.search(r"Found:\s*(\d+)", message)
        got = f" has {found.group(1)} fields where the header has {n_columns}" if found else " has the wrong number of fields"
        return (f"The file could not be read{where}: that line{got}. The file may be cut short, "
                f"or a value may contain the delimiter.")
    if "maximum line size" in lower:
        size = re.search(r"Actual Size:\s*(\d+)", message)
        how_long = f" is {_size(int(size.group(1)))} long," if size else " is"
        return (f"The file could not be read{where}: that line{how_long} longer than any report line can be "
                f"(the limit is {_size(_limit('MAX_LINE_BYTES'))}).")
    if "unterminated quote" in lower:
        return f"The file could not be read{where}: a quoted value is never closed (unbalanced quotes)."
    if "invalid unicode" in lower:
        return (f"The file could not be read{where}: that line is not valid UTF-8. Save the file as UTF-8 "
                f"and load it again.")
    if "state machine reached an invalid state" in lower:
        return ("The file could not be read: a line holds a carriage return (a Windows line-end character) "
                "in the middle of it, or a quote where none can be. Open it in a spreadsheet, save it again "
                "as CSV, and load it again.")
    if "quote" in lower:
        return f"The file could not be read{where}: a quote is out of place (quotes must wrap a whole value)."
    if "gzip" in lower:
        return f"The gzip file is damaged or cut short ({_shown(message.strip().splitlines()[0])})."
    if "columns" in lower and line:
        return f"The file could not be read{where}: that line has the wrong number of fields."
    first = message.strip().splitlines()[0] if message.strip() else message
    return f"The file could not be read{where}: {_shown(first)}"


def _column_map(schema: ReportSchema, header: list[str]) -> tuple[dict[str, int], list[int]]:
    """Canonical column -> position in the file, and the positions of columns we do not know."""
    mapping: dict[str, int] = {}
    unknown: list[int] = []
    for i, raw in enumerate(header):
        canonical = schema.canonical_for(raw)
        if canonical is not None and canonical not in mapping:
            mapping[canonical] = i
        else:
            unknown.append(i)
    return mapping, unknown


def _repeated_columns(schema: ReportSchema, header: list[str]) -> list[str]:
    """Errors for columns of the report that appear more than once (the same name, or two spellings of
    one column): which copy holds the right values is not for us to guess."""
    first: dict[str, int] = {}
    errors = []
    for i, raw in enumerate(header):
        canonical = schema.canonical_for(raw)
        if canonical is None:
            continue
        if canonical in first:
            j = first[canonical]
            spelled = (f'as "{_shown(header[j], 40)}" and "{_shown(raw, 40)}"' if header[j] != raw
                       else f'"{_shown(raw, 40)}"')
            errors.append(f"Column {schema.display_name(canonical)} appears twice in the header (columns "
                          f"{j + 1} and {i + 1}, {spelled}): the file cannot say which copy is right. "
                          f"Delete one of them and load the file again.")
        else:
            first[canonical] = i
    return errors


def _extra_keys(header: list[str], positions: list[int]) -> dict[int, str]:
    """The name each unknown column is kept under in ``extra``: its header name, numbered from its second
    appearance on (``note``, ``note (2)``), so that no copy is lost."""
    keys: dict[int, str] = {}
    seen: dict[str, int] = {}
    for i in positions:
        name = header[i]
        seen[name] = seen.get(name, 0) + 1
        keys[i] = name if seen[name] == 1 else f"{name} ({seen[name]})"
    return keys


def _typed_positions(schema: ReportSchema, mapping: dict[str, int]) -> list[int]:
    return sorted(i for name, i in mapping.items() if schema.column(name).type != "text")


def _check_values(con, schema: ReportSchema, prepared: PreparedFile, mapping: dict[str, int]) -> list[str]:
    """Every present value must parse; every identity column must have a value. Returns errors.

    Reads ``stage_rows``: a typed value is NULL either because its cell is missing (allowed) or
    because it did not parse (an error), and the raw cell tells which.
    """
    checks: list[tuple[str, str, str]] = []  # (column, condition for a bad row, what was expected)
    for name in mapping:
        column = schema.column(name)
        if column.type != "text":
            bad = f"{name} IS NULL AND NOT {is_missing(f'raw_{name}')}"
            checks.append((name, bad, EXPECTED[column.type]))
    for name in schema.not_empty:
        if name in mapping:
            empty = f"{name} IS NULL" if schema.column(name).type == "text" else is_missing(f"raw_{name}")
            checks.append((name, empty, "a value in every row"))
    if not checks:
        return []
    counts = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond, _ in checks) + " FROM stage_rows"
    ).fetchone()
    errors = []
    for (name, cond, expected), bad in zip(checks, counts):
        if not bad:
            continue
        raw = name if schema.column(name).type == "text" else f"raw_{name}"
        examples = con.execute(
            f"SELECT rowid + 2 AS line, {raw} FROM stage_rows WHERE {cond} "
            f"ORDER BY rowid LIMIT {EXAMPLES_SHOWN}"
        ).fetchall()
        shown = ", ".join(f"line {line}: {json.dumps(_shown(v if v is not None else ''), ensure_ascii=False)}"
                          for line, v in examples)
        header_name = prepared.header[mapping[name]]
        if expected == "a value in every row":
            errors.append(f'Column "{header_name}" is empty in {bad:,} row(s) ({shown}); '
                          f"every row needs a value there.")
        else:
            errors.append(f'Column "{header_name}": {bad:,} value(s) are not {expected} ({shown}).')
    return errors


def _settle_date_orders(con, schema: ReportSchema, prepared: PreparedFile, mapping: dict[str, int],
                        date_order: str | None) -> list[report_dates.DateOrder]:
    """Decide day first or month first for each column of slash dates, on the whole staged file
    (``core.report_dates.slash_date_orders``), and re-read the day-first columns of ``stage_rows``
    (staged month first). A column that cannot be decided carries an ``error``."""
    orders = report_dates.slash_date_orders(con, schema, mapping, prepared.header, date_order)
    day_first = [o.column for o in orders if o.order == "dmy"]
    if day_first and not any(o.error for o in orders):
        con.execute("UPDATE stage_rows SET " + ", ".join(
            f"{name} = {PARSERS[schema.column(name).type](present(f'raw_{name}'), 'dmy')}" for name in day_first))
    return orders


def _typed_select(schema: ReportSchema) -> str:
    """SELECT of the report table's canonical columns from ``stage_rows``, less the rows to skip."""
    parts = ["rowid AS source_row"]
    for column in schema.columns:
        parts.append(column.name)
        if column.type == "days":
            parts.append(f"{column.name}_plus")
    parts.append("extra")
    where = " AND ".join(f"{c} IS NOT NULL" for c in schema.skip_if_missing) or "true"
    return f"SELECT {', '.join(parts)} FROM stage_rows WHERE {where}"


def key_match(schema: ReportSchema, a: str, b: str) -> str:
    """SQL condition: rows ``a`` and ``b`` have the same natural key."""
    parts = [f"{a}.{k} IS NOT DISTINCT FROM {b}.{k}" for k in schema.key]
    parts += [f"({a}.{k} IS NULL OR {b}.{k} IS NULL OR {a}.{k} = {b}.{k})" for k in schema.loose_key]
    if not schema.dedupe:
        parts.append(f"{a}.key_occurrence = {b}.key_occurrence")
    return " AND ".join(parts)


# --- step 4: write ----------------------------------------------------------------------------------

def _write(con, schema: ReportSchema, prepared: PreparedFile, select: str, staged: int, *, snapshot_date: dt.date,
           replace_all: bool, is_sample: bool, unknown_names: list[str], warnings: list[str]) -> LoadResult:
    rows = f"{schema.table}_rows"
    keys = ", ".join((*schema.key, *schema.loose_key))
    cols = [name for name, _ in db.physical_columns(schema) if name not in
            ("import_id", "source_row", "superseded_by", "key_occurrence")]
    # Most files repeat no key; counting the distinct keys is much cheaper than numbering every row.
    repeats = con.execute(f"SELECT count(*) - count(DISTINCT ({keys})) FROM ({select})").fetchone()[0]
    if not repeats:
        ordered = f"SELECT 0 AS key_occurrence, * FROM ({select})"
    elif schema.dedupe:
        ordered = f"SELECT 0 AS key_occurrence, * FROM ({select}) " \
                  f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY source_row DESC) = 1"
    else:
        ordered = f"SELECT row_number() OVER (PARTITION BY {keys} ORDER BY source_row) - 1 " \
                  f"AS key_occurrence, * FROM ({select})"

    con.execute("BEGIN TRANSACTION")
    try:
        import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
        # Each row carries its source_row, so its place in the table is free: without the order kept, the
        # insert and the checkpoint after it take half the time (a 900,000-line file: 1.9 s -> 1.0 s).
        con.execute("SET preserve_insertion_order = false")
        try:
            loaded = con.execute(
                f"INSERT INTO {rows} "
                f"(import_id, source_row, superseded_by, key_occurrence, {', '.join(cols)}) "
                f"SELECT {import_id}, source_row, NULL, key_occurrence, {', '.join(cols)} FROM ({ordered})"
            ).fetchone()[0]
        finally:
            con.execute("RESET preserve_insertion_order")
        if staged > loaded:
            key_names = " + ".join(schema.display_name(k) for k in schema.key)
            warnings.append(f"{staged - loaded:,} line(s) repeat an earlier line's {key_names}; "
                            f"the last one was kept.")
        if replace_all:
            condition = "true"
        else:
            condition = (f"EXISTS (SELECT 1 FROM {rows} AS new WHERE new.import_id = {import_id} "
                         f"AND {key_match(schema, 'old', 'new')})")
        replaced = con.execute(
            f"UPDATE {rows} AS old SET superseded_by = {import_id} WHERE old.superseded_by IS NULL "
            f"AND old.import_id <> {import_id} AND {condition}"
        ).fetchone()[0]
        date_min = date_max = None
        if schema.date_column:
            date_min, date_max = con.execute(
                f"SELECT min({schema.date_column})::DATE, max({schema.date_column})::DATE FROM {rows} "
                f"WHERE import_id = {import_id}"
            ).fetchone()
        con.execute(
            "INSERT INTO imports VALUES ($id, $file, $sha, $type, $table, $rows, $replaced, $dmin, $dmax,"
            " $snap, $enc, $delim, $ncol, $unknown, $warnings, $sample, now()::TIMESTAMP)",
            {"id": import_id, "file": prepared.name, "sha": prepared.sha256, "type": schema.report_type,
             "table": schema.table, "rows": loaded, "replaced": replaced, "dmin": date_min, "dmax": date_max,
             "snap": snapshot_date if schema.snapshot_from_load else None, "enc": prepared.encoding,
             "delim": {"\t": "tab", ",": "comma", ";": "semicolon"}[prepared.delimiter],
             "ncol": len(prepared.header), "unknown": unknown_names, "warnings": warnings,
             "sample": is_sample},
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return LoadResult(prepared.name, schema.report_type, "loaded", loaded, replaced, (), tuple(warnings),
                      import_id, date_min and date_min.isoformat(), date_max and date_max.isoformat())


def load_report(db_path: Path, path: Path, *, file_name: str | None = None,
                snapshot_date: dt.date | None = None, replace_all: bool = False, is_sample: bool = False,
                batch_snapshot_dates: tuple[dt.date, ...] = (), progress: Progress | None = None,
                date_order: str | None = None) -> LoadResult:
    """Load one report file into the database; never raises for a bad file, returns ``rejected``.

    ``snapshot_date`` dates the reports that carry no date (Manage Inventory, Restock, fee preview);
    without it, the date in the file name, else the one stock snapshot date of the FBA Inventory
    files loaded with it (``batch_snapshot_dates``, see ``core.report_dates.suggest_snapshot_date``);
    a file with neither is rejected, asking for a date: "today" would set it beside the wrong snapshot.
    ``replace_all`` makes this import replace every current row of its report (the product-cost
    editor saves the whole table). ``is_sample`` marks the bundled demo account. ``date_order``
    ('dmy' or 'mdy') says how the file's slash dates read where the file itself cannot tell (see
    ``core.report_dates.slash_date_orders``).

    Your own file that the demo account already holds (same bytes) stays loaded as yours: it is
    taken out of the demo before the rest of the demo is removed.
    """
    name = file_name or path.name
    report = progress or (lambda fraction, message: None)
    report(0.05, f"Reading {name}")
    try:
        prepared = prepare_file(path, name)
    except RejectedFile as rejected:
        return LoadResult(name, None, "rejected", errors=tuple(rejected.errors))
    schema = None
    try:
        detection = detect(prepared.header)
        schema = detection.schema
        if schema is None:
            return LoadResult(name, None, "rejected", errors=(_unrecognised(prepared, detection),))
        if _TEMPLATE.is_file() and prepared.sha256 == _sha256(_TEMPLATE):
            return LoadResult(name, schema.report_type, "rejected", errors=(
                "This is the cost-sheet template as downloaded, with its example rows: put your own SKUs "
                "and unit costs in it, then load it.",))
        dated: tuple[str, ...] = ()
        mapping, unknown = _column_map(schema, prepared.header)
        repeated = _repeated_columns(schema, prepared.header)
        if repeated:
            return LoadResult(name, schema.report_type, "rejected", errors=tuple(repeated))
        own_dates = "snapshot_date" in mapping  # other-channel CSVs may have the column
        if schema.snapshot_from_load and snapshot_date is None and own_dates:
            snapshot_date = dt.date.today()  # only for its empty cells, as docs/reports.md says
        elif schema.snapshot_from_load and snapshot_date is None:
            suggested = report_dates.suggest_snapshot_date(name, batch_snapshot_dates)
            snapshot_date = suggested.date
            if snapshot_date is None:
                return LoadResult(name, schema.report_type, "rejected", errors=(
                    f"The {schema.title} report carries no date of its own, and {suggested.reason}: "
                    f"give the day it was downloaded (the date box on the Upload reports page, or "
                    f"--snapshot-date YYYY-MM-DD).",))
            dated = (f"Dated {display.date(snapshot_date)}: {suggested.reason}.",)
        with db.writing(db_path) as con:
            known = con.execute("SELECT import_id, is_sample FROM imports WHERE sha256 = $sha LIMIT 1",
                                {"sha": prepared.sha256}).fetchone()
            if known and not (known[1] and not is_sample):
                return LoadResult(name, schema.report_type, "unchanged", import_id=known[0],
                                  warnings=(f"This exact file was loaded before (import #{known[0]}).",))
            if known:
                # The demo's own file, loaded by the seller: theirs now, so removing the demo keeps it.
                con.execute("UPDATE imports SET is_sample = false WHERE import_id = $id", {"id": known[0]})
        if known:
            removed = remove_sample_data(db_path)
            return LoadResult(name, schema.report_type, "unchanged", import_id=known[0], warnings=(
                f"The demo account held this exact file (import #{known[0]}); it is kept as your own data.",)
                + (("The rest of the demo account was removed now that your own reports are loaded.",)
                   if removed else ()))
        with db.writing(db_path) as con:
            report(0.2, f"Reading {schema.title} rows")
            _stage(con, schema, prepared, mapping, unknown, snapshot_date)
            report(0.5, "Checking every value")
            orders = _settle_date_orders(con, schema, prepared, mapping, date_order)
            undecided = {o.column for o in orders if o.error}  # their values are not checked in a guessed order
            errors = [o.error for o in orders if o.error] + _check_values(
                con, schema, prepared, {k: i for k, i in mapping.items() if k not in undecided})
            if errors:
                return LoadResult(name, schema.report_type, "rejected", errors=tuple(errors))
            warnings: list[str] = []
            unknown_names = [prepared.header[i] for i in unknown if prepared.header[i]]
            if unknown_names:
                shown = ", ".join(_shown(n, 40) for n in unknown_names[:5])
                shown += " …" if len(unknown_names) > 5 else ""
                warnings.append(f"{len(unknown_names)} column(s) we do not use yet were kept as they are: {shown}.")
            twice = sorted({n for n in unknown_names if unknown_names.count(n) > 1})
            if twice:
                names = ", ".join(_shown(n, 40) for n in twice[:5])
                warnings.append(f"Column(s) {names} appear more than once; "
                                f"each copy is kept (the second as \"{_shown(twice[0], 40)} (2)\").")
            staged = con.execute("SELECT count(*) FROM stage_rows").fetchone()[0]
            if schema.skip_if_missing:
                skip = schema.skip_if_missing[0]
                skipped = con.execute(f"SELECT count(*) FROM stage_rows WHERE {skip} IS NULL").fetchone()[0]
                staged -= skipped
                if skipped:
                    warnings.append(f"{skipped:,} row(s) with no {schema.display_name(skip)} "
                                    f"(Amazon writes -- there) were skipped.")
            report(0.7, "Saving")
            result = _write(con, schema, prepared, _typed_select(schema), staged, snapshot_date=snapshot_date,
                            replace_all=replace_all, is_sample=is_sample, unknown_names=unknown_names,
                            warnings=[*dated, *(o.note for o in orders if o.note), *warnings])
            con.execute("DROP TABLE IF EXISTS stage_rows")
        if not is_sample and remove_sample_data(db_path):
            result = LoadResult(**{**asdict(result), "warnings": result.warnings + (
                "The demo account was removed now that your own reports are loaded.",)})
        report(1.0, "Done")
        return result
    except RejectedFile as rejected:
        return LoadResult(name, rejected.report_type, "rejected", errors=tuple(rejected.errors))
    except db.DiskFull as full:  # the file is fine: the disk is not (nothing of it was kept)
        return LoadResult(name, schema and schema.report_type, "failed", errors=(str(full),))
    finally:
        prepared.cleanup()


def _unrecognised(prepared: PreparedFile, detection) -> str:
    shown = _shown(", ".join(_shown(h, 30) for h in prepared.header[:6]))
    shown += " …" if len(prepared.header) > 6 else ""
    if detection.closest is None:
        return (f"This is not a report we recognise: none of its {len(prepared.header)} column names "
                f"({shown}) belong to a known Amazon report or the product-cost sheet.")
    closest = detection.closest
    return (f"This is not a report we recognise (columns: {shown}). The closest is "
            f"{closest.title} ({closest.report_type}), but these columns are missing: "
            f"{', '.join(detection.missing)}.")


# --- removing and listing -----------------------------------------------------------------------

@dataclass(frozen=True)
class Removal:
    import_id: int
    file: str
    rows_removed: int
    rows_restored: int


def remove_import(db_path: Path, import_id: int, *, without_restore: bool = False) -> Removal:
    """Take one import out: its rows go, and the rows it had replaced come back where nothing newer
    has replaced them since. One transaction. Refused (``ValueError``) where ``fba-health compact``
    dropped the rows it had replaced, unless ``without_restore``."""
    from core.housekeeping import restore_compacted_away

    with db.writing(db_path) as con:
        found = con.execute("SELECT table_name, file_name, report_type FROM imports WHERE import_id = $id",
                            {"id": import_id}).fetchone()
        if found is None:
            raise ValueError(f"import #{import_id} does not exist")
        if not without_restore and (lost := restore_compacted_away(con, import_id)):
            raise ValueError(lost)
        table, file_name, report_type = found
        schema = BY_TYPE[report_type]
        rows = f"{table}_rows"
        con.execute("BEGIN TRANSACTION")
        try:
            removed = con.execute(f"DELETE FROM {rows} WHERE import_id = $id AND superseded_by IS NULL",
                                  {"id": import_id}).fetchone()[0]
            con.execute(f"DELETE FROM {rows} WHERE import_id = $id", {"id": import_id})
            restored = con.execute(f"UPDATE {rows} SET superseded_by = NULL WHERE superseded_by = $id",
                                   {"id": import_id}).fetchone()[0]
            # A restored row stays hidden where a later import holds the same key.
            hidden = con.execute(
                f"UPDATE {rows} AS old SET superseded_by = later.import_id FROM {rows} AS later "
                f"WHERE old.superseded_by IS NULL AND later.superseded_by IS NULL "
                f"AND later.import_id > old.import_id AND {key_match(schema, 'old', 'later')}"
            ).fetchone()[0]
            con.execute("DELETE FROM imports WHERE import_id = $id", {"id": import_id})
            con.execute("DELETE FROM compacted_imports WHERE import_id = $id", {"id": import_id})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return Removal(import_id, file_name, removed, restored - hidden)


def remove_sample_data(db_path: Path) -> int:
    """Remove every import of the bundled demo account; returns how many imports went."""
    with db.connect(db_path) as con:
        ids = [r[0] for r in con.execute(
            "SELECT import_id FROM imports WHERE is_sample ORDER BY import_id DESC").fetchall()]
    for import_id in ids:
        remove_import(db_path, import_id, without_restore=True)  # the whole demo goes
    return len(ids)


def list_imports(db_path: Path) -> pd.DataFrame:
    """Every import, newest first, with how many of its rows are still current."""
    counts = " UNION ALL ".join(
        f"SELECT import_id, count(*) AS current_rows FROM {s.table}_rows WHERE superseded_by IS NULL "
        f"GROUP BY import_id" for s in SCHEMAS)
    return db.query_df(db_path, f"""
        SELECT i.import_id, i.file_name, i.report_type, i.row_count, coalesce(c.current_rows, 0) AS current_rows,
               i.rows_replaced, i.date_min, i.date_max, i.snapshot_date, i.encoding, i.delimiter,
               i.column_count, i.is_sample, i.loaded_at, i.sha256, i.warnings
        FROM imports i LEFT JOIN ({counts}) c USING (import_id)
        ORDER BY i.import_id DESC""")


def loaded_summary(db_path: Path) -> pd.DataFrame:
    """One row per report type that has data: current rows, date range, last import."""
    parts = []
    for s in SCHEMAS:
        date = f"{s.date_column}::DATE" if s.date_column else "NULL::DATE"
        # A charge month is stored as its 1st day but covers the whole month.
        last = f"last_day(max({date}))" if s.date_column and s.column(s.date_column).type == "month" else f"max({date})"
        parts.append(
            f"SELECT {sql_str(s.report_type)} AS report_type, {sql_str(s.title)} AS report, count(*) AS rows, "
            f"min({date}) AS first_date, {last} AS last_date FROM {s.table}")
    return db.query_df(db_path, f"""
        WITH t AS ({' UNION ALL '.join(parts)})
        SELECT t.report, t.report_type, t.rows, t.first_date, t.last_date,
               max(i.loaded_at) AS last_import, count(i.import_id) AS imports
        FROM t LEFT JOIN imports i USING (report_type)
        WHERE t.rows > 0
        GROUP BY ALL ORDER BY t.report""")


def has_data(db_path: Path) -> bool:
    with db.connect(db_path) as con:
        return con.execute("SELECT count(*) FROM imports").fetchone()[0] > 0
