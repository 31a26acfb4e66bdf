from odoo import fields, models


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    smartbook_website_bio = fields.Text(
        string="Public Bio",
        translate=True,
        help="A few words about this specialist on their public booking page.",
    )
