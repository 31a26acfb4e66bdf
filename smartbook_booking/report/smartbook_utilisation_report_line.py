from odoo import api, fields, models


class SmartbookUtilisationReportLine(models.TransientModel):
    _name = "smartbook.utilisation.report.line"
    _description = "Employee Utilisation Line"
    _order = "utilisation desc, id"

    report_id = fields.Many2one("smartbook.utilisation.report", required=True, ondelete="cascade")
    employee_id = fields.Many2one("hr.employee", string="Specialist", readonly=True)
    date_from = fields.Date(related="report_id.date_from")
    date_to = fields.Date(related="report_id.date_to")
    available_hours = fields.Float(readonly=True)
    booked_hours = fields.Float(readonly=True)
    free_hours = fields.Float(compute="_compute_utilisation", store=True)
    utilisation = fields.Float(
        compute="_compute_utilisation",
        string="Utilisation (%)",
        store=True,
        aggregator=None,
        help="Booked hours as a share of available hours.",
    )

    @api.depends("available_hours", "booked_hours")
    def _compute_utilisation(self):
        for line in self:
            line.free_hours = max(0.0, line.available_hours - line.booked_hours)
            line.utilisation = (
                100.0 * line.booked_hours / line.available_hours if line.available_hours else 0.0
            )
