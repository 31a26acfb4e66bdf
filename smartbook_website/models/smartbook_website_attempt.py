from odoo import api, fields, models

from ..tools.booking_params import RATE_WINDOW


class SmartbookWebsiteAttempt(models.Model):
    """One online booking attempt, counted for the rate limit of /smartbook/book
    under a keyed hash of the client's IP address and of the phone number typed
    (never the values themselves). Kept in the database so that every worker of a
    multi-process server counts the same attempts; rows older than a day are
    removed by the daily autovacuum."""

    _name = "smartbook.website.attempt"
    _description = "Online Booking Attempt"
    _log_access = False

    key = fields.Char(required=True, index=True, readonly=True)
    attempt_time = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS smartbook_website_attempt_key_time_index"
            " ON smartbook_website_attempt (key, attempt_time)"
        )

    @api.model
    def _smartbook_count(self, keys):
        """Attempts per key over the rate-limit window, in one query."""
        if not keys:
            return {}
        self.env.cr.execute(
            """
            SELECT key, count(*)
              FROM smartbook_website_attempt
             WHERE key = ANY(%s) AND attempt_time > (now() at time zone 'UTC') - %s
             GROUP BY key
            """,
            [list(keys), RATE_WINDOW],
        )
        counts = dict.fromkeys(keys, 0)
        counts.update(self.env.cr.fetchall())
        return counts

    @api.model
    def _smartbook_record(self, keys):
        """Count one attempt under each key (one INSERT, no ORM bookkeeping)."""
        if keys:
            self.env.cr.execute(
                """
                INSERT INTO smartbook_website_attempt (key, attempt_time)
                SELECT unnest(%s::varchar[]), now() at time zone 'UTC'
                """,
                [list(keys)],
            )

    @api.autovacuum
    def _gc_smartbook_attempts(self):
        self.env.cr.execute(
            "DELETE FROM smartbook_website_attempt"
            " WHERE attempt_time < (now() at time zone 'UTC') - interval '1 day'"
        )
