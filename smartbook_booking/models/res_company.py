from odoo import fields, models


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
