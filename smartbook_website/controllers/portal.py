"""The client portal: "My bookings" for a logged-in client and the manage page
of one booking, for its client or for whoever holds its link (access token).

The list is searched as the portal user, so that the record rule
(``smartbook_website_security.xml``) decides which bookings are theirs; what a
booking shows of its service and specialist is read with ``sudo()``. Cancel and
reschedule go through the JSON-RPC routes of ``booking.py`` with the booking's
token, from the page's script.
"""

from odoo import fields, http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.smartbook_booking.models.smartbook_booking import ACTIVE_STATES

from .pages import SmartbookPages, business_tz, format_moment, format_when

BOOKINGS_PER_PAGE = 20


class SmartbookCustomerPortal(SmartbookPages):
    def _smartbook_bookings_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "child_of", partner.id)]

    def _smartbook_bookings_model(self):
        """smartbook.booking as the current user, or ``None`` when they may not read
        bookings (an internal user outside SmartBook)."""
        Booking = request.env["smartbook.booking"]
        return Booking if Booking.has_access("read") else None

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "smartbook_booking_count" in counters:
            Booking = self._smartbook_bookings_model()
            values["smartbook_booking_count"] = (
                Booking.search_count(self._smartbook_bookings_domain()) if Booking is not None else 0
            )
        return values

    @http.route(["/my/bookings", "/my/bookings/page/<int:page>"], type="http", auth="user", website=True)
    def smartbook_my_bookings(self, page=1, **_kwargs):
        """Upcoming bookings (soonest first), then the past ones (latest first, paged)."""
        values = self._prepare_portal_layout_values()
        Booking = self._smartbook_bookings_model()
        now = fields.Datetime.now()
        upcoming = past = request.env["smartbook.booking"]
        pager = None
        if Booking is not None:
            domain = self._smartbook_bookings_domain()
            upcoming = Booking.search(
                domain + [("state", "in", ACTIVE_STATES), ("stop", ">=", now)], order="start asc, id"
            )
            past_domain = domain + ["!", "&", ("state", "in", ACTIVE_STATES), ("stop", ">=", now)]
            pager = portal_pager(
                url="/my/bookings",
                total=Booking.search_count(past_domain),
                page=page,
                step=BOOKINGS_PER_PAGE,
            )
            past = Booking.search(
                past_domain, order="start desc, id desc", limit=BOOKINGS_PER_PAGE, offset=pager["offset"]
            )
        tz_name = business_tz(request.website.company_id)
        values.update(
            {
                "page_name": "smartbook_bookings",
                "smartbook_upcoming": upcoming.sudo(),
                "smartbook_past": past.sudo(),
                "pager": pager,
                "smartbook_when": lambda booking: format_when(
                    request.env, booking.start, booking.stop, tz_name
                ),
            }
        )
        return request.render("smartbook_website.portal_my_bookings", values)

    @http.route("/my/bookings/<int:booking_id>", type="http", auth="public", website=True)
    def smartbook_my_booking(self, booking_id, access_token=None, **_kwargs):
        """The manage page: details, cancel, reschedule, book again."""
        if not access_token and request.env.user._is_public():
            # a client's link without its token: they log in (whether the booking exists or not)
            return request.redirect(f"/web/login?redirect=/my/bookings/{booking_id}")
        booking = self._smartbook_booking_or_404(booking_id, access_token)
        values = self._prepare_portal_layout_values()
        values = self._get_page_view_values(
            booking, access_token, values, "my_bookings_history", no_breadcrumbs=bool(access_token)
        )
        values.update(self._smartbook_booking_values(booking))
        now = fields.Datetime.now()
        deadline = booking._smartbook_client_deadline()
        active = booking.state in ACTIVE_STATES and booking.stop >= now
        service = booking.service_id
        values.update(
            {
                "page_name": "smartbook_booking",
                "smartbook_can_change": active and now <= deadline,
                "smartbook_too_late": active and now > deadline,
                "smartbook_can_reschedule": active and now <= deadline and not booking.session_id,
                "smartbook_deadline": format_moment(request.env, deadline, business_tz(booking.company_id)),
                "smartbook_book_again_url": (
                    f"/book?service={service.id}&employee={booking.employee_id.id}"
                    if not active and service.online and service.active
                    else False
                ),
                "smartbook_max_days": service.max_days_ahead,
            }
        )
        return request.render("smartbook_website.portal_my_booking", values)
