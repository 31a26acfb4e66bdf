from odoo import fields, models


class SmartbookClientPhoto(models.Model):
    """Before/after pictures of a client's treatments."""

    _name = "smartbook.client.photo"
    _description = "Client Photo"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    image_1920 = fields.Image(string="Photo", required=True, max_width=1920, max_height=1920)
    image_256 = fields.Image(
        related="image_1920", string="Thumbnail", max_width=256, max_height=256, store=True
    )
    date = fields.Date(default=fields.Date.context_today, required=True)
    note = fields.Char(help="What the picture shows: before or after, which treatment.")
