"""The public booking pages: ``/book``, a service's and a specialist's own page,
the confirmation page and its calendar file.

The pages are rendered once on the server (services, specialists, the form);
the free days and times come from the JSON-RPC routes of ``booking.py``, called
by the page's script. Visitors read services and specialists through ``sudo()``
here, limited to what is offered online: no model is opened to the public.
"""

from datetime import datetime

import pytz
from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.tools.misc import format_date

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..tools.ics import booking_calendar

# Services without a website category are listed under this heading.
NO_CATEGORY = "__none__"
# Leading zeros that are part of the number itself after the country code (Italy).
KEEP_LEADING_ZERO_CODES = (39, 378, 379)


def business_tz(company):
    """The business's time zone (see ``res.company._smartbook_tz``)."""
    return company.sudo()._smartbook_tz()


def local_moment(naive_utc, tz_name):
    return pytz.utc.localize(naive_utc).astimezone(pytz.timezone(tz_name))


def format_moment(env, naive_utc, tz_name):
    """'Monday, 30 November 2026 · 10:00' in the visitor's language and ``tz_name``."""
    local = local_moment(naive_utc, tz_name)
    return env._(
        "%(day)s\u00a0· %(time)s",
        day=format_date(env, local.date(), date_format="full"),
        time=local.strftime("%H:%M"),
    )


def format_when(env, start, stop, tz_name):
    """'Monday, 30 November 2026 · 10:00–11:00', in the visitor's language and
    the business's time zone."""
    local_start, local_stop = local_moment(start, tz_name), local_moment(stop, tz_name)
    return env._(
        "%(day)s\u00a0· %(start)s–%(stop)s",
        day=format_date(env, local_start.date(), date_format="full"),
        start=local_start.strftime("%H:%M"),
        stop=local_stop.strftime("%H:%M"),
    )


def format_duration(env, minutes):
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return env._("%(hours)s h %(minutes)s min", hours=hours, minutes=rest)
    if hours:
        return env._("%(hours)s h", hours=hours)
    return env._("%(minutes)s min", minutes=rest)


def tz_label(tz_name, when=None):
    """'Europe/Madrid (CET)': the zone's name and its abbreviation at ``when``."""
    zone = pytz.timezone(tz_name)
    abbreviation = zone.localize(when or datetime.now()).tzname() if tz_name != "UTC" else ""
    return f"{tz_name} ({abbreviation})" if abbreviation and abbreviation != tz_name else tz_name


class SmartbookPages(CustomerPortal):
    # ------------------------------------------------------------------ what a visitor may see

    @staticmethod
    def _smartbook_company():
        return request.website.company_id

    def _smartbook_online_offer(self):
        """The services offered online by the website's business that some
        bookable specialist performs, and who: ``(services, {service id: employees})``
        (sudo: read for display only)."""
        services = (
            request.env["smartbook.service"]
            .sudo()
            .search([("online", "=", True), ("company_id", "=", self._smartbook_company().id)])
        )
        Employee = request.env["hr.employee"].sudo()
        staff = {
            service_id: Employee.browse(employee_ids)
            for service_id, employee_ids in services._smartbook_website_staff().items()
        }
        return services.filtered(lambda service: staff[service.id]), staff

    def _smartbook_specialists(self, services):
        return (
            request.env["hr.employee"]
            .sudo()
            .search(
                [
                    ("smartbook_bookable", "=", True),
                    ("company_id", "=", self._smartbook_company().id),
                    ("smartbook_service_ids", "in", services.ids),
                ],
                order="name",
            )
        )

    def _smartbook_specialist_by_slug(self, slug):
        employee = (
            request.env["hr.employee"]
            .sudo()
            .search(
                [
                    ("smartbook_slug", "=", slug),
                    ("smartbook_bookable", "=", True),
                    ("company_id", "=", self._smartbook_company().id),
                ],
                limit=1,
            )
        )
        if not employee:
            raise NotFound()
        return employee

    def _smartbook_categories(self, services):
        """[(heading, services)]: headings by their services' sequence then name, services in
        their order; services without a category last."""
        groups = {}
        for service in services:
            groups.setdefault(service.website_category or NO_CATEGORY, []).append(service)
        headings = sorted(
            groups,
            key=lambda heading: (
                heading == NO_CATEGORY,
                min(svc.sequence for svc in groups[heading]),
                heading,
            ),
        )
        return [
            (request.env._("Services") if heading == NO_CATEGORY else heading, groups[heading])
            for heading in headings
        ]

    def _smartbook_countries(self):
        return request.env["res.country"].sudo().search([("phone_code", "!=", 0)], order="name")

    def _smartbook_book_values(self, services, staff, employee=None, service=None, preselect_employee=None):
        """What the booking page template needs. ``employee``: the specialist of a
        personal page (every booking goes to them); ``service``: preselected."""
        company = self._smartbook_company().sudo()
        tz_name, country_id = company._smartbook_website_place()
        # The page shows the company's name: read it alone, not the company's whole row.
        company.with_context(prefetch_fields=False).mapped("name")
        no_employee = request.env["hr.employee"].sudo()
        # The service list, the specialists and the country codes are rendered once
        # per website, language and state of the offer (t-cache on the stamp): what
        # only they use is computed when they are rendered.
        return {
            "smartbook_cache_stamp": request.env["smartbook.service"]._smartbook_website_offer_stamp(
                company.id
            ),
            "smartbook_service_ids": tuple(services.ids),
            "smartbook_services": services,
            "smartbook_categories": lambda: self._smartbook_categories(services),
            "smartbook_specialists": lambda: employee or self._smartbook_specialists(services),
            "smartbook_fixed_employee": employee or no_employee,
            "smartbook_service": service or request.env["smartbook.service"].sudo(),
            "smartbook_preselect_employee": preselect_employee or no_employee,
            "smartbook_service_staff": {
                svc.id: ",".join(str(staff_id) for staff_id in staff[svc.id].ids) for svc in services
            },
            "smartbook_tz": tz_name,
            "smartbook_tz_label": tz_label(tz_name),
            "smartbook_company": company,
            "smartbook_countries": self._smartbook_countries,
            "smartbook_country": request.env["res.country"].browse(country_id),
            "format_duration": lambda minutes: format_duration(request.env, minutes),
            "keep_leading_zero_codes": KEEP_LEADING_ZERO_CODES,
        }

    # ------------------------------------------------------------------ the booking pages

    @http.route("/book", type="http", auth="public", website=True, sitemap=True)
    def smartbook_book(self, service=None, employee=None, **_kwargs):
        """All services; ``?service=<id>&employee=<id>`` preselects them (the
        portal's "Book again")."""
        services, staff = self._smartbook_online_offer()
        selected = services.filtered(lambda svc: str(svc.id) == str(service or ""))[:1]
        preselect = request.env["hr.employee"]
        if selected and employee:
            preselect = staff[selected.id].filtered(
                lambda staff_member: str(staff_member.id) == str(employee)
            )
        values = self._smartbook_book_values(services, staff, service=selected, preselect_employee=preselect)
        return request.render("smartbook_website.book_page", values)

    @http.route("/book/service/<string:slug>", type="http", auth="public", website=True, sitemap=False)
    def smartbook_book_service(self, slug, **_kwargs):
        services, staff = self._smartbook_online_offer()
        service = services.filtered(lambda svc: svc.slug == slug)[:1]
        if not service:
            raise NotFound()
        values = self._smartbook_book_values(services, staff, service=service)
        values["smartbook_page_title"] = service.name
        return request.render("smartbook_website.book_page", values)

    @http.route("/book/specialist/<string:slug>", type="http", auth="public", website=True, sitemap=False)
    def smartbook_book_specialist(self, slug, service=None, **_kwargs):
        """A specialist's own page: photo, bio, their services; bookings made here
        go to them."""
        employee = self._smartbook_specialist_by_slug(slug)
        services, staff = self._smartbook_online_offer()
        services = services.filtered(lambda svc: employee in staff[svc.id])
        selected = services.filtered(lambda svc: str(svc.id) == str(service or ""))[:1]
        values = self._smartbook_book_values(services, staff, employee=employee, service=selected)
        values["smartbook_page_title"] = employee.name
        return request.render("smartbook_website.book_page", values)

    @http.route(
        "/book/specialist/<string:slug>/photo", type="http", auth="public", website=True, sitemap=False
    )
    def smartbook_specialist_photo(self, slug, **_kwargs):
        employee = self._smartbook_specialist_by_slug(slug)
        stream = request.env["ir.binary"]._get_image_stream_from(employee, "avatar_256")
        return stream.get_response(max_age=3600)

    # ------------------------------------------------------------------ after booking

    def _smartbook_booking_or_404(self, booking_id, access_token):
        """The booking (sudo) for its client or the holder of its token; anybody
        else gets the same 404 whether it exists or not."""
        try:
            return self._document_check_access("smartbook.booking", booking_id, access_token=access_token)
        except (AccessError, MissingError) as error:
            raise NotFound() from error

    def _smartbook_show_telegram(self, booking):
        """The link that ties a Telegram chat to the client's card is only shown to
        that client: their own portal login, or a card this very booking created
        (a visitor who typed someone else's phone must not get that person's link)."""
        partner = booking.partner_id
        if "smartbook_telegram_link" not in partner._fields or not partner.smartbook_telegram_link:
            return False
        if partner.telegram_chat_id:
            return False
        user = request.env.user
        if not user._is_public() and user.partner_id.commercial_partner_id == partner.commercial_partner_id:
            return True
        return partner.create_date == booking.create_date

    def _smartbook_booking_values(self, booking):
        """Display values of one booking, shared by the confirmation and manage pages."""
        company = booking.company_id
        tz_name = business_tz(company)
        booking._portal_ensure_token()
        token = booking.access_token
        return {
            "booking": booking,
            "smartbook_when": format_when(request.env, booking.start, booking.stop, tz_name),
            "smartbook_tz": tz_name,
            "smartbook_tz_label": tz_label(tz_name, booking.start),
            "smartbook_company": company,
            "smartbook_token": token,
            "smartbook_manage_url": f"/my/bookings/{booking.id}?access_token={token}",
            "smartbook_ics_url": f"/book/ics/{booking.id}?access_token={token}",
            "smartbook_duration": format_duration(request.env, booking.service_id.duration),
            "smartbook_telegram_link": self._smartbook_show_telegram(booking)
            and booking.partner_id.smartbook_telegram_link,
            "smartbook_is_upcoming": booking.start > fields.Datetime.now(),
        }

    @http.route("/book/confirmed/<int:booking_id>", type="http", auth="public", website=True, sitemap=False)
    def smartbook_confirmed(self, booking_id, access_token=None, **_kwargs):
        booking = self._smartbook_booking_or_404(booking_id, access_token)
        return request.render(
            "smartbook_website.book_confirmed_page", self._smartbook_booking_values(booking)
        )

    @http.route("/book/ics/<int:booking_id>", type="http", auth="public", website=True, sitemap=False)
    def smartbook_ics(self, booking_id, access_token=None, **_kwargs):
        booking = self._smartbook_booking_or_404(booking_id, access_token)
        company = booking.company_id
        token = booking.access_token
        base_url = request.httprequest.host_url.rstrip("/")
        body = booking_calendar(
            uid=f"smartbook-booking-{booking.id}@{request.httprequest.host.split(':')[0]}",
            start=booking.start,
            stop=booking.stop,
            stamp=booking.write_date or fields.Datetime.now(),
            summary=request.env._(
                "%(service)s at %(business)s", service=booking.service_id.name, business=company.name
            ),
            description=request.env._(
                "Specialist: %(specialist)s\nManage your booking: %(url)s",
                specialist=booking.employee_id.name,
                url=f"{base_url}/my/bookings/{booking.id}?access_token={token}",
            ),
            location=", ".join(filter(None, [company.name, company.street, company.zip, company.city])),
            cancelled=booking.state == "cancelled",
        )
        return request.make_response(
            body.encode(),
            headers=[
                ("Content-Type", "text/calendar; charset=utf-8"),
                ("Content-Disposition", f'attachment; filename="booking-{booking.id}.ics"'),
                ("Cache-Control", "private, no-store"),
            ],
        )
