from odoo import api, fields, models

from .smartbook_service import from_epoch

MANAGER_GROUP = "smartbook_crm.group_smartbook_manager"


class SmartbookBooking(models.Model):
    # Its own file: the board's read side, apart from the booking lifecycle.
    _inherit = "smartbook.booking"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def smartbook_board_data(self, date_from, date_to, employee_ids=None):
        """What the schedule board draws between ``date_from`` and ``date_to``
        (UTC, ``YYYY-MM-DD HH:MM:SS``): the bookable specialists the user may see
        (an employee: their own column only), their working intervals and leaves
        from the slot engine's working-time code, their group sessions and their
        bookings (cancelled ones included, the board hides them by default).

        Everything is read in a fixed number of queries whatever the number of
        specialists or days; records are read as the user, so record rules apply.
        Times are UTC strings."""
        start = fields.Datetime.to_datetime(date_from)
        end = fields.Datetime.to_datetime(date_to)
        is_manager = self.env.user.has_group(MANAGER_GROUP)
        domain = [("smartbook_bookable", "=", True)]
        if employee_ids:
            domain.append(("id", "in", list(employee_ids)))
        if not is_manager:
            domain.append(("user_id", "=", self.env.uid))
        employees = self.env["hr.employee"].search(domain, order="name, id")
        work, leaves, _steps = self.env["smartbook.service"]._smartbook_work_time(employees, start, end)

        to_string = fields.Datetime.to_string
        bookings = self.search_read(
            [
                ("employee_id", "in", employees.ids),
                ("session_id", "=", False),
                ("start", "<", end),
                ("stop", ">", start),
            ],
            ["partner_id", "service_id", "employee_id", "state", "start", "stop", "note"],
            order="start, id",
        )
        sessions = self.env["smartbook.session"].search(
            [
                ("employee_id", "in", employees.ids),
                ("state", "!=", "cancelled"),
                ("start", "<", end),
                ("stop", ">", start),
            ],
            order="start, id",
        )
        return {
            "is_manager": is_manager,
            "employees": [
                {
                    "id": employee.id,
                    "name": employee.name,
                    "job_title": employee.job_title or "",
                    "avatar_url": f"/web/image/hr.employee/{employee.id}/avatar_128",
                    "work": [[to_string(s), to_string(e)] for s, e in work.get(employee.id, ())],
                    "leaves": [
                        [to_string(from_epoch(s)), to_string(from_epoch(e))]
                        for s, e in sorted(leaves.get(employee.id, ()))
                    ],
                }
                for employee in employees
            ],
            "sessions": [
                {
                    "id": session.id,
                    "name": session.name,
                    "employee_id": session.employee_id.id,
                    "start": to_string(session.start),
                    "stop": to_string(session.stop),
                    "seats_taken": session.seats_taken,
                    "capacity": session.capacity,
                }
                for session in sessions
            ],
            "bookings": [
                {
                    "id": booking["id"],
                    "client": booking["partner_id"] and booking["partner_id"][1],
                    "service": booking["service_id"] and booking["service_id"][1],
                    "service_id": booking["service_id"] and booking["service_id"][0],
                    "employee_id": booking["employee_id"][0],
                    "state": booking["state"],
                    "start": to_string(booking["start"]),
                    "stop": to_string(booking["stop"]),
                    "note": booking["note"] or "",
                }
                for booking in bookings
            ],
        }
