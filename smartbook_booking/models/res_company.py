from odoo import fields, models
from odoo.exceptions import AccessError


class ResCompany(models.Model):
    _inherit = "res.company"

    smartbook_sleeping_days = fields.Integer(
        string="Sleeping Client After (days)",
        default=90,
        help="A client who has visited but not for this many days is marked as sleeping; 0: never.",
    )

    _sql_constraints = [
        (
            "smartbook_sleeping_days_positive",
            "CHECK(smartbook_sleeping_days >= 0)",
            "The number of days after which a client is sleeping cannot be negative.",
        ),
    ]

    def write(self, vals):
        """SmartBook managers set their business up (SmartBook > Configuration >
        Settings) without being Odoo administrators: their access right on companies
        is for the SmartBook settings (``smartbook_*`` fields) alone."""
        if not self.env.su and not self.env.user.has_group("base.group_erp_manager"):
            others = sorted(name for name in vals if not name.startswith("smartbook_"))
            if others:
                raise AccessError(
                    self.env._(
                        "Only administrators can change these company details: %(fields)s.",
                        fields=", ".join(
                            self._fields[name].string for name in others if name in self._fields
                        ),
                    )
                )
        return super().write(vals)

    def _smartbook_tz(self):
        """The business's time zone, the one place that says it: its address's, else
        that of its working hours, else UTC. Booking pages, messages, quiet hours and
        birthdays show and count times in it."""
        self.ensure_one()
        # One query, not three records: the booking pages ask on every request.
        self.env["res.company"].flush_model(["partner_id", "resource_calendar_id"])
        self.env["res.partner"].flush_model(["tz"])
        self.env["resource.calendar"].flush_model(["tz"])
        self.env.cr.execute(
            """
            SELECT COALESCE(NULLIF(p.tz, ''), NULLIF(cal.tz, ''), 'UTC')
              FROM res_company c
              JOIN res_partner p ON p.id = c.partner_id
              LEFT JOIN resource_calendar cal ON cal.id = c.resource_calendar_id
             WHERE c.id = %s
            """,
            [self.id],
        )
        return self.env.cr.fetchone()[0]

    def _smartbook_settings_action(self):
        """The current company's SmartBook settings, as a manager edits them."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("SmartBook Settings"),
            "res_model": "res.company",
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("smartbook_booking.res_company_view_form_smartbook_settings").id, "form")
            ],
            "target": "current",
        }
