from odoo import api, fields, models


class SmartbookWebsiteClaim(models.Model):
    """A row per phone number (keyed hash) that booked online: claiming it
    serialises concurrent online bookings of one phone number, so that two
    requests of a new client cannot both create a client card. Under Odoo's
    REPEATABLE READ, the second ``INSERT ... ON CONFLICT DO UPDATE`` on a row
    another transaction committed meanwhile fails with a serialisation error;
    Odoo then retries the whole request, which finds the card."""

    _name = "smartbook.website.claim"
    _description = "Online Booking Phone Claim"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    claim_time = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    _sql_constraints = [("key_unique", "unique(key)", "A phone number is claimed once.")]

    @api.model
    def _smartbook_claim(self, key):
        self.env.cr.execute(
            """
            INSERT INTO smartbook_website_claim (key, claim_time)
            VALUES (%(key)s, now() at time zone 'UTC')
            ON CONFLICT (key) DO UPDATE SET claim_time = EXCLUDED.claim_time
            """,
            {"key": key},
        )

    @api.autovacuum
    def _gc_smartbook_claims(self):
        self.env.cr.execute(
            "DELETE FROM smartbook_website_claim"
            " WHERE claim_time < (now() at time zone 'UTC') - interval '1 day'"
        )
