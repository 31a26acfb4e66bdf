from odoo import fields, models


class SmartbookSource(models.Model):
    _name = "smartbook.source"
    _description = "Client Source"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    client_count = fields.Integer(compute="_compute_client_count", string="Clients")

    _sql_constraints = [
        ("name_unique", "unique(name)", "A client source with this name already exists."),
    ]

    def _compute_client_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("smartbook_source_id", "in", self.ids)],
                ["smartbook_source_id"],
                ["__count"],
            )
        )
        for source in self:
            source.client_count = counts.get(source, 0)
