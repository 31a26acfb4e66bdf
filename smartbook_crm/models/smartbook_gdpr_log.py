from odoo import fields, models


class SmartbookGdprLog(models.Model):
    """Who exported or erased a client's personal data, and when.

    Holds no personal data itself: the client is the (anonymised) partner."""

    _name = "smartbook.gdpr.log"
    _description = "Personal Data Request Log"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Client", index=True, ondelete="set null", readonly=True
    )
    action = fields.Selection(
        [("export", "Personal data exported"), ("erase", "Personal data erased")],
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Done By", default=lambda self: self.env.user, readonly=True, ondelete="set null"
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
