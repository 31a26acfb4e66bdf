"""Write client rows to CSV or XLSX in one streaming pass (no ORM here).

Rows come as lists of plain values (str, bool, date, None) in column order; the
writers never hold the rows in memory: CSV goes straight to its buffer, XLSX
uses xlsxwriter's ``constant_memory`` mode, which flushes each row to a
temporary file as soon as the next one starts.

The columns are those of the client import (:data:`CLIENT_COLUMNS`), written
the way the import reads them, so that an exported file imports back: English
labels as headers, phones in E.164, dates ``YYYY-MM-DD`` (date cells in Excel),
yes/no as ``1``/``0`` (booleans in Excel), tags joined by ``, ``. One column
more, ``Created On``, is for information: the import leaves it aside.
"""

import csv
import io
import os
import tempfile
from datetime import date, datetime

import xlsxwriter

from .client_import import CLIENT_COLUMNS, TAG_SEPARATOR
from .spreadsheet import csv_safe

# (key, English label): the columns an export offers, in file order.
EXPORT_COLUMNS = (*CLIENT_COLUMNS, ("created_on", "Created On"))
EXPORT_KEYS = tuple(key for key, _label in EXPORT_COLUMNS)
EXPORT_LABELS = dict(EXPORT_COLUMNS)
XLSX_MAX_ROWS = 1_048_576


def join_tags(names):
    """Tag names as one cell, the way the import splits them."""
    return TAG_SEPARATOR.join(names)


def csv_text(value):
    """A value as CSV text: ISO dates, ``1``/``0`` for yes/no, empty for nothing,
    text that looks like a formula made safe (:func:`.spreadsheet.csv_safe`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return csv_safe(str(value))


def write_csv(header, rows):
    """Return the CSV file (UTF-8 with a byte-order mark, so that spreadsheet
    programs read accents right) of ``header`` and ``rows``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_text(label) for label in header])
    for row in rows:
        writer.writerow([csv_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode()


def write_xlsx(header, rows, sheet_name="Clients"):
    """Return the XLSX file of ``header`` and ``rows``: dates as real dates shown
    ``yyyy-mm-dd``, booleans as booleans, everything else as text (a phone stays
    ``+34...``, never a number)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="smartbook-export-")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
        bold = workbook.add_format({"bold": True})
        iso_date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet = workbook.add_worksheet(sheet_name[:31])
        sheet.freeze_panes(1, 0)
        for col, label in enumerate(header):
            sheet.write_string(0, col, str(label), bold)
        row_index = 0
        for row_index, row in enumerate(rows, start=1):
            if row_index >= XLSX_MAX_ROWS:
                raise ValueError(f"more than {XLSX_MAX_ROWS - 1} rows do not fit in one sheet")
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(row_index, col, value)
                elif isinstance(value, date):
                    sheet.write_datetime(row_index, col, value, iso_date)
                else:
                    sheet.write_string(row_index, col, str(value))
        sheet.autofilter(0, 0, max(row_index, 1), max(len(header) - 1, 0))
        workbook.close()
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)
