from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _smartbook_website_tz(self):
        """The business's time zone, in which the booking pages show times: the
        company's own, else that of its working hours, else UTC."""
        return self._smartbook_tz()
