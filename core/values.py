"""How Amazon writes values in its flat files, and how we read them.

Every rule here is a small function that returns a DuckDB SQL expression over one text column, so
that a two-million-line orders file is parsed inside DuckDB, not row by row in Python. Each value
type also has a plain-words description (``EXPECTED``) used in error messages when a value does not
parse. Sources for the formats: ../shared/amazon_reports.md §0 and the report sections it cites.

Two layers keep the SQL small enough to plan quickly on a 100-column report: ``present`` turns a raw
cell into its trimmed text, or NULL where it is one of the missing markers; every typed parser then
reads that present text. A present value that does not parse comes back NULL, and the ingest step
finds, counts and shows those cells. Nothing is silently turned into NULL.
"""

from __future__ import annotations

import re

# Cells that mean "no value". `--` is Amazon's own (fee preview, storage fees); `none` appears in the
# restock report's "Recommended ship date"; `N/A` is what spreadsheets write.
MISSING_TOKENS = ("", "--", "none", "n/a")

VALUE_TYPES = ("text", "int", "count", "number", "money", "date", "timestamp", "month", "bool", "days", "volume")

EXPECTED = {
    "text": "text",
    "int": "a whole number such as 12 or 1,234",
    "count": "a whole number of 0 or more such as 0, 12 or 1,234",
    "number": "a number such as 0.031883 or 1,234.5",
    "money": "an amount such as 25.00, $1,937.41 or 5.255,61 €",
    "date": "a date as YYYY-MM-DD, MM/DD/YYYY or DD/MM/YYYY (one order in a file) or an ISO timestamp "
            "(2026-05-08T23:36:26+00:00)",
    "timestamp": "an ISO timestamp such as 2026-05-08T23:36:26+00:00 or 2026-05-13T00:00:00-0700",
    "month": "a month as YYYY-MM",
    "bool": "Yes/No, Y/N or true/false",
    "days": "a number of days, or 365+",
    "volume": "a volume in cubic feet such as 0.0356 or 0.0356 ft3",
}

_CURRENCY = r"[$€£¥₹]|US\$|C\$|A\$|USD|CAD|MXN|EUR|GBP|JPY|AUD|SEK|PLN|INR|BRL"


def sql_str(text: str) -> str:
    """Quote a Python string as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def is_missing(col: str) -> str:
    """True where the cell is empty or one of Amazon's missing-value markers, in any case.

    The same as ``lower(trim(col)) IN MISSING_TOKENS``, written as one regular expression because it
    runs on every typed cell of a multi-million-line file and is about three times faster. DuckDB's
    ``trim`` removes the Unicode space separators (``\\p{Zs}``: space, no-break space, em space …),
    so the pattern allows those around the token and nothing else.
    """
    tokens = "|".join(re.escape(t) for t in MISSING_TOKENS if t)
    return f"({col} IS NULL OR regexp_full_match({col}, '\\p{{Zs}}*({tokens})?\\p{{Zs}}*', 'i'))"


def present(col: str) -> str:
    """The trimmed raw cell, or NULL where it is missing: the input of every typed parser below."""
    return f"(CASE WHEN {is_missing(col)} THEN NULL ELSE trim({col}) END)"


def _decimal(text: str) -> str:
    """Parse a cleaned number string (no currency, no spaces) in the US or the EU convention.

    Accepted: ``1234.5``, ``1,234.5`` (comma thousands), ``1.234,5`` (EU: dot thousands, comma
    decimal) and ``12,5`` / ``12,50`` (EU decimal comma, 1-2 decimals). ``1,234`` is read as one
    thousand two hundred thirty-four, as Amazon's US files mean it; anything else is NULL, and so is a
    number too large for a DOUBLE (``1e999``, 400 nines): it would otherwise be stored as infinity.
    """
    us_plain = _finite(f"TRY_CAST({text} AS DOUBLE)")
    us_thousands = _finite(f"TRY_CAST(replace({text}, ',', '') AS DOUBLE)")
    eu_thousands = _finite(f"TRY_CAST(replace(replace({text}, '.', ''), ',', '.') AS DOUBLE)")
    eu_decimal = _finite(f"TRY_CAST(replace({text}, ',', '.') AS DOUBLE)")
    return (
        f"(CASE"
        f" WHEN regexp_full_match({text}, '[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?') THEN {us_plain}"
        f" WHEN regexp_full_match({text}, '[+-]?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') THEN {us_thousands}"
        f" WHEN regexp_full_match({text}, '[+-]?\\d{{1,3}}(\\.\\d{{3}})+,\\d+') THEN {eu_thousands}"
        f" WHEN regexp_full_match({text}, '[+-]?\\d+,\\d{{1,2}}') THEN {eu_decimal}"
        f" END)"
    )


def _finite(double: str) -> str:
    """NULL instead of infinity: DuckDB reads ``1e999`` or 400 nines as inf rather than failing."""
    return f"nullif(nullif({double}, 'inf'::DOUBLE), '-inf'::DOUBLE)"


# Most cells of a large file are plain numbers such as 12.99 or 3: they take this one test and a cast,
# and only the rest go through the cleaning and the four conventions of ``_decimal``.
_PLAIN = "'[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?'"
_PLAIN_WHOLE = "'[+-]?\\d{1,18}'"


def parse_number(col: str) -> str:
    """A decimal number; thousands separators allowed."""
    spaceless = f"replace({col}, ' ', '')"
    return (f"(CASE WHEN regexp_full_match({col}, {_PLAIN}) THEN {_finite(f'TRY_CAST({col} AS DOUBLE)')}"
            f" ELSE {_decimal(spaceless)} END)")


def parse_money(col: str) -> str:
    """An amount: currency symbols or ISO codes before or after the number are dropped."""
    cleaned = f"regexp_replace({col}, '{_CURRENCY}|\\s', '', 'g')"
    return (f"(CASE WHEN regexp_full_match({col}, {_PLAIN}) THEN {_finite(f'TRY_CAST({col} AS DOUBLE)')}"
            f" ELSE {_decimal(cleaned)} END)")


def parse_int(col: str) -> str:
    """A whole number (``1,234`` allowed); ``1.5`` does not parse."""
    number = parse_number(col)
    # TRY_CAST: a whole number beyond BIGINT (1e300) is NULL, reported as not a whole number; a plain
    # CAST would raise and abort the load. Up to 18 plain digits always fit, and skip the rest.
    return (f"(CASE WHEN regexp_full_match({col}, {_PLAIN_WHOLE}) THEN TRY_CAST({col} AS BIGINT)"
            f" WHEN {number} = floor({number}) THEN TRY_CAST({number} AS BIGINT) END)")


def parse_count(col: str) -> str:
    """A count of units: a whole number of 0 or more (``-3`` and ``1.5`` do not parse)."""
    number = parse_int(col)
    return f"(CASE WHEN {number} >= 0 THEN {number} END)"


def parse_days(col: str) -> str:
    """Days of supply: a whole number, or Amazon's ``365+`` read as 365 (see ``is_days_plus``)."""
    return f"(CASE WHEN {col} = '365+' THEN 365 ELSE {parse_number(col)} END)"


def is_days_plus(col: str) -> str:
    """True where a days-of-supply cell holds ``365+``: the 365 is a floor, not a measurement."""
    return f"coalesce({col} = '365+', false)"


def parse_volume(col: str) -> str:
    """A volume with an optional unit in the cell (restock: ``0.0356 ft3``)."""
    cleaned = f"regexp_replace({col}, '\\s*(ft3|ft³|cu\\.? ?ft\\.?|cubic feet)$', '', 'i')"
    return _decimal(cleaned)


def parse_bool(col: str) -> str:
    """Yes/No, Y/N, true/false, 1/0 in any case."""
    value = f"lower({col})"
    return (
        f"(CASE WHEN {value} IN ('yes', 'y', 'true', '1') THEN true"
        f" WHEN {value} IN ('no', 'n', 'false', '0') THEN false END)"
    )


_TZ_FORMATS = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z"]
_ISO_NAIVE = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
# Japan writes the year first with slashes (2026/05/13): never ambiguous.
_YEAR_FIRST = ["%Y/%m/%d", "%Y/%m/%d %H:%M:%S"]

# The order of day and month in a slash date NN/NN/YYYY: month first (the US, Canada) or day first
# (Europe). One order holds for a whole file; ``core.report_dates.slash_date_orders`` decides it.
DATE_ORDERS = ("mdy", "dmy")


def _slash_formats(order: str) -> list[str]:
    if order not in DATE_ORDERS:
        raise ValueError(f"order must be one of {DATE_ORDERS}, not {order!r}")
    first = "%m/%d/%Y" if order == "mdy" else "%d/%m/%Y"
    return [first, f"{first} %H:%M:%S", *_YEAR_FIRST]


def _format_list(formats: list[str]) -> str:
    return "[" + ", ".join(sql_str(f) for f in formats) + "]"


def parse_timestamp(col: str, order: str = "mdy") -> str:
    """An instant, stored as a UTC timestamp without zone.

    ``2026-05-08T23:36:26+00:00`` (orders) and ``2026-05-13T00:00:00-0700`` (ledger, no colon in the
    offset) are converted to UTC; a trailing ``Z`` means UTC; a value without offset is taken as UTC.
    A slash date reads NN/NN/YYYY in ``order`` (``mdy`` or ``dmy``), or YYYY/MM/DD.
    """
    text = f"regexp_replace({col}, 'Z$', '+00:00')"
    return (
        f"coalesce(timezone('UTC', try_strptime({text}, {_format_list(_TZ_FORMATS)})),"
        f" try_strptime({text}, {_format_list(_ISO_NAIVE + _slash_formats(order))}))"
    )


def parse_date(col: str, order: str = "mdy") -> str:
    """A calendar date as the report writes it.

    ``YYYY-MM-DD``, a slash date (NN/NN/YYYY in ``order``: ``mdy`` reads 05/06/2026 as May 6, ``dmy``
    as 5 June; or YYYY/MM/DD), optionally with a time, or an ISO timestamp, whose date part is kept as
    written (the seller's local day), not shifted to UTC.
    """
    text = col
    iso_prefix = f"regexp_full_match({text}, '\\d{{4}}-\\d{{2}}-\\d{{2}}([T ].+)?')"
    # A plain NN/NN/YYYY (a ledger's every row) is rearranged to YYYY-MM-DD and cast: five times
    # quicker than strptime's list of formats, and as strict (the cast refuses 30 February).
    plain = f"regexp_full_match({text}, '\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}')"
    iso_order = "\\3-\\1-\\2" if _slash_formats(order)[0] == "%m/%d/%Y" else "\\3-\\2-\\1"
    rearranged = f"regexp_replace({text}, '^(\\d+)/(\\d+)/(\\d+)$', '{iso_order}')"
    return (
        f"(CASE WHEN {plain} THEN TRY_CAST({rearranged} AS DATE)"
        f" WHEN {iso_prefix} AND {parse_timestamp(col)} IS NOT NULL"
        f" THEN try_strptime(substr({text}, 1, 10), '%Y-%m-%d')::DATE"
        f" ELSE try_strptime({text}, {_format_list(_slash_formats(order))})::DATE END)"
    )


def slash_parts(col: str) -> str:
    """SQL: the three numbers of a slash date NN/NN/YYYY (with or without a time) as a struct of text
    ``{first, second, year}``, each '' for any other cell. The day is the one above 12, where one is."""
    return (f"regexp_extract({col}, '^\\s*(\\d{{1,2}})/(\\d{{1,2}})/(\\d{{4}})([ T]|$)', "
            f"['first', 'second', 'year'])")


def iso_date_parts(col: str) -> str:
    """SQL: ``{year, month, day}`` (text, '' where absent) of a cell starting YYYY-MM-DD, as written."""
    return (f"regexp_extract({col}, '^\\s*(\\d{{4}})-(\\d{{2}})-(\\d{{2}})([T ]|$)', "
            f"['year', 'month', 'day'])")


# The marketplaces whose reports write slash dates in a known order, by country code or Amazon
# domain (the ``marketplace_column`` of a report, core/schemas.py). Japan writes YYYY/MM/DD; other
# marketplaces are not known, so they give no hint.
MARKETPLACE_DATE_ORDER = {
    **{code: "mdy" for code in ("us", "ca", "amazon.com", "amazon.ca")},
    **{code: "dmy" for code in ("uk", "gb", "de", "fr", "it", "es", "nl", "se", "pl", "be", "ie", "at",
                                "amazon.co.uk", "amazon.de", "amazon.fr", "amazon.it", "amazon.es",
                                "amazon.nl", "amazon.se", "amazon.pl", "amazon.com.be", "amazon.ie")},
}


def marketplace_date_order(col: str) -> str:
    """SQL: the slash-date order ('mdy' or 'dmy') of the marketplace named in a cell, else NULL."""
    key = f"lower(trim({col}))"
    cases = " ".join(f"WHEN {sql_str(code)} THEN {sql_str(order)}" for code, order in MARKETPLACE_DATE_ORDER.items())
    return f"(CASE {key} {cases} END)"


def parse_month(col: str) -> str:
    """A charge month (storage fees ``month_of_charge``): ``YYYY-MM`` or longer, kept as its 1st day."""
    text = col
    return (
        f"(CASE WHEN regexp_full_match({text}, '\\d{{4}}-\\d{{2}}([-T ].*)?')"
        f" THEN try_strptime(substr({text}, 1, 7), '%Y-%m')::DATE END)"
    )


def parse_text(col: str) -> str:
    """Text, trimmed; empty and ``--`` are missing (``none`` stays: it can be a real name).

    Unlike the typed parsers, this one reads the raw cell, not ``present``.
    """
    return f"(CASE WHEN trim({col}) IN ('', '--') THEN NULL ELSE trim({col}) END)"


PARSERS = {
    "text": parse_text,
    "int": parse_int,
    "count": parse_count,
    "number": parse_number,
    "money": parse_money,
    "date": parse_date,
    "timestamp": parse_timestamp,
    "month": parse_month,
    "bool": parse_bool,
    "days": parse_days,
    "volume": parse_volume,
}

SQL_TYPES = {
    "text": "VARCHAR",
    "int": "BIGINT",
    "count": "BIGINT",
    "number": "DOUBLE",
    "money": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "month": "DATE",
    "bool": "BOOLEAN",
    "days": "DOUBLE",
    "volume": "DOUBLE",
}


def unwrap_quotes(col: str) -> str:
    """Undo quoting in a tab file read without a quote character.

    Amazon's tab files are not RFC 4180: a product name like ``12" Skillet`` carries a bare quote,
    yet some SP-API ledger files wrap whole values in quotes. Reading tab files with quoting off and
    then unwrapping values that begin and end with a quote keeps both intact.
    """
    return (
        f"(CASE WHEN starts_with({col}, '\"') AND ends_with({col}, '\"') AND strlen({col}) >= 2"
        f" THEN replace(substr({col}, 2, length({col}) - 2), '\"\"', '\"') ELSE {col} END)"
    )
