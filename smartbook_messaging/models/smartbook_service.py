from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.reminder_offsets import MAX_REMINDER_HOURS, format_reminder_hours, parse_reminder_hours


class SmartbookService(models.Model):
    _inherit = "smartbook.service"

    smartbook_reminder_hours = fields.Char(
        string="Reminders (hours before)",
        default="24,2",
        help="When clients are reminded of a visit, in hours before it starts, separated by commas "
        "(e.g. 24, 2). Empty: no reminder.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "smartbook_reminder_hours" in vals:
                vals["smartbook_reminder_hours"] = self._smartbook_normal_reminder_hours(
                    vals["smartbook_reminder_hours"]
                )
        return super().create(vals_list)

    def write(self, vals):
        if "smartbook_reminder_hours" in vals:
            hours = self._smartbook_normal_reminder_hours(vals["smartbook_reminder_hours"])
            vals = dict(vals, smartbook_reminder_hours=hours)
        return super().write(vals)

    @api.model
    def _smartbook_normal_reminder_hours(self, text):
        """``text`` in the form the enqueue query splits (``"24,2"``), or an error
        the manager can act on."""
        try:
            return format_reminder_hours(parse_reminder_hours(text)) or False
        except ValueError as error:
            raise ValidationError(
                self.env._(
                    "Reminders are hours before the visit separated by commas, each above 0 and at"
                    " most %(max)s: “%(value)s” is not one.",
                    max=MAX_REMINDER_HOURS,
                    value=error.args[0],
                )
            ) from error

    def _smartbook_reminder_minutes(self):
        """The reminder offsets of this service in minutes, largest first."""
        self.ensure_one()
        return parse_reminder_hours(self.smartbook_reminder_hours)
