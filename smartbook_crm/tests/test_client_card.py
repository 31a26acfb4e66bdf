import base64

from odoo.exceptions import ValidationError
from odoo.tests.common import tagged

from .common import SmartbookCrmCase

# A 1x1 PNG: enough for an image field.
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
    )
)


@tagged("post_install", "-at_install")
class TestClientCard(SmartbookCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spain = cls.env.ref("base.es")
        cls.sweden = cls.env.ref("base.se")
        cls.env.company.country_id = cls.spain

    def _client(self, **vals):
        return self.env["res.partner"].create({"name": "Test Client", "smartbook_client": True, **vals})

    def test_phone_stored_e164_shown_national(self):
        client = self._client(phone="612 34 56 78")
        self.assertEqual(client.phone, "+34612345678")
        self.assertEqual(client.smartbook_phone_display, "612 34 56 78")
        foreign = self._client(phone="070-123 45 67", country_id=self.sweden.id)
        self.assertEqual(foreign.phone, "+46701234567")
        self.assertEqual(foreign.smartbook_phone_display, "+46 70 123 45 67")

    def test_invalid_phone_refused_with_clear_message(self):
        with self.assertRaisesRegex(ValidationError, "12345 is not valid"):
            self._client(phone="12345")
        client = self._client(phone="+34612345678")
        with self.assertRaisesRegex(ValidationError, "not a phone number"):
            client.write({"phone": "call me"})
        self.assertEqual(client.phone, "+34612345678")

    def test_company_contacts_untouched(self):
        supplier = self.env["res.partner"].create({"name": "Supplier", "phone": "12345"})
        self.assertEqual(supplier.phone, "12345")

    def test_name_from_first_and_last_name(self):
        client = self._client(smartbook_first_name="Lucía", smartbook_last_name="García", name=False)
        self.assertEqual(client.name, "Lucía García")
        client.smartbook_last_name = "Romero"
        self.assertEqual(client.name, "Lucía Romero")

    def test_consent_history(self):
        client = self.client_of_employee.with_user(self.user_employee)
        client.write({"smartbook_consent_sms": True})
        client.write({"smartbook_consent_sms": True})  # no change, no line
        client.write({"smartbook_consent_sms": False, "smartbook_consent_marketing": True})
        history = client.smartbook_consent_log_ids.sorted("id")
        self.assertEqual(
            [(line.channel, line.granted) for line in history],
            [("sms", True), ("sms", False), ("marketing", True)],
        )
        self.assertEqual(history.user_id, self.user_employee)
        self.assertTrue(all(history.mapped("date")))

    def test_duplicates_found_by_phone_or_email(self):
        first = self._client(phone="+34612000001", email="Ana@Example.com")
        same_phone = self._client(phone="612 00 00 01")
        same_email = self._client(email="ana@example.com ")
        other = self._client(phone="+34612000002", email="other@example.com")
        self.assertEqual(first.smartbook_duplicate_ids, same_phone | same_email)
        self.assertEqual(same_phone.smartbook_duplicate_ids, first)
        self.assertFalse(other.smartbook_duplicate_ids)
        action = first.action_smartbook_merge_duplicates()
        self.assertEqual(
            set(action["context"]["default_partner_ids"]), {first.id, same_phone.id, same_email.id}
        )

    def test_merge_duplicates_keeps_one_client(self):
        first = self._client(phone="+34612000003", email="merge@example.com")
        second = self._client(phone="+34612000003", email="merge@example.com")
        action = first.action_smartbook_merge_duplicates()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        wizard.action_merge()
        self.assertFalse(second.exists())
        self.assertTrue(first.exists(), "merging from a card keeps that card")

    def test_photos_follow_their_client(self):
        photo = self.env["smartbook.client.photo"].create(
            {"partner_id": self.client_of_other.id, "image_1920": PIXEL, "note": "Before"}
        )
        self.assertEqual(self.client_of_other.smartbook_photo_count, 1)
        Photo = self.env["smartbook.client.photo"]
        self.assertFalse(Photo.with_user(self.user_employee).search([("id", "=", photo.id)]))
        self.assertEqual(Photo.with_user(self.user_manager).search([("id", "=", photo.id)]), photo)
        own = Photo.with_user(self.user_employee).create(
            {"partner_id": self.client_of_employee.id, "image_1920": PIXEL, "note": "After"}
        )
        self.assertTrue(own.image_256)
