from odoo import fields, models

# The outbox's lists, in one place.
MESSAGE_STATES = [
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
CHANNELS = [("telegram", "Telegram"), ("sms", "SMS"), ("email", "Email")]
KINDS = [
    ("confirmation", "Booking Confirmed"),
    ("reminder", "Reminder"),
    ("rescheduled", "Booking Rescheduled"),
    ("cancelled", "Booking Cancelled"),
    ("birthday", "Birthday Greeting"),
    ("winback", "Win-back"),
    ("campaign", "Campaign"),
    ("staff_notice", "Staff Notice"),
]
# Kinds a client receives only with marketing consent (and never once erased or
# blacklisted from booking).
MARKETING_KINDS = ("birthday", "winback", "campaign")
# Kinds about one booking.
BOOKING_KINDS = ("confirmation", "reminder", "rescheduled", "cancelled", "staff_notice")


class SmartbookMessage(models.Model):
    _name = "smartbook.message"
    _description = "Outbox Message"
    _order = "id desc"

    channel = fields.Selection(CHANNELS, required=True, index=True)
    kind = fields.Selection(KINDS, required=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Recipient", required=True, index=True, ondelete="cascade")
    booking_id = fields.Many2one("smartbook.booking", index="btree_not_null", ondelete="cascade")
    campaign_id = fields.Many2one("smartbook.campaign", index="btree_not_null", ondelete="cascade")
    template_id = fields.Many2one("smartbook.message.template", ondelete="set null")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    body = fields.Text()
    state = fields.Selection(MESSAGE_STATES, default="queued", required=True, index=True)
    attempts = fields.Integer(default=0)
    next_try = fields.Datetime(
        string="Next Try", default=fields.Datetime.now, index=True, help="Not sent before this time (UTC)."
    )
    sending_since = fields.Datetime(readonly=True)
    sent_at = fields.Datetime(readonly=True)
    error = fields.Char()
    provider_ref = fields.Char(string="Provider Reference", index="btree_not_null")
    dedupe_key = fields.Char(required=True)

    _sql_constraints = [
        ("dedupe_key_unique", "unique(dedupe_key)", "This message is already in the outbox."),
    ]

    # Filled in by the outbox work: see the scheduled actions in data/ir_cron.xml.
    def _cron_enqueue(self):
        return True

    def _cron_send(self):
        return True
