"""Staff the benchmarks book: a calendar open the same hours every day and bookable employees on it."""


def create_bookable_staff(env, calendar_vals, hours, employee_vals_list):
    """A ``resource.calendar`` (``calendar_vals``) open ``hours`` (from, to) every day of the
    week, and one bookable employee on it per ``employee_vals_list`` entry."""
    hour_from, hour_to = hours
    calendar = env["resource.calendar"].create(
        {
            **calendar_vals,
            "attendance_ids": [
                (0, 0, {"name": str(day), "dayofweek": str(day), "hour_from": hour_from, "hour_to": hour_to})
                for day in range(7)
            ],
        }
    )
    return env["hr.employee"].create(
        [
            {**employee_vals, "resource_calendar_id": calendar.id, "smartbook_bookable": True}
            for employee_vals in employee_vals_list
        ]
    )
