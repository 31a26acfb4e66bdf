import random
from datetime import datetime, time, timedelta

from odoo import api, fields, models

from odoo.addons.smartbook_crm.models.smartbook_demo import BULK_CONTEXT

from .smartbook_booking import IMPORT_HISTORY_KEY

# (name, minutes, price, buffer after, group capacity or 0)
DEMO_SERVICES = [
    ("Women's Haircut", 60, 45.0, 10, 0),
    ("Men's Haircut", 30, 25.0, 5, 0),
    ("Hair Colouring", 120, 90.0, 15, 0),
    ("Manicure", 45, 30.0, 10, 0),
    ("Pedicure", 60, 40.0, 10, 0),
    ("Facial Treatment", 60, 55.0, 10, 0),
    ("Relaxing Massage", 60, 60.0, 15, 0),
    ("Deep Tissue Massage", 90, 80.0, 15, 0),
    ("Private Yoga Lesson", 60, 50.0, 0, 0),
    ("Eyebrow Shaping", 30, 20.0, 5, 0),
    ("Hatha Yoga Class", 75, 15.0, 0, 12),
    ("Vinyasa Flow Class", 60, 15.0, 0, 10),
]
DEMO_STAFF = [
    ("Sofia Reyes", [0, 1, 2, 3, 9]),
    ("Lars Berg", [0, 1, 2, 9]),
    ("Ana Costa", [3, 4, 5, 9]),
    ("Irina Volkova", [5, 6, 7]),
    ("Maya Lind", [8, 10, 11]),
]


class SmartbookDemo(models.AbstractModel):
    _inherit = "smartbook.demo"

    @api.model
    def _demo_sizes(self, scale=1.0):
        return {**super()._demo_sizes(scale), "staff": 5, "history_days": 180, "future_days": 30}

    @api.model
    def _generate(self, scale=1.0, seed=2026, sizes=None):
        sizes = super()._generate(scale=scale, seed=seed, sizes=sizes)
        if sizes.get("history_days"):
            self._generate_booking_data(sizes["history_days"], sizes["future_days"], seed=seed)
        return sizes

    @api.model
    def _generate_booking_data(self, history_days=180, future_days=30, seed=2026):
        """Staff with calendars, a vacation and a sick day, 12 services (2 group
        classes with sessions), and bookings in every state around today."""
        rng = random.Random(seed)
        services = self._demo_services()
        employees = self._demo_staff(services)
        self._demo_absences(employees)
        self._demo_sessions(services.filtered("is_group"), employees, history_days, future_days)
        self._demo_bookings(services.filtered(lambda s: not s.is_group), history_days, future_days, rng)
        self._demo_invoices(rng)
        return employees, services

    @api.model
    def _demo_invoices(self, rng):
        """Invoice most past visits, post the invoices and pay most of them, so that
        the demo shows paid, unpaid and not yet invoiced visits (pending amounts)."""
        accountant = self.env.ref("base.user_admin")
        has_sales_journal = self.env["account.journal"].search_count([("type", "=", "sale")], limit=1)
        if not has_sales_journal or not accountant.has_group("account.group_account_invoice"):
            return  # no chart of accounts yet: nothing to invoice with
        Booking = self.env["smartbook.booking"].with_user(accountant).with_context(**BULK_CONTEXT)
        visits = Booking.search(
            [
                ("state", "=", "done"),
                ("invoice_id", "=", False),
                ("start", "<", fields.Datetime.now() - timedelta(days=3)),
            ]
        )
        to_invoice = visits.filtered(lambda booking: rng.random() < 0.7)
        if not to_invoice:
            return
        to_invoice.action_create_invoices()
        invoices = to_invoice.invoice_id
        invoices.action_post()
        paid = invoices.filtered(lambda invoice: rng.random() < 0.8)
        if paid:
            self.env["account.payment.register"].with_user(accountant).with_context(
                active_model="account.move", active_ids=paid.ids
            ).create({"group_payment": False}).action_create_payments()

    @api.model
    def _demo_own(self, records):
        """Give generated records of other addons' models an external id of this
        addon, so that uninstalling it removes them with the rest of its data."""
        existing = set(
            self.env["ir.model.data"]
            .search(
                [
                    ("model", "=", records._name),
                    ("res_id", "in", records.ids),
                    ("module", "=", "smartbook_booking"),
                ]
            )
            .mapped("res_id")
        )
        self.env["ir.model.data"].create(
            [
                {
                    "module": "smartbook_booking",
                    "name": f"demo_{records._table}_{record.id}",
                    "model": records._name,
                    "res_id": record.id,
                    "noupdate": True,
                }
                for record in records
                if record.id not in existing
            ]
        )
        return records

    @api.model
    def _demo_services(self):
        Service = self.env["smartbook.service"].with_context(**BULK_CONTEXT)
        existing = Service.search([("name", "in", [row[0] for row in DEMO_SERVICES])])
        if existing:
            return existing
        # The products stay when SmartBook is uninstalled: invoices refer to them.
        products = self.env["product.product"].create(
            [
                {"name": name, "type": "service", "list_price": price}
                for name, _m, price, _b, _c in DEMO_SERVICES
            ]
        )
        return Service.create(
            [
                {
                    "name": name,
                    "product_id": product.id,
                    "duration": minutes,
                    "buffer_after": buffer_after,
                    "is_group": bool(capacity),
                    "capacity": capacity or 1,
                    "min_notice_hours": 2,
                    "max_days_ahead": 60,
                }
                for (name, minutes, _price, buffer_after, capacity), product in zip(
                    DEMO_SERVICES, products, strict=True
                )
            ]
        )

    @api.model
    def _demo_staff(self, services):
        Employee = self.env["hr.employee"].with_context(**BULK_CONTEXT)
        existing = Employee.search([("name", "in", [name for name, _s in DEMO_STAFF])])
        if existing:
            return existing
        calendar = self.env.ref("resource.resource_calendar_std")
        ordered = services.sorted("id")
        employees = Employee.create(
            [
                {
                    "name": name,
                    "resource_calendar_id": calendar.id,
                    "tz": "Europe/Madrid",
                    "smartbook_bookable": True,
                    "smartbook_slot_step": 60 if index == 4 else 30,
                    "smartbook_slug": name.lower().replace(" ", "-"),
                    "smartbook_service_ids": [(6, 0, [ordered[i].id for i in service_indexes])],
                }
                for index, (name, service_indexes) in enumerate(DEMO_STAFF)
            ]
        )
        return self._demo_own(employees)

    @api.model
    def _demo_absences(self, employees):
        Leave = self.env["resource.calendar.leaves"]
        if Leave.search_count([("resource_id", "=", employees[0].resource_id.id), ("name", "=", "Vacation")]):
            return
        today = fields.Date.context_today(self)
        vacation_start = datetime.combine(today + timedelta(days=14), time(0, 0))
        sick_day = datetime.combine(today - timedelta(days=20), time(0, 0))
        leaves = Leave.create(
            [
                {
                    "name": "Vacation",
                    "resource_id": employees[0].resource_id.id,
                    "calendar_id": employees[0].resource_calendar_id.id,
                    "date_from": vacation_start,
                    "date_to": vacation_start + timedelta(days=7),
                    "time_type": "leave",
                },
                {
                    "name": "Sick day",
                    "resource_id": employees[1].resource_id.id,
                    "calendar_id": employees[1].resource_calendar_id.id,
                    "date_from": sick_day,
                    "date_to": sick_day + timedelta(days=1),
                    "time_type": "leave",
                },
            ]
        )
        self._demo_own(leaves)

    @api.model
    def _demo_sessions(self, group_services, employees, history_days, future_days):
        """Tuesday and Thursday evening classes (UTC 17:00) for the yoga teacher."""
        teacher = employees.filtered(lambda e: group_services & e.smartbook_service_ids)[:1]
        Session = self.env["smartbook.session"]
        if not teacher or Session.search_count([("employee_id", "=", teacher.id)], limit=1):
            return
        today = fields.Date.context_today(self)
        vals_list = []
        for offset in range(-history_days, future_days + 1):
            day = today + timedelta(days=offset)
            if day.weekday() in (1, 3):
                service = group_services[day.weekday() == 3 and len(group_services) > 1]
                vals_list.append(
                    {
                        "service_id": service.id,
                        "employee_id": teacher.id,
                        "start": datetime.combine(day, time(18, 0)),
                    }
                )
        Session.with_context(**BULK_CONTEXT).create(vals_list)

    @api.model
    def _demo_bookings(self, services, history_days, future_days, rng):
        """Back-to-back bookings from each specialist's real free slots, most of
        the past done, some cancelled or no-shows; the future confirmed or draft.
        The past comes in as history (``smartbook_import_history``); the future
        goes through the lifecycle: created, then some cancelled."""
        clients = self.env["res.partner"].search(
            [("smartbook_client", "=", True), ("smartbook_blacklisted", "=", False)]
        )
        if not clients:
            return
        now = fields.Datetime.now()
        date_from = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=history_days)
        date_to = now + timedelta(days=future_days)
        Booking = self.env["smartbook.booking"].with_context(**BULK_CONTEXT)
        for service in services:
            # Booked by staff, so no notice or horizon rule: straight from the free time.
            free = service._get_slots_in_window(date_from, date_to, service.employee_ids)
            busy_until = {}
            history, future, to_cancel = [], [], []
            for slot in free:
                employee_id = slot["employee_id"]
                span_start = slot["start"] - timedelta(minutes=service.buffer_before)
                if rng.random() > 0.2 or span_start < busy_until.get(employee_id, date_from):
                    continue
                busy_until[employee_id] = slot["end"] + timedelta(minutes=service.buffer_after)
                past = slot["start"] < now
                state = (
                    rng.choices(["done", "no_show", "cancelled"], [85, 6, 9])[0]
                    if past
                    else rng.choices(["confirmed", "draft", "cancelled"], [80, 12, 8])[0]
                )
                channel = rng.choice(["backoffice", "website", "phone"])
                if (
                    not past
                    and channel == "website"
                    and slot["start"] < now + timedelta(hours=service.min_notice_hours)
                ):
                    channel = "phone"  # too soon to have been booked online
                vals = {
                    "partner_id": rng.choice(clients).id,
                    "service_id": service.id,
                    "employee_id": employee_id,
                    "start": slot["start"],
                    "state": state,
                    "cancel_reason": "Client asked to cancel" if state == "cancelled" else False,
                    "channel": channel,
                }
                if past:
                    history.append(vals)
                else:
                    to_cancel.append(state == "cancelled")
                    future.append({**vals, "state": "draft" if state == "cancelled" else state})
            Booking.with_context(**{IMPORT_HISTORY_KEY: True}).create(history)
            created = Booking.create(future)
            cancelled = Booking.browse(
                booking.id for booking, cancel in zip(created, to_cancel, strict=True) if cancel
            )
            cancelled.action_cancel(reason="Client asked to cancel")
