from odoo import api, fields, models

from ..tools.slug import slugify


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    smartbook_bookable = fields.Boolean(
        string="Bookable", help="Clients and staff can book this employee's services."
    )
    smartbook_slot_step = fields.Integer(
        string="Slot Step (minutes)",
        default=30,
        help="Slots start only on multiples of this step from the start of each working interval: "
        "60 offers slots on the hour of a day starting at 9:00.",
    )
    smartbook_service_ids = fields.Many2many(
        "smartbook.service",
        "smartbook_service_hr_employee_rel",
        "employee_id",
        "service_id",
        string="Services",
    )
    smartbook_slug = fields.Char(
        string="Booking Page Slug",
        copy=False,
        index="btree_not_null",
        help="The public address of this specialist's booking page: /book/specialist/<slug>.",
    )

    _sql_constraints = [
        (
            "smartbook_slug_unique",
            "unique(smartbook_slug)",
            "Another specialist already has this booking page slug.",
        ),
        ("smartbook_slot_step_positive", "check(smartbook_slot_step > 0)", "The slot step must be positive."),
    ]

    @api.onchange("name", "smartbook_bookable")
    def _onchange_smartbook_slug(self):
        for employee in self:
            if employee.smartbook_bookable and not employee.smartbook_slug and employee.name:
                employee.smartbook_slug = slugify(employee.name)

    def action_smartbook_leaves(self):
        """This specialist's time off, and the public holidays of their working hours."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Time Off of %(specialist)s", specialist=self.name),
            "res_model": "resource.calendar.leaves",
            "view_mode": "list,form",
            "domain": [
                "|",
                ("resource_id", "=", self.resource_id.id),
                "&",
                ("resource_id", "=", False),
                ("calendar_id", "in", [False, self.resource_calendar_id.id]),
            ],
            "context": {
                "default_resource_id": self.resource_id.id,
                "default_calendar_id": self.resource_calendar_id.id,
                "default_company_id": self.company_id.id,
            },
        }
