from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.recurrence import weekly_occurrences

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SmartbookSessionGenerator(models.TransientModel):
    """Plan a group class on given weekdays and hours for a period, e.g. Tuesday
    and Thursday at 18:00 for three months."""

    _name = "smartbook.session.generator"
    _description = "Group Class Schedule Generator"

    service_id = fields.Many2one("smartbook.service", required=True, domain=[("is_group", "=", True)])
    employee_id = fields.Many2one("hr.employee", string="Instructor", required=True)
    date_from = fields.Date(required=True, default=fields.Date.context_today)
    date_to = fields.Date(required=True)
    hour = fields.Float(string="Time", required=True, default=18.0, help="Local time of the instructor.")
    capacity = fields.Integer(compute="_compute_capacity", store=True, readonly=False)
    mon = fields.Boolean(string="Monday")
    tue = fields.Boolean(string="Tuesday")
    wed = fields.Boolean(string="Wednesday")
    thu = fields.Boolean(string="Thursday")
    fri = fields.Boolean(string="Friday")
    sat = fields.Boolean(string="Saturday")
    sun = fields.Boolean(string="Sunday")

    @api.depends("service_id")
    def _compute_capacity(self):
        for wizard in self:
            wizard.capacity = wizard.service_id.capacity or 1

    def action_generate(self):
        self.ensure_one()
        weekdays = [index for index, name in enumerate(WEEKDAYS) if self[name]]
        if not weekdays:
            raise UserError(self.env._("Pick at least one day of the week."))
        if self.date_to < self.date_from:
            raise UserError(self.env._("The end date is before the start date."))
        if (self.date_to - self.date_from).days > 366:
            raise UserError(self.env._("Plan at most one year at a time."))
        starts = weekly_occurrences(
            self.date_from, self.date_to, weekdays, self.hour, self.employee_id.tz or self.env.user.tz
        )
        Session = self.env["smartbook.session"]
        created, skipped = Session, []
        for start in starts:
            try:
                with self.env.cr.savepoint():
                    created |= Session.create(
                        {
                            "service_id": self.service_id.id,
                            "employee_id": self.employee_id.id,
                            "start": start,
                            "capacity": self.capacity,
                        }
                    )
            except ValidationError:
                skipped.append(start)
        action = self.env["ir.actions.act_window"]._for_xml_id("smartbook_booking.smartbook_session_action")
        action["domain"] = [("id", "in", created.ids)]
        action["views"] = [(False, "list"), (False, "form")]
        if skipped:
            message = self.env._(
                "%(created)s sessions planned; %(skipped)s skipped because the instructor is busy then.",
                created=len(created),
                skipped=len(skipped),
            )
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {"message": message, "type": "warning", "sticky": True, "next": action},
            }
        return action
