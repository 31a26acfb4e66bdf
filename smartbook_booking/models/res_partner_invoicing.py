from odoo import fields, models


class ResPartner(models.Model):
    # The money side of the client card; its visit statistics are in res_partner.py.
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # Read fresh from the bookings and their invoices (smartbook.booking's
    # _smartbook_money_query), never stored: a payment shows at once. Taxes included;
    # smartbook_revenue = smartbook_paid_amount + smartbook_pending_amount.
    smartbook_pending_amount = fields.Monetary(
        compute="_compute_smartbook_money",
        string="Pending Amount",
        currency_field="currency_id",
        help="Visits done and not paid yet, taxes included: what remains due on the invoices of the"
        " visits (their share of it) plus the visits done and not invoiced yet.",
    )
    smartbook_paid_amount = fields.Monetary(
        compute="_compute_smartbook_money",
        string="Paid Amount",
        currency_field="currency_id",
        help="What the client has paid for their visits, taxes included: the paid part of the"
        " invoices of the visits.",
    )
    smartbook_upcoming_amount = fields.Monetary(
        compute="_compute_smartbook_money",
        string="Upcoming Amount",
        currency_field="currency_id",
        help="The confirmed bookings still to come, taxes included. Not part of the pending amount:"
        " nothing is owed before the visit.",
    )

    def _compute_smartbook_money(self):
        money = self.env["smartbook.booking"]._smartbook_money_by("partner_id", self._origin.ids)
        for partner in self:
            amounts = money.get(partner._origin.id, {})
            partner.smartbook_pending_amount = amounts.get("pending", 0.0)
            partner.smartbook_paid_amount = amounts.get("paid", 0.0)
            partner.smartbook_upcoming_amount = amounts.get("upcoming", 0.0)

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
