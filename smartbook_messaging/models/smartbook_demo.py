from datetime import timedelta

from odoo import api, fields, models

# The outbox of the demo: how many upcoming bookings were confirmed to their client.
DEMO_CONFIRMED = 16


class SmartbookDemo(models.AbstractModel):
    _inherit = "smartbook.demo"

    @api.model
    def _generate_messaging_data(self):
        """The outbox as a salon finds it after a few days of SmartBook: the
        confirmations of the next bookings (the older half delivered, one refused
        by the gateway, the rest waiting for the send action) and the reminders
        due now. Bookings of the demo are history (made without messages), so the
        lifecycle's own enqueue path is run on them here."""
        now = fields.Datetime.now()
        Message = self.env["smartbook.message"]
        upcoming = self.env["smartbook.booking"].search(
            [("state", "=", "confirmed"), ("start", ">", now)], order="start", limit=DEMO_CONFIRMED
        )
        confirmations = Message._smartbook_enqueue(upcoming._smartbook_client_messages("confirmation"))
        Message._smartbook_enqueue_reminders(now=now)
        delivered = confirmations[: len(confirmations) // 2]
        for index, message in enumerate(delivered):
            message.write(
                {
                    "state": "delivered",
                    "attempts": 1,
                    "sent_at": now - timedelta(hours=index + 1),
                    "provider_ref": f"SMdemo{message.id:026d}",
                }
            )
        confirmations[len(delivered) : len(delivered) + 1].write(
            {
                "state": "failed",
                "attempts": 1,
                "error": "Twilio 21211: The 'To' number is not a valid phone number.",
            }
        )
        return confirmations
