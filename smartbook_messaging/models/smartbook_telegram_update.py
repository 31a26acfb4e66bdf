from odoo import api, fields, models

# Telegram resends an update until the webhook answered 200; a few days of ids is plenty.
KEEP_DAYS = 7


class SmartbookTelegramUpdate(models.Model):
    """The Telegram updates already processed, per company: a repeated ``update_id``
    is ignored. The unique key makes it hold when two workers get the same update."""

    _name = "smartbook.telegram.update"
    _description = "Processed Telegram Update"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    update_id = fields.Char(string="Update ID", required=True)
    received_at = fields.Datetime(required=True, default=fields.Datetime.now)

    _sql_constraints = [
        ("update_unique", "unique(company_id, update_id)", "This Telegram update was already processed."),
    ]

    @api.model
    def _smartbook_claim(self, company_id, update_id):
        """Record ``update_id`` as processed; False when it already was.

        A concurrent transaction holding the same id makes this wait for it; if it
        commits, this raises a serialization failure (REPEATABLE READ), which Odoo's
        HTTP layer retries in a fresh transaction: that one sees the id and gets False."""
        self.env.cr.execute(
            """
            INSERT INTO smartbook_telegram_update (company_id, update_id, received_at)
            VALUES (%s, %s, now() at time zone 'UTC')
            ON CONFLICT (company_id, update_id) DO NOTHING
            RETURNING id
            """,
            [company_id, str(update_id)],
            log_exceptions=False,  # a concurrency failure is retried, not an error
        )
        claimed = bool(self.env.cr.fetchone())
        if claimed and int(update_id) % 100 == 0:
            self.env.cr.execute(
                "DELETE FROM smartbook_telegram_update"
                " WHERE received_at < now() at time zone 'UTC' - %s::interval",
                [f"{KEEP_DAYS} days"],
            )
        return claimed
