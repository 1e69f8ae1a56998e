"""DataFrame -> CSV bytes a seller can open in a spreadsheet safely.

A report cell is text the seller did not write (a product name, a customer comment). Opened in Excel
or Google Sheets, a cell starting with ``=``, ``+``, ``-`` or ``@`` is run as a formula, and a
leading tab or carriage return can hide one. Such text gets a leading apostrophe, the mitigation the
OWASP "CSV Injection" page recommends; numbers are written as numbers, untouched.
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix an apostrophe to text a spreadsheet would run as a formula; leave anything else.

    Parameters
    ----------
    value : object
        One cell. Only ``str`` values are changed.

    Returns
    -------
    object
        ``"'" + value`` when ``value`` is text starting with one of ``= + - @``, tab or carriage
        return; otherwise ``value`` itself.

    Examples
    --------
    >>> neutralise('=HYPERLINK("x")')
    '\\'=HYPERLINK("x")'
    >>> neutralise(-5)
    -5
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as comma-separated UTF-8 bytes (with BOM, so Excel reads accents), formulas defused.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; it is not modified. Column names are treated like text cells.

    Returns
    -------
    bytes
        CSV with a header line, no index, CRLF line ends (RFC 4180; a CR inside a cell is then
        quoted), missing values as empty cells, dates in ISO form. Text cells (and column names)
        that start with ``= + - @``, tab or CR carry a leading apostrophe; numeric columns are
        written unchanged.

    Examples
    --------
    >>> to_csv_bytes(pd.DataFrame({"sku": ["=1+1"], "qty": [-5]}))
    b"\\xef\\xbb\\xbfsku,qty\\r\\n'=1+1,-5\\r\\n"
    """
    text_columns = [c for c in frame.columns
                    if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
                            or pd.api.types.is_datetime64_any_dtype(frame[c]))]
    safe = frame.copy()
    for column in text_columns:  # over columns, not rows
        safe[column] = frame[column].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in frame.columns]
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Export") -> bytes:
    """The frame as an Excel workbook (one sheet, header row frozen), formulas defused as in
    ``to_csv_bytes``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; it is not modified. Column names are treated like text cells.
    sheet_name : str
        The worksheet's title.

    Returns
    -------
    bytes
        An .xlsx file. Text cells (and column names) that start with ``= + - @``, tab or CR carry a
        leading apostrophe and are stored as text, never as formulas; numbers, booleans and dates
        are written as such; missing values are empty cells. Infinite numbers (days of supply
        with no sales) are written as the text ``inf``, as in the CSV, since Excel has no infinity.
        Time zones are dropped from dates (Excel has none).

    Examples
    --------
    >>> import io, openpyxl
    >>> data = to_xlsx_bytes(pd.DataFrame({"sku": ["=1+1"], "qty": [-5]}))
    >>> [c.value for c in openpyxl.load_workbook(io.BytesIO(data)).active[2]]
    ["'=1+1", -5]
    """
    import io
    import math

    from openpyxl import Workbook

    def cell(value: object) -> object:
        if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
            return None  # None, NaN, NaT, pd.NA
        if isinstance(value, float):
            if math.isinf(value):
                return "inf" if value > 0 else "-inf"
        if isinstance(value, pd.Timestamp):
            return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
        if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
            return cell(value.item())
        return neutralise(value)

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name[:31]
    header = [neutralise(str(c)) for c in frame.columns]
    sheet.append(header)
    for row in frame.astype(object).itertuples(index=False, name=None):
        sheet.append([cell(v) for v in row])
    for column_cells in sheet.iter_cols(min_row=1, max_row=1):
        letter = column_cells[0].column_letter
        sheet.column_dimensions[letter].width = min(max(len(str(column_cells[0].value)) + 2, 10), 60)
    for row in sheet.iter_rows(min_row=1):
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"  # text stays text: openpyxl would store "=..." as a formula
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
