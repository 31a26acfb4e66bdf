from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    smartbook_booking_ids = fields.One2many("smartbook.booking", "partner_id", string="Bookings")
    smartbook_booking_count = fields.Integer(
        compute="_compute_smartbook_booking_count", string="Booking Count"
    )

    def _compute_smartbook_booking_count(self):
        counts = dict(
            self.env["smartbook.booking"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.smartbook_booking_count = counts.get(partner._origin, 0)

    def action_smartbook_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("smartbook_booking.smartbook_booking_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
