import uuid
from datetime import timedelta

from markupsafe import Markup

from odoo import api, models
from odoo.tools import consteq

from odoo.addons.smartbook_booking.exceptions import BookingRefused
from odoo.addons.smartbook_booking.models.smartbook_service import to_epoch
from odoo.addons.smartbook_booking.tools.slots import slot_starts


class SmartbookBooking(models.Model):
    _inherit = "smartbook.booking"

    # ------------------------------------------------------------------ the slot a visitor asks for

    @api.model
    def _smartbook_website_check_slot(self, service, employee, start, session=None, booking=None):
        """Refuse (``BookingRefused``) a start that ``get_free_slots`` does not
        offer, with the code that says why: the service is offline
        (``service_unavailable``), the start is sooner than the notice, beyond the
        horizon, off the specialist's grid, outside their hours or on leave
        (``outside_hours``), or the time is taken (``slot_taken``). A ``booking``
        being rescheduled does not count as taking its own time."""
        probe = self.new({"service_id": service.id, "employee_id": employee.id, "start": start})
        # the model's own online rules and messages: offline, notice, horizon
        self._smartbook_check_website_rules(probe)
        if session is not None:
            if session.state != "open":
                raise BookingRefused(
                    self.env._("This class was cancelled: please choose another one."), "service_unavailable"
                )
            if session.seats_left <= 0:
                raise BookingRefused(
                    self.env._("This class is full: please choose another one."), "slot_taken"
                )
            return
        if booking is None:
            free = service.get_free_slots(start, start + timedelta(seconds=1), employee_ids=employee.ids)
            if any(slot["start"] == start and slot["employee_id"] == employee.id for slot in free):
                return
        if not self._smartbook_website_on_grid(service, employee, start):
            raise BookingRefused(
                self.env._(
                    "%(employee)s does not take bookings at this time: please pick one of the times offered.",
                    employee=employee.name,
                ),
                "outside_hours",
            )
        occupied = (
            to_epoch(start - timedelta(minutes=service.buffer_before)),
            to_epoch(start + timedelta(minutes=service.duration + service.buffer_after)),
        )
        busy = self._smartbook_busy_intervals(
            employee,
            start - timedelta(minutes=service.buffer_before),
            start + timedelta(minutes=service.duration + service.buffer_after),
            exclude_booking_ids=booking.ids if booking else (),
        )
        taken = any(
            busy_start < occupied[1] and occupied[0] < busy_stop
            for busy_start, busy_stop in busy.get(employee.id, ())
        )
        if taken or booking is None:
            # (free by both measures yet not offered: someone booked meanwhile)
            raise BookingRefused(self._smartbook_website_taken_message(), "slot_taken")

    @api.model
    def _smartbook_website_on_grid(self, service, employee, start):
        """Whether ``start`` is a slot start of ``employee`` for ``service`` when
        only working time, leaves and the slot grid count (not other bookings):
        the slot engine fed as ``get_free_slots`` feeds it, without busy time."""
        duration = service.duration * 60
        before, after = service.buffer_before * 60, service.buffer_after * 60
        window_start = start - timedelta(seconds=before)
        window_end = start + timedelta(seconds=duration + after)
        work, leaves, steps = self.env["smartbook.service"]._smartbook_work_time(
            employee, window_start - timedelta(days=1), window_end
        )
        starts = slot_starts(
            [(to_epoch(work_start), to_epoch(work_stop)) for work_start, work_stop in work[employee.id]],
            leaves[employee.id],
            duration,
            steps[employee.id] * 60,
            buffer_before=before,
            buffer_after=after,
            earliest=to_epoch(start),
            latest=to_epoch(start) + 1,
        )
        return to_epoch(start) in starts

    def _smartbook_website_taken_message(self):
        return self.env._("This time was just booked by someone else: please pick another time.")

    # ------------------------------------------------------------------ booking online

    @api.model
    def _smartbook_website_book(self, service, employee, start, session, client, note=""):
        """Book online for the visitor described by ``client`` (``name``, E.164
        ``phone``, ``email``, ``consents``), after every check, as superuser
        (the caller's environment) and in the caller's transaction: a refusal
        anywhere undoes everything, the client card included."""
        # Claim the specialist (or the class) before checking: a concurrent booking
        # that committed meanwhile makes this fail with a serialisation error, and
        # Odoo retries the request with fresh data, whose check then says
        # slot_taken. The database's exclusion constraint stays the last guard.
        if session is not None:
            self._smartbook_claim_rows("smartbook_session", session.ids)
        else:
            self._smartbook_lock_employees(employee)
        self._smartbook_website_check_slot(service, employee, start, session=session)
        # Serialise concurrent online bookings of one phone number (one card).
        self.env["smartbook.website.claim"]._smartbook_claim(client["phone_key"])
        partner = self.env["res.partner"]._smartbook_website_client(
            client["name"], client["phone"], client["email"], client["consents"]
        )
        if partner.smartbook_blacklisted:
            phone = service.company_id.phone
            raise BookingRefused(
                self.env._(
                    "We cannot take this booking online: please call us%(phone)s.",
                    phone=f" ({phone})" if phone else "",
                ),
                "blacklisted",
            )
        vals = {
            "partner_id": partner.id,
            "channel": "website",
            "access_token": str(uuid.uuid4()),
            "note": note or False,
        }
        if session is not None:
            vals["session_id"] = session.id
        else:
            vals.update(service_id=service.id, employee_id=employee.id, start=start)
        booking = self.create(vals)
        booking.action_confirm()
        if note:
            # Markup's % escapes what the visitor typed: the chatter shows it as text.
            booking.message_post(
                body=Markup("<p>%s</p><p>%s</p>") % (self.env._("Note from the client:"), note),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return booking

    # ------------------------------------------------------------------ the manage link

    @api.model
    def _smartbook_website_by_token(self, booking_id, access_token):
        """The booking the manage link names, when its token matches (compared in
        constant time); otherwise ``not_found``, whether the booking exists or not."""
        booking = self.browse(booking_id).exists()
        if not booking or not booking.access_token or not consteq(booking.access_token, access_token):
            raise BookingRefused(
                self.env._("This booking does not exist or the link is not valid."), "not_found"
            )
        return booking

    def _smartbook_website_reschedule(self, start):
        """Move the client's booking to ``start`` (naive UTC), a slot the client
        could book (its own current time left aside), within the deadline."""
        self.ensure_one()
        self._smartbook_check_client_may_change()
        if not self.session_id:
            self._smartbook_lock_employees(self.employee_id)
            self._smartbook_website_check_slot(self.service_id, self.employee_id, start, booking=self)
        self.action_client_reschedule(start)
        return True
