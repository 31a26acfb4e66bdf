from zoneinfo import ZoneInfo

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.smartbook_booking.tests.common import SmartbookBookingCase

SPANISH_REMINDER = (
    "Hola {{ object.partner_id.name }}, te esperamos el {{ object.smartbook_local_date }}"
    " a las {{ object.smartbook_local_time }} para {{ object.service_id.name }}."
)


class MessagingCase(SmartbookBookingCase):
    """The booking fixture with a client the outbox may reach by SMS only (no
    Telegram chat, no e-mail address)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client.write(
            {
                "phone": "+34600111222",
                "smartbook_consent_sms": True,
                "lang": "en_US",
            }
        )
        cls.Message = cls.env["smartbook.message"]
        cls.Template = cls.env["smartbook.message.template"]

    def messages(self, booking=None, **domain):
        terms = [(name, "=", value) for name, value in domain.items()]
        if booking:
            terms.append(("booking_id", "=", booking.id))
        return self.Message.search(terms, order="id")


@tagged("post_install", "-at_install")
class TestTemplates(MessagingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.reminder_sms = cls.env.ref("smartbook_messaging.template_reminder_sms")
        cls.reminder_sms.update_field_translations("body", {"es_ES": SPANISH_REMINDER})

    def test_rendered_in_client_language_with_business_time(self):
        """A client in UTC reading Spanish, a business in Madrid: the Spanish text,
        the date in Spanish, the time as the business's clock shows it."""
        self.client.write({"lang": "es_ES", "tz": "UTC"})
        self.employee.tz = "Europe/Madrid"
        booking = self.book(9)  # 09:00 UTC, within 9-17 Madrid time
        madrid = booking.start.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Madrid"))
        body = self.reminder_sms._smartbook_render(booking)[booking.id]
        self.assertTrue(body.startswith("Hola Booking Client, te esperamos el "), body)
        self.assertIn(f"a las {madrid:%H:%M} para Test Cut", body)
        self.assertNotIn(f"{booking.start:%H:%M} para", body)
        weekday = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"][madrid.weekday()]
        self.assertIn(weekday, body)
        # an English reader of the same booking gets the English source
        english = self.reminder_sms.with_context(lang="es_ES")._smartbook_render(
            booking, langs={booking.id: "en_US"}
        )[booking.id]
        self.assertIn("a reminder", english)
        self.assertIn(madrid.strftime("%-I:%M"), english)

    def test_confirmation_is_queued_in_client_language(self):
        self.client.lang = "es_ES"
        self.env.ref("smartbook_messaging.template_confirmation_sms").update_field_translations(
            "body",
            {
                "es_ES": "Reserva confirmada: {{ object.service_id.name }}"
                " el {{ object.smartbook_local_date }}"
            },
        )
        booking = self.book(10)
        booking.action_confirm()
        message = self.messages(booking, kind="confirmation")
        self.assertEqual(message.channel, "sms")
        self.assertTrue(message.body.startswith("Reserva confirmada: Test Cut el "), message.body)

    def test_preview_on_a_real_booking(self):
        """The form's preview: pick a booking, read its client's message in their language."""
        self.client.lang = "es_ES"
        booking = self.book(11)
        form = Form(self.reminder_sms.with_user(self.env.ref("base.user_admin")))
        form.preview_booking_id = booking
        self.assertEqual(form.preview_lang, "es_ES")
        self.assertIn("Hola Booking Client", form.preview_body)
        # the text being edited is what the preview shows
        form.body = "Edited for {{ object.service_id.name }}"
        self.assertEqual(form.preview_body, "Edited for Test Cut")
        client_form = Form(self.env.ref("smartbook_messaging.template_birthday_sms"))
        client_form.preview_partner_id = self.client
        self.assertIn("Booking Client", client_form.preview_body)

    def test_placeholders_render_without_the_sandbox(self):
        unsafe = self.Template._has_unsafe_expression_template_inline_template
        self.assertFalse(
            unsafe("{{ object.smartbook_manage_url }} {{ object.employee_id.name }}", "smartbook.booking")
        )
        self.assertFalse(unsafe("Hi {{ object.name }}", "res.partner"))
        self.assertTrue(unsafe("{{ object.env.user.password }}", "smartbook.booking"))
        self.assertTrue(unsafe("{{ object.partner_id.phone }}", "smartbook.booking"))

    def test_telegram_link_placeholder_renders_empty_or_link(self):
        template = self.Template.create(
            {
                "name": "Link",
                "kind": "confirmation",
                "channel": "sms",
                "body": "[{{ object.partner_id.smartbook_telegram_link }}]",
            }
        )
        booking = self.book(12)
        body = template._smartbook_render(booking)[booking.id]
        link = (
            self.client.smartbook_telegram_link if "smartbook_telegram_link" in self.client._fields else False
        )
        self.assertEqual(body, f"[{link or ''}]")

    def test_sms_fallback_per_kind(self):
        """No Telegram chat: SMS only when the kind's Telegram template falls back to it."""
        telegram = self.env.ref("smartbook_messaging.template_confirmation_telegram")
        telegram.sms_fallback = False
        booking = self.book(13)
        booking.action_confirm()
        self.assertFalse(self.messages(booking, kind="confirmation"))
        telegram.sms_fallback = True
        other = self.book(15)
        other.action_confirm()
        self.assertEqual(self.messages(other, kind="confirmation").channel, "sms")

    def test_linked_chat_gets_telegram(self):
        self.client.sudo().write({"telegram_chat_id": "4242", "smartbook_consent_telegram": True})
        booking = self.book(14)
        booking.action_confirm()
        self.assertEqual(self.messages(booking, kind="confirmation").channel, "telegram")

    def test_template_rights_per_role(self):
        employee = new_test_user(
            self.env, login="tpl_employee", groups="smartbook_crm.group_smartbook_employee"
        )
        manager = new_test_user(self.env, login="tpl_manager", groups="smartbook_crm.group_smartbook_manager")
        portal = new_test_user(self.env, login="tpl_portal", groups="base.group_portal")
        template = self.reminder_sms
        self.assertTrue(template.with_user(employee).body)
        with self.assertRaises(AccessError):
            template.with_user(employee).write({"body": "changed"})
        template.with_user(manager).write({"body": "Hi {{ object.partner_id.name }}"})
        self.assertEqual(template.body, "Hi {{ object.partner_id.name }}")
        with self.assertRaises(AccessError):
            template.with_user(portal).read(["body"])

    def test_default_templates_cover_every_kind_and_channel(self):
        kinds = [kind for kind, _label in self.Message._fields["kind"].selection]
        channels = [channel for channel, _label in self.Message._fields["channel"].selection]
        found = {(template.kind, template.channel) for template in self.Template.search([])}
        self.assertLessEqual({(kind, channel) for kind in kinds for channel in channels}, found)
