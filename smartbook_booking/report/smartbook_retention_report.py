from odoo import fields, models, tools
from odoo.tools import SQL


class SmartbookRetentionReport(models.Model):
    """Retention by cohort: one read-only row per client who has had a visit (a
    done booking), in the cohort of the month of their first visit. A client came
    back within N days when their next visit on a later day is at most N days
    after the first; the pivot sums the counts and averages the 0/100 rates, so a
    cohort's rate is the share of its new clients who came back."""

    _name = "smartbook.retention.report"
    _description = "Client Retention Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "first_visit desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    first_visit = fields.Date(readonly=True)
    cohort_month = fields.Date(readonly=True, help="The month of the first visit.")
    next_visit = fields.Date(readonly=True)
    days_to_return = fields.Integer(string="Days to Return", readonly=True, aggregator="avg")
    new_clients = fields.Integer(readonly=True)
    returned_30 = fields.Integer(string="Back within 30 Days", readonly=True)
    returned_60 = fields.Integer(string="Back within 60 Days", readonly=True)
    returned_90 = fields.Integer(string="Back within 90 Days", readonly=True)
    returned_30_rate = fields.Float(string="Back within 30 Days (%)", readonly=True, aggregator="avg")
    returned_60_rate = fields.Float(string="Back within 60 Days (%)", readonly=True, aggregator="avg")
    returned_90_rate = fields.Float(string="Back within 90 Days (%)", readonly=True, aggregator="avg")

    def _query(self):
        # Days are UTC days: a second service right after the first is the same
        # visit, not a return.
        returned = {
            days: SQL("CASE WHEN returns.next_day - returns.first_day <= %s THEN 1 ELSE 0 END", days)
            for days in (30, 60, 90)
        }
        return SQL(
            """
            WITH visits AS (
                SELECT partner_id, start::date AS day FROM smartbook_booking WHERE state = 'done'
            ), firsts AS (
                SELECT partner_id, MIN(day) AS first_day FROM visits GROUP BY partner_id
            ), returns AS (
                SELECT firsts.partner_id, firsts.first_day, MIN(visits.day) AS next_day
                  FROM firsts
                  LEFT JOIN visits ON visits.partner_id = firsts.partner_id AND visits.day > firsts.first_day
                 GROUP BY firsts.partner_id, firsts.first_day
            )
            SELECT returns.partner_id AS id,
                   returns.partner_id,
                   returns.first_day AS first_visit,
                   date_trunc('month', returns.first_day)::date AS cohort_month,
                   returns.next_day AS next_visit,
                   returns.next_day - returns.first_day AS days_to_return,
                   1 AS new_clients,
                   %(returned_30)s AS returned_30,
                   %(returned_60)s AS returned_60,
                   %(returned_90)s AS returned_90,
                   100.0 * %(returned_30)s AS returned_30_rate,
                   100.0 * %(returned_60)s AS returned_60_rate,
                   100.0 * %(returned_90)s AS returned_90_rate
              FROM returns
            """,
            returned_30=returned[30],
            returned_60=returned[60],
            returned_90=returned[90],
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
