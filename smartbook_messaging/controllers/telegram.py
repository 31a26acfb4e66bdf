import logging

import psycopg2

from odoo import http
from odoo.http import request

from ..tools.telegram import install_log_redaction
from .webhook import forbidden, json_object_body, webhook_route

_logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The request log shows the webhook's path, which holds its secret.
install_log_redaction("werkzeug")


class SmartbookTelegramController(http.Controller):
    @webhook_route("/smartbook/telegram/<string:secret>")
    def smartbook_telegram_webhook(self, secret, **_kwargs):
        """Telegram's webhook: the URL's secret and the secret-token header must both be
        the company's (403 and nothing done otherwise); an update already processed is
        acknowledged and ignored; anything else is acted on, then acknowledged with 200
        (an update that fails is logged and not retried by Telegram forever)."""
        company = (
            request.env["res.company"]
            .sudo()
            ._smartbook_telegram_company_for_secret(secret, request.httprequest.headers.get(SECRET_HEADER))
        )
        if not company:
            return forbidden()
        update = json_object_body()
        update_id = update.get("update_id") if update is not None else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return request.make_response("Bad Request", [("Content-Type", "text/plain")], status=400)
        if not request.env["smartbook.telegram.update"].sudo()._smartbook_claim(company.id, update_id):
            return request.make_response("", status=200)
        replies = []
        try:
            with request.env.cr.savepoint():
                replies = company._smartbook_telegram_handle_update(update)
        except psycopg2.OperationalError:
            raise  # a concurrency failure: Odoo retries the whole request
        except Exception as error:  # pylint: disable=broad-except
            # The type only: messages may quote the client's data.
            _logger.error("Telegram update %s could not be processed: %s", update_id, type(error).__name__)
            _logger.debug("Telegram update error", exc_info=True)
        company._smartbook_telegram_send_replies(replies)
        return request.make_response("", status=200)
