from odoo import fields, models


class SmartbookConsentLog(models.Model):
    """One line per consent given or withdrawn: the history the law asks for.

    Lines are written by the client card itself (see res.partner.write) and are
    never edited afterwards."""

    _name = "smartbook.consent.log"
    _description = "Client Consent History"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    channel = fields.Selection(
        [("sms", "SMS"), ("telegram", "Telegram"), ("email", "Email"), ("marketing", "Marketing")],
        required=True,
    )
    granted = fields.Boolean(help="Checked when consent was given, unchecked when withdrawn.")
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Changed By",
        default=lambda self: self.env.user,
        readonly=True,
        ondelete="set null",
    )
