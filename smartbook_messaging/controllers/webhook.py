import json

from odoo import http
from odoo.http import request


def webhook_route(path):
    """The route of a provider's webhook: a signed POST with no session, cookie or CSRF token."""
    return http.route(path, type="http", auth="public", methods=["POST"], csrf=False, save_session=False)


def json_object_body():
    """The request's JSON body when it is an object, else None (empty, malformed or another type)."""
    try:
        payload = json.loads(request.httprequest.get_data() or b"{}")
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def forbidden():
    return request.make_response("Forbidden", headers=[("Content-Type", "text/plain")], status=403)
