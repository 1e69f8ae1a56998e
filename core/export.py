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
