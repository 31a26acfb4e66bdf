from odoo import api, fields, models
from odoo.exceptions import UserError


class SmartbookGdprErase(models.TransientModel):
    """Erasure cannot be undone: the manager says so before it runs."""

    _name = "smartbook.gdpr.erase"
    _description = "Erase a Client's Personal Data"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, readonly=True, ondelete="cascade"
    )
    partner_name = fields.Char(related="partner_id.name", string="Client Name")
    understood = fields.Boolean(
        string="I understand",
        help="Name, contacts, address, notes, photos and messages are removed for good; "
        "invoices and payments stay.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "partner_id" in fields_list
            and not values.get("partner_id")
            and context.get("active_model") == "res.partner"
        ):
            values["partner_id"] = context.get("active_id")
        return values

    def action_erase(self):
        self.ensure_one()
        self.partner_id._smartbook_check_gdpr_rights()
        if not self.understood:
            raise UserError(self.env._("Tick “I understand” to erase the client's personal data."))
        self.partner_id.action_smartbook_gdpr_erase()
        # The card reloads and says the data is gone.
        return {"type": "ir.actions.act_window_close"}
