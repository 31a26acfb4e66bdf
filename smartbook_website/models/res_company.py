from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _smartbook_website_place(self):
        """``(time zone, country id)`` of the business (the company's ``country_id``
        is computed from its whole address, which costs more than the page that
        shows it: its partner's column is read instead)."""
        self.ensure_one()
        self.env["res.partner"].flush_model(["country_id"])
        self.env.cr.execute(
            "SELECT p.country_id FROM res_company c JOIN res_partner p ON p.id = c.partner_id"
            " WHERE c.id = %s",
            [self.id],
        )
        [country_id] = self.env.cr.fetchone()
        return self._smartbook_tz(), country_id
