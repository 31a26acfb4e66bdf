from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_amount, format_date, format_time

from odoo.addons.smartbook_booking.models.smartbook_booking import IMPORT_HISTORY_KEY

# States that end a visit: what is still queued for it has no reason to go out.
ENDED_STATES = ("done", "no_show")


def dedupe_key(kind, booking_id, start, channel, *extra):
    """The outbox key of a message about one booking: booking + kind + channel +
    start time, with ``extra`` parts (a reminder's offset in minutes)."""
    return ":".join([kind, str(booking_id), start.strftime("%Y%m%dT%H%M%S"), *map(str, extra), channel])


class SmartbookBooking(models.Model):
    """Messaging's side of the booking lifecycle: what a client (and the specialist,
    for online bookings) is told when a booking is confirmed, moved or cancelled,
    and what becomes of messages still queued for it."""

    _inherit = "smartbook.booking"

    smartbook_message_ids = fields.One2many("smartbook.message", "booking_id", string="Outbox Messages")
    # What templates show, in the reader's language (the context's) and the
    # business's time zone.
    smartbook_local_date = fields.Char(compute="_compute_smartbook_local_texts", string="Local Date")
    smartbook_local_time = fields.Char(compute="_compute_smartbook_local_texts", string="Local Time")
    smartbook_price_text = fields.Char(compute="_compute_smartbook_price_text", string="Price Text")
    smartbook_state_label = fields.Char(compute="_compute_smartbook_price_text", string="State Label")
    smartbook_manage_url = fields.Char(compute="_compute_smartbook_manage_url", string="Manage Link")

    # ------------------------------------------------------------------ texts for templates

    def _smartbook_business_tz(self):
        """The time zone the business reads this booking's time in: the
        specialist's (as the slot engine computes slots), else their calendar's,
        else the company's."""
        self.ensure_one()
        return (
            self.employee_id.resource_id.tz
            or self.employee_id.resource_calendar_id.tz
            or self.company_id._smartbook_tz()
        )

    @api.depends("start", "employee_id", "company_id")
    @api.depends_context("lang")
    def _compute_smartbook_local_texts(self):
        lang = self.env.lang or "en_US"
        texts = {}  # bookings at the same time read the same: format each moment once
        for booking in self:
            if not booking.start:
                booking.smartbook_local_date = booking.smartbook_local_time = ""
                continue
            key = (booking.start, booking._smartbook_business_tz())
            if key not in texts:
                start, tz = key
                texts[key] = (
                    format_date(self.env, _local(start, tz), lang_code=lang, date_format="full"),
                    format_time(self.env, start, tz=tz, time_format="short", lang_code=lang),
                )
            booking.smartbook_local_date, booking.smartbook_local_time = texts[key]

    @api.depends("price", "currency_id", "state")
    @api.depends_context("lang")
    def _compute_smartbook_price_text(self):
        lang = self.env.lang or "en_US"
        states = dict(self._fields["state"]._description_selection(self.env))
        amounts = {}
        for booking in self:
            key = (booking.price, booking.currency_id)
            if key not in amounts:
                amounts[key] = (
                    format_amount(self.env, booking.price, booking.currency_id, lang_code=lang)
                    if booking.currency_id
                    else ""
                )
            booking.smartbook_price_text = amounts[key]
            booking.smartbook_state_label = states.get(booking.state, "")

    def _compute_smartbook_manage_url(self):
        real = self.filtered("id")
        missing = real.filtered(lambda booking: not booking.access_token)
        if missing:
            # portal.mixin would write one token per booking: one statement for all.
            self.env.cr.execute(
                SQL(
                    "UPDATE smartbook_booking SET access_token = gen_random_uuid()::text"
                    " WHERE id = ANY(%s) AND access_token IS NULL",
                    missing.ids,
                )
            )
            missing.invalidate_recordset(["access_token"])
        base_urls = {}  # one per company, not one lookup per booking
        for booking in self:
            if not booking.id:
                booking.smartbook_manage_url = ""
                continue
            if booking.company_id not in base_urls:
                base_urls[booking.company_id] = booking.get_base_url()
            booking.smartbook_manage_url = (
                f"{base_urls[booking.company_id]}{booking.access_url}?access_token={booking.access_token}"
            )

    # ------------------------------------------------------------------ lifecycle hooks

    def _smartbook_after_transition(self, old_states):
        result = super()._smartbook_after_transition(old_states)
        if self.env.context.get(IMPORT_HISTORY_KEY) or not self:
            return result
        bookings = self.sudo()
        confirmed = bookings.filtered(lambda booking: booking.state == "confirmed")
        cancelled = bookings.filtered(lambda booking: booking.state == "cancelled")
        ended = bookings.filtered(lambda booking: booking.state in ENDED_STATES)
        if cancelled:
            cancelled._smartbook_cancel_queued()
        if ended:
            ended._smartbook_cancel_queued(kinds=("reminder",))
        vals_list = []
        if confirmed:
            vals_list += confirmed._smartbook_client_messages("confirmation")
            confirmed._smartbook_arm_reminders()
        if cancelled:
            vals_list += cancelled._smartbook_client_messages("cancelled")
        online = (confirmed | cancelled).filtered(
            lambda booking: booking.channel == "website"
            and (booking.state == "cancelled" or old_states.get(booking.id) in (False, "draft"))
        )
        if online:
            vals_list += online._smartbook_staff_notice()
        if vals_list:
            self.env["smartbook.message"].sudo()._smartbook_enqueue(vals_list)
        return result

    def _smartbook_after_reschedule(self, old_starts):
        result = super()._smartbook_after_reschedule(old_starts)
        if self.env.context.get(IMPORT_HISTORY_KEY) or not self:
            return result
        bookings = self.sudo()
        # Reminders armed for the old time never leave; the next enqueue run arms
        # the new ones (their keys hold the start time).
        bookings._smartbook_drop_queued_reminders()
        confirmed = bookings.filtered(lambda booking: booking.state == "confirmed")
        if confirmed:
            stamp = fields.Datetime.now().strftime("%Y%m%dT%H%M%S")
            vals_list = confirmed._smartbook_client_messages(
                "rescheduled", extra=dict.fromkeys(confirmed.ids, (stamp,))
            )
            if vals_list:
                self.env["smartbook.message"].sudo()._smartbook_enqueue(vals_list)
            confirmed._smartbook_arm_reminders()
        return result

    # ------------------------------------------------------------------ what is queued

    def _smartbook_cancel_queued(self, kinds=None):
        """Cancel what is still queued for these bookings (of ``kinds``, or all)."""
        domain = [("booking_id", "in", self.ids), ("state", "=", "queued")]
        if kinds:
            domain.append(("kind", "in", list(kinds)))
        queued = self.env["smartbook.message"].sudo().search(domain)
        if queued:
            queued.write({"state": "cancelled"})

    def _smartbook_drop_queued_reminders(self):
        """Delete the queued reminders of these bookings: armed for a time that no
        longer holds, they never left, and their keys must be free again should the
        booking come back to that time."""
        self.env["smartbook.message"].sudo().search(
            [("booking_id", "in", self.ids), ("state", "=", "queued"), ("kind", "=", "reminder")]
        ).unlink()

    def _smartbook_arm_reminders(self):
        """Have the enqueue action run when the first reminder of these bookings is due."""
        due = [
            booking.start - timedelta(minutes=minutes)
            for booking in self
            for minutes in booking.service_id._smartbook_reminder_minutes()
        ]
        now = fields.Datetime.now()
        upcoming = [moment for moment in due if moment > now]
        if upcoming:
            self.env.ref("smartbook_messaging.ir_cron_smartbook_enqueue").sudo()._trigger(at=min(upcoming))

    # ------------------------------------------------------------------ messages

    def _smartbook_client_messages(self, kind, extra=None):
        """Outbox values of ``kind`` for the clients of these bookings, each on
        its channel and in its language; ``extra`` maps a booking id to more parts
        of its dedupe key (a reminder's offset)."""
        Template = self.env["smartbook.message.template"].sudo()
        extra = extra or {}
        vals_list = []
        for company, bookings in self.grouped("company_id").items():
            vals_list += Template._smartbook_messages(
                company,
                bookings,
                kind,
                lambda booking, channel: dedupe_key(
                    kind, booking.id, booking.start, channel, *extra.get(booking.id, ())
                ),
            )
        return vals_list

    def _smartbook_staff_notice(self):
        """Tell the specialists about online bookings made or cancelled: a note in
        the booking's chatter that notifies their user, and a Telegram message
        when their work contact linked a chat. Returns the outbox values."""
        Template = self.env["smartbook.message.template"].sudo()
        vals_list = []
        for company, bookings in self.grouped("company_id").items():
            templates = Template._smartbook_templates("staff_notice", company)
            any_template = templates.get("telegram") or next(iter(templates.values()), None)
            for booking in bookings:
                contact = booking.employee_id.work_contact_id
                user = booking.employee_id.user_id
                lang = user.lang or contact.lang or company.partner_id.lang or "en_US"
                if any_template:
                    text = any_template._smartbook_render(booking, langs={booking.id: lang})[booking.id]
                else:
                    text = booking.display_name
                if user:
                    booking.message_post(
                        body=Markup("<p>%s</p>") % text,
                        partner_ids=user.partner_id.ids,
                        subtype_xmlid="mail.mt_note",
                    )
                telegram = templates.get("telegram")
                if telegram and contact and contact.sudo().telegram_chat_id:
                    body = telegram._smartbook_render(booking, langs={booking.id: lang})[booking.id]
                    vals_list.append(
                        {
                            "channel": "telegram",
                            "kind": "staff_notice",
                            "partner_id": contact.id,
                            "booking_id": booking.id,
                            "template_id": telegram.id,
                            "company_id": company.id,
                            "body": body,
                            "dedupe_key": dedupe_key(
                                "staff_notice", booking.id, booking.start, "telegram", booking.state
                            ),
                        }
                    )
        return vals_list


def _local(naive_utc, tz_name):
    """``naive_utc`` as an aware datetime in ``tz_name``."""
    try:
        zone = pytz.timezone(tz_name)
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc
    return pytz.utc.localize(naive_utc).astimezone(zone)
