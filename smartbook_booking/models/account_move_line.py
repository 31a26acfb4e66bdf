from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The invoice line of one booking: its share of the invoice's residual is
    # what that booking still owes, for the pending amount per specialist.
    smartbook_booking_id = fields.Many2one(
        "smartbook.booking", string="Booking", copy=False, readonly=True, index="btree_not_null"
    )
