from odoo import fields, models


class ResPartner(models.Model):
    # The money side of the client card; its visit statistics are in res_partner.py.
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    smartbook_pending_amount = fields.Monetary(
        compute="_compute_smartbook_money",
        string="Pending Amount",
        currency_field="currency_id",
        help="What the client has booked or been invoiced and not paid yet: the price of their booked"
        " and done bookings without a posted invoice, plus what remains to pay on posted invoices"
        " of their bookings.",
    )
    smartbook_paid_amount = fields.Monetary(
        compute="_compute_smartbook_money",
        string="Paid Amount",
        currency_field="currency_id",
        help="What the client has paid on the invoices of their bookings.",
    )

    def _compute_smartbook_money(self):
        money = self.env["smartbook.booking"]._smartbook_money_by("partner_id", self._origin.ids)
        for partner in self:
            partner.smartbook_pending_amount, partner.smartbook_paid_amount = money.get(
                partner._origin.id, (0.0, 0.0)
            )

    def action_smartbook_pending_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("smartbook_booking.smartbook_booking_action")
        booking_ids = self.env["smartbook.booking"]._smartbook_pending_booking_ids(self.ids)
        action.update(
            name=self.env._("Pending Bookings"),
            domain=[("id", "in", booking_ids)],
            context={"default_partner_id": self.id},
            view_mode="list,form",
            views=[(False, "list"), (False, "form")],
        )
        return action

    def action_smartbook_booking_invoices(self):
        self.ensure_one()
        # sudo: an accountant outside SmartBook may open these invoices without reading bookings.
        bookings = self.env["smartbook.booking"].sudo().search([("partner_id", "=", self.id)])
        invoices = self.env["account.move"].browse(bookings.invoice_id.ids)
        return self.env["smartbook.booking"]._smartbook_invoices_action(invoices)
