"""Serialise one client's personal data for a GDPR access request (no ORM).

The data comes as ``{section: [ {column: value, ...}, ... ]}``; a section is a
list of rows (the client itself is a section of one row). JSON keeps every
section; the workbook has one sheet per section.
"""

import io
import json
from datetime import date, datetime

import xlsxwriter


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if value is False:
        return None
    return value


def personal_data_json(data):
    plain = {
        section: [{key: _plain(value) for key, value in row.items()} for row in rows]
        for section, rows in data.items()
    }
    return json.dumps(plain, ensure_ascii=False, indent=2, sort_keys=False).encode()


def _write_cell(sheet, row, col, value, cell_format=None):
    """Write ``value`` with its explicit type: text is always a string cell, so
    a client named "=HYPERLINK(...)" never becomes a live formula."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, cell_format)
    else:
        sheet.write_string(row, col, str(value), cell_format)


def personal_data_xlsx(data):
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    for section, rows in data.items():
        sheet = workbook.add_worksheet(section[:31])
        columns = list(rows[0]) if rows else []
        for col, name in enumerate(columns):
            _write_cell(sheet, 0, col, name, bold)
        for row_index, row in enumerate(rows, start=1):
            for col, name in enumerate(columns):
                _write_cell(sheet, row_index, col, _plain(row.get(name)))
    workbook.close()
    return output.getvalue()
