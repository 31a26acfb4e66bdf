"""The public JSON-RPC routes of online booking (see ARCHITECTURE.md, "Public
HTTP contract").

They are served by :class:`SmartbookJsonRpcDispatcher`, Odoo's JSON-RPC
dispatcher with the refusals of the contract: every refusal, a malformed body
included, answers HTTP 200 with ``{"jsonrpc": "2.0", "id": ..., "error":
{"code": <HTTP-like number>, "message": <text in the visitor's language>,
"data": {"code": <contract code>}}}`` and never a traceback (Odoo's default
error carries one in ``data.debug``).

Like Odoo's ``type='json'`` routes they need no CSRF token: they only accept a
JSON body (``Content-Type: application/json``), which a cross-site form cannot
send without the browser asking the server first (CORS), and they act only on
what the request itself proves (a booking's token), never on the visitor's
session.

Decisions of the contract left open:

- HTTP status: always 200 for a JSON-RPC answer, refusals included (Odoo's
  convention, and what its ``rpc`` client expects); ``error.code`` carries the
  matching HTTP number (:data:`ERROR_STATUS`).
- Honeypot: the booking form's hidden ``website`` field. Filled in, the request
  is refused as ``invalid_input`` with the message of any unacceptable form
  (never a fake success: a person whose browser filled it sees that nothing was
  booked) and counts for the rate limit.
- Rate limit: ``smartbook_website.book_rate_limit`` attempts (refused ones
  included) per 10 minutes per client IP address and per phone number, counted in
  the database (``smartbook.website.attempt``) so that all workers share them.
  The address is ``remote_addr``, which Odoo rewrites from ``X-Forwarded-For``
  only with ``--proxy-mode``. Concurrent attempts of one address may overshoot
  the limit by the number of workers.
- An unexpected server error answers ``service_unavailable`` (logged with its
  traceback on the server, never sent).
"""

import json
import logging

import psycopg2
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import JSON_MIMETYPES, JsonRPCDispatcher, request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.smartbook_booking.exceptions import BookingRefused
from odoo.addons.smartbook_crm.tools.phone import InvalidPhone, normalize_phone

from ..tools.booking_params import (
    InvalidParam,
    attempt_key,
    check_window,
    compact_days,
    local_iso_formatter,
    local_today,
    local_window_to_utc,
    over_limit,
    parse_bool,
    parse_date,
    parse_email,
    parse_id,
    parse_rate_limit,
    parse_start,
    parse_text,
    parse_tz,
    to_local_iso,
)

_logger = logging.getLogger(__name__)

ROUTING_TYPE = "smartbook_jsonrpc"
RATE_LIMIT_PARAM = "smartbook_website.book_rate_limit"
# The form's hidden field: people leave it empty, form-filling robots do not.
HONEYPOT_PARAM = "website"
# The JSON-RPC ``error.code`` of each contract code: the HTTP status it would be.
ERROR_STATUS = {
    "invalid_input": 400,
    "invalid_phone": 400,
    "blacklisted": 403,
    "not_found": 404,
    "slot_taken": 409,
    "too_late": 409,
    "outside_hours": 422,
    "service_unavailable": 503,
    "rate_limited": 429,
}
# A JSON body larger than this is no booking.
MAX_BODY_BYTES = 16 * 1024
# Which routes count booking attempts for the rate limit.
BOOK_ROUTE = "/smartbook/book"


def _field_label(name):
    labels = {
        "service_id": request.env._("service"),
        "employee_id": request.env._("specialist"),
        "session_id": request.env._("class"),
        "booking_id": request.env._("booking"),
        "date_from": request.env._("first day"),
        "date_to": request.env._("last day"),
        "tz": request.env._("time zone"),
        "start": request.env._("time"),
        "name": request.env._("name"),
        "phone": request.env._("phone"),
        "email": request.env._("email"),
        "note": request.env._("note"),
        "reason": request.env._("reason"),
        "access_token": request.env._("link"),
        "params": request.env._("request"),
    }
    return labels.get(name, name)


def _invalid(error):
    """A refusal for a parameter that is missing or wrong."""
    label = _field_label(error.name)
    if error.reason == "missing":
        message = request.env._("Please fill in the %(field)s.", field=label)
    elif error.reason == "too_long":
        message = request.env._("The %(field)s is too long.", field=label)
    elif error.name in ("date_from", "date_to") and error.reason == "range":
        message = request.env._("Choose a period that starts today or later and lasts at most 62 days.")
    else:
        message = request.env._("The %(field)s is not valid.", field=label)
    return BookingRefused(message, "invalid_input")


def _refusal_of(exc):
    """The contract code and public message of any exception; nothing of the
    exception's own text is shown unless it is a refusal meant for clients."""
    if isinstance(exc, BookingRefused):
        if exc.code == "blacklisted":
            # the model's own message names the client and the reason
            phone = SmartbookBookingController._company().phone
            return exc.code, request.env._(
                "We cannot take this booking online: please call us%(phone)s.",
                phone=f" ({phone})" if phone else "",
            )
        return exc.code, exc.args[0]
    if isinstance(exc, InvalidParam):
        refusal = _invalid(exc)
        return refusal.code, refusal.args[0]
    if isinstance(exc, MissingError | AccessError | NotFound):
        return "not_found", request.env._("This does not exist or is not available.")
    if isinstance(exc, RequestEntityTooLarge):
        return "invalid_input", request.env._("This request is too large.")
    if isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
        # Concurrent requests kept colliding after Odoo's retries: someone else got there first.
        return "slot_taken", request.env._(
            "This time was just booked by someone else: please pick another time."
        )
    if isinstance(exc, ValidationError | UserError):
        return "invalid_input", request.env._("This request cannot be accepted: please check it.")
    if isinstance(exc, HTTPException) and exc.code and exc.code < 500:
        return "invalid_input", request.env._("This request cannot be accepted: please check it.")
    return "service_unavailable", request.env._(
        "Online booking is not available right now: please try again later."
    )


class SmartbookJsonRpcDispatcher(JsonRPCDispatcher):
    """Odoo's JSON-RPC 2.0 dispatcher with the public contract's refusals."""

    routing_type = ROUTING_TYPE

    @classmethod
    def is_compatible_with(cls, request):
        # Any body reaches dispatch(), which refuses what is not JSON with a JSON-RPC error.
        return True

    def dispatch(self, endpoint, args):
        httprequest = self.request.httprequest
        if httprequest.mimetype not in JSON_MIMETYPES:
            raise InvalidParam("params", "format")
        try:
            payload = json.loads(httprequest.get_data(as_text=True))
        except ValueError as error:  # JSON or UTF-8 decoding
            raise InvalidParam("params", "format") from error
        if not isinstance(payload, dict):
            raise InvalidParam("params", "format")
        request_id = payload.get("id")
        if isinstance(request_id, str | int) and not isinstance(request_id, bool):
            self.request_id = request_id if len(str(request_id)) <= 64 else None
        params = payload.get("params", {})
        if not isinstance(params, dict):
            raise InvalidParam("params", "format")
        self.jsonrequest = payload
        self.request.params = dict(params, **args)
        result = self.request.registry["ir.http"]._dispatch(endpoint)
        return self._response(result)

    def handle_error(self, exc):
        # The request's transaction is undone anyway; undo it now so that the
        # message (translations may read the database) and the count work.
        cr = self.request.env.cr if self.request.env else None
        if cr is not None and not cr.closed:
            cr.rollback()
        code, message = _refusal_of(exc)
        if code in ("service_unavailable",) and not isinstance(exc, BookingRefused):
            _logger.exception(
                "SmartBook online booking: unexpected error on %s", self.request.httprequest.path
            )
        else:
            # An expected refusal: the code only (its message may name people).
            _logger.info(
                "SmartBook online booking: %s refused (%s, %s)",
                self.request.httprequest.path,
                code,
                type(exc).__name__,
            )
        # Odoo logs the exception again unless told its level.
        exc.loglevel = logging.DEBUG
        exc.exc_info = None
        self._smartbook_count_failed_attempt(code)
        return self._response(error={"code": ERROR_STATUS[code], "message": message, "data": {"code": code}})

    def _smartbook_count_failed_attempt(self, code):
        """A refused booking attempt still counts for the rate limit: the refusal
        undid the request's transaction, so record it in a fresh one."""
        keys = getattr(self.request, "smartbook_attempt_keys", None)
        if not keys or code == "rate_limited" or not self.request.env or self.request.env.cr.closed:
            return
        cr = self.request.env.cr
        try:
            self.request.env["smartbook.website.attempt"].sudo()._smartbook_record(keys)
            # the refusal's own changes were rolled back just above: only the count is committed
            cr.commit()  # pylint: disable=invalid-commit
        except psycopg2.Error:
            _logger.warning("SmartBook online booking: could not count a refused attempt", exc_info=True)


def _prefetched_columns(model):
    """The fields a record's first read would fetch anyway (its prefetched columns)."""
    return [name for name, field in model._fields.items() if field.column_type and field.prefetch is True]


def _employee_names(employee_ids):
    """{id: name} of employees in one query (reading ``hr.employee`` records would
    fetch every column through hr's field access checks)."""
    if not employee_ids:
        return {}
    request.env.cr.execute("SELECT id, name FROM hr_employee WHERE id = ANY(%s)", [list(employee_ids)])
    return dict(request.env.cr.fetchall())


def _route(path):
    return http.route(
        path,
        type=ROUTING_TYPE,
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
        max_content_length=MAX_BODY_BYTES,
    )


class SmartbookBookingController(http.Controller):
    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _company():
        website = getattr(request, "website", None)
        if not website:
            return request.env.company.sudo()
        # Odoo's cached company of the website: reading ``website.company_id`` fetches its whole row.
        return request.env["res.company"].sudo().browse(website._get_cached("company_id"))

    def _service(self, params):
        service_id = parse_id(params, "service_id")
        # One query checks it exists and reads its columns (exists() then reading is two).
        Service = request.env["smartbook.service"].sudo().with_context(active_test=False)
        service = Service.search_fetch([("id", "=", service_id)], _prefetched_columns(Service), limit=1)
        service = service.with_context(active_test=True)
        if not service or not service.active or service.company_id != self._company():
            raise BookingRefused(request.env._("This service does not exist."), "not_found")
        if not service.online:
            raise BookingRefused(
                request.env._("%(service)s cannot be booked online.", service=service.name),
                "service_unavailable",
            )
        return service

    def _employees(self, service, params, required=False):
        """The specialists asked for among the service's bookable staff: one when
        ``employee_id`` is given, all otherwise (any specialist)."""
        employee_id = parse_id(params, "employee_id", required=required)
        staff = service._smartbook_bookable_employees(None if employee_id is None else [employee_id])
        if employee_id is not None and not staff:
            raise BookingRefused(
                request.env._("This specialist does not exist or does not offer this service."), "not_found"
            )
        return staff

    def _window(self, params):
        # The business's time zone costs queries: read it only when the visitor gives none.
        tz = parse_tz(params, default=None) or self._company()._smartbook_tz()
        date_from, date_to = parse_date(params, "date_from"), parse_date(params, "date_to")
        check_window(date_from, date_to, local_today(fields.Datetime.now(), tz))
        return tz, *local_window_to_utc(date_from, date_to, tz)

    # ------------------------------------------------------------------ slots

    @_route("/smartbook/slots")
    def slots(self, **params):
        """Free slots of a service, as ``get_free_slots`` gives them, in ``tz``."""
        service = self._service(params)
        employees = self._employees(service, params)
        tz, utc_from, utc_to = self._window(params)
        slots = service._smartbook_free_slots_of(utc_from, utc_to, employees)
        names = _employee_names({slot["employee_id"] for slot in slots})
        to_iso = local_iso_formatter(tz)
        return {
            "tz": tz,
            "slots": [
                {
                    "start": to_iso(slot["start"]),
                    "end": to_iso(slot["end"]),
                    "employee_id": slot["employee_id"],
                    "employee_name": names.get(slot["employee_id"], ""),
                    "seats_left": slot.get("seats_left"),
                    "session_id": slot.get("session_id"),
                }
                for slot in slots
            ],
        }

    @_route("/smartbook/availability")
    def availability(self, **params):
        """One compact view of a period: the days with free time and their
        distinct local slot starts (any specialist: the union)."""
        service = self._service(params)
        employees = self._employees(service, params)
        tz, utc_from, utc_to = self._window(params)
        slots = service._smartbook_free_slots_of(utc_from, utc_to, employees)
        return {"tz": tz, "days": compact_days((slot["start"] for slot in slots), tz)}

    # ------------------------------------------------------------------ book

    def _rate_limit(self):
        return parse_rate_limit(request.env["ir.config_parameter"].sudo().get_param(RATE_LIMIT_PARAM))

    def _check_rate(self, keys, limit):
        if over_limit(request.env["smartbook.website.attempt"].sudo()._smartbook_count(keys), limit):
            request.smartbook_attempt_keys = None
            raise BookingRefused(
                request.env._("Too many booking attempts: please wait a few minutes and try again."),
                "rate_limited",
            )

    @_route(BOOK_ROUTE)
    def book(self, **params):
        secret = request.env["ir.config_parameter"].sudo().get_param("database.secret") or ""
        limit = self._rate_limit()
        keys = []
        if limit:
            # Odoo's proxy_mode, when on, has already put the client's address here.
            keys = [attempt_key("ip", request.httprequest.remote_addr or "", secret)]
            self._check_rate(keys, limit)
            request.smartbook_attempt_keys = list(keys)
        if parse_text(params, HONEYPOT_PARAM, max_length=256):
            # Filled by a robot: refused like any invalid form, without saying why.
            raise BookingRefused(
                request.env._("This request cannot be accepted: please check it."), "invalid_input"
            )
        service = self._service(params)
        session = None
        if service.is_group:
            session_id = parse_id(params, "session_id")
            session = request.env["smartbook.session"].sudo().browse(session_id).exists()
            if not session or session.service_id != service:
                raise BookingRefused(request.env._("This class does not exist."), "not_found")
            employee, start = session.employee_id, session.start
        else:
            if params.get("session_id") is not None:
                raise InvalidParam("session_id", "format")
            employee = self._employees(service, params, required=True)
            start = parse_start(params)
        name = parse_text(params, "name", required=True)
        email = parse_email(params)
        note = parse_text(params, "note")
        consents = [
            channel
            for channel in ("sms", "telegram", "marketing")
            if parse_bool(params, f"consent_{channel}")
        ]
        raw_phone = parse_text(params, "phone", required=True)
        try:
            phone = normalize_phone(raw_phone, self._company().country_id.code)
        except InvalidPhone as error:
            raise BookingRefused(
                request.env._("%(phone)s is not a valid phone number: please check it.", phone=raw_phone),
                "invalid_phone",
            ) from error
        phone_key = attempt_key("phone", phone, secret)
        if limit:
            self._check_rate([phone_key], limit)
            keys.append(phone_key)
            request.smartbook_attempt_keys = list(keys)
        booking = (
            request.env["smartbook.booking"]
            .sudo()
            ._smartbook_website_book(
                service,
                employee,
                start,
                session,
                {"name": name, "phone": phone, "phone_key": phone_key, "email": email, "consents": consents},
                note=note,
            )
        )
        request.env["smartbook.website.attempt"].sudo()._smartbook_record(keys)
        return {
            "booking_id": booking.id,
            "access_token": booking.access_token,
            "state": booking.state,
            "manage_url": booking.get_portal_url(),
        }

    # ------------------------------------------------------------------ the manage link

    def _booking(self, params):
        booking_id = parse_id(params, "booking_id")
        token = parse_text(params, "access_token", required=True)
        return request.env["smartbook.booking"].sudo()._smartbook_website_by_token(booking_id, token)

    @_route("/smartbook/booking/cancel")
    def cancel(self, **params):
        booking = self._booking(params)
        reason = parse_text(params, "reason")
        booking.action_client_cancel(reason=reason or None)
        return {"booking_id": booking.id, "state": booking.state}

    @_route("/smartbook/booking/reschedule")
    def reschedule(self, **params):
        booking = self._booking(params)
        start = parse_start(params)
        booking._smartbook_website_reschedule(start)
        tz = self._company()._smartbook_tz()
        return {
            "booking_id": booking.id,
            "state": booking.state,
            "start": to_local_iso(booking.start, tz),
            "end": to_local_iso(booking.stop, tz),
        }
