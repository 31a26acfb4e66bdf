import json

from odoo.tests import new_test_user, tagged

from .common import SmartbookBookingCase


@tagged("post_install", "-at_install")
class TestGdprBookings(SmartbookBookingCase):
    """The GDPR access export lists the client's bookings; erasure keeps them
    (dates, states, prices) without the person's name, comments or chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="sb_gdpr_manager", groups="smartbook_crm.group_smartbook_manager"
        )
        cls.greta = cls.env["res.partner"].create(
            {"name": "Greta Lind", "smartbook_client": True, "phone": "+46701112233"}
        )
        Booking = cls.env["smartbook.booking"].with_context(tracking_disable=False)
        values = {"partner_id": cls.greta.id, "service_id": cls.service.id, "employee_id": cls.employee.id}
        cls.visit = Booking.create(
            {**values, "start": cls.day.replace(hour=10), "note": "Greta: allergic to nuts"}
        )
        cls.cancelled = Booking.create({**values, "start": cls.day.replace(hour=12)})
        cls.visit.action_confirm()
        cls.cancelled.action_confirm()
        cls.cancelled.action_cancel(reason="Greta Lind is ill")
        cls.visit.message_post(body="Greta Lind phoned from +46701112233", message_type="comment")
        cls.visit.message_subscribe(partner_ids=cls.greta.ids)

    def _booking_texts(self, bookings):
        messages = self.env["mail.message"].search(
            [("model", "=", "smartbook.booking"), ("res_id", "in", bookings.ids)]
        )
        trackings = messages.tracking_value_ids
        return " ".join(
            str(text)
            for text in [
                *bookings.mapped("name"),
                *bookings.mapped("note"),
                *bookings.mapped("cancel_reason"),
                *messages.mapped("body"),
                *messages.mapped("record_name"),
                *messages.mapped("subject"),
                *trackings.mapped("old_value_char"),
                *trackings.mapped("new_value_char"),
            ]
            if text
        )

    def test_export_lists_bookings(self):
        action = self.greta.with_user(self.manager).action_smartbook_gdpr_export()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/web/content/")[1].split("?")[0])
        )
        bookings = json.loads(attachment.raw)["bookings"]
        self.assertEqual(len(bookings), 2)
        self.assertEqual(bookings[0]["service"], "Test Cut")
        self.assertEqual(bookings[0]["specialist"], "Test Specialist")
        self.assertEqual(bookings[0]["state"], "Confirmed")
        self.assertEqual(bookings[0]["price"], self.visit.price)
        self.assertEqual(bookings[0]["note"], "Greta: allergic to nuts")
        self.assertTrue(bookings[0]["date"].startswith(str(self.day.date())))
        self.assertEqual(bookings[1]["cancel_reason"], "Greta Lind is ill")

    def test_erasure_reaches_bookings(self):
        bookings = self.visit | self.cancelled
        self.assertIn("Greta", self._booking_texts(bookings))
        states, prices, starts = bookings.mapped("state"), bookings.mapped("price"), bookings.mapped("start")
        self.greta.with_user(self.manager).action_smartbook_gdpr_erase()
        bookings.invalidate_recordset()
        self.assertEqual(bookings.exists(), bookings, "bookings are accounting: they stay")
        self.assertEqual((bookings.mapped("state"), bookings.mapped("price")), (states, prices))
        self.assertEqual(bookings.mapped("start"), starts)
        self.assertEqual(bookings.partner_id, self.greta)
        self.assertFalse(bookings.filtered("note") or bookings.filtered("cancel_reason"))
        self.assertEqual(self.visit.name, f"Test Cut – Erased client #{self.greta.id}")
        texts = self._booking_texts(bookings)
        self.assertNotIn("Greta", texts)
        self.assertNotIn("46701112233", texts)
        self.assertNotIn(self.greta, bookings.message_partner_ids)
