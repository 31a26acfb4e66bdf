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
