import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from odoo import models

from ..tools import sms_gateway
from ..tools.delivery import DeliveryResult

_logger = logging.getLogger(__name__)

# Seconds to wait for the gateway's answer (ir.config_parameter to override, e.g. in tests).
TIMEOUT_PARAM = "smartbook_messaging.sms_timeout"
DEFAULT_TIMEOUT = 10.0
# Requests in flight at once per batch: a provider's round trip (~0.2 s) would otherwise
# cap a batch at a few messages per second. Twilio allows far more concurrent requests.
CONCURRENCY_PARAM = "smartbook_messaging.sms_concurrency"
DEFAULT_CONCURRENCY = 4


def sms_settings(company):
    """The company's gateway settings (secrets read as superuser: callers are the outbox and sms.sms)."""
    company = company.sudo()
    return {
        "provider": company.smartbook_sms_provider,
        "api_url": company.smartbook_sms_api_url,
        "account": company.smartbook_sms_account,
        "token": company.smartbook_sms_token,
        "sender": company.smartbook_sms_sender,
    }


def settings_complete(settings):
    required = ("api_url", "token", "sender") + (("account",) if settings["provider"] == "twilio" else ())
    return all(settings.get(name) for name in required)


def send_sms_batch(env, settings, items):
    """Send ``items`` — (key, to, body, callback_url, reference) — through the company's gateway.

    A few requests in flight at once (``smartbook_messaging.sms_concurrency``, each worker
    with its own HTTP session for the batch), a timeout on every call; returns
    {key: DeliveryResult}. Never raises for a provider's or the network's failure, never logs
    numbers or bodies. The workers only speak HTTP: no ORM outside the calling thread.
    """
    provider = settings["provider"]
    if not settings_complete(settings):
        error = env._("The SMS gateway settings are incomplete.")
        return {key: DeliveryResult("retry", error=error) for key, *_rest in items}
    parameters = env["ir.config_parameter"].sudo()
    timeout = float(parameters.get_param(TIMEOUT_PARAM, DEFAULT_TIMEOUT))
    concurrency = max(1, int(parameters.get_param(CONCURRENCY_PARAM, DEFAULT_CONCURRENCY)))
    no_number = DeliveryResult("failed", error=env._("The client has no mobile phone number."))
    local = threading.local()
    sessions = []

    def send_one(item):
        key, to, body, callback, reference = item
        if not to:
            return key, no_number
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            sessions.append(session)
        request = sms_gateway.build_request(provider, settings, to, body, callback, reference)
        try:
            response = session.post(request.url, timeout=timeout, **request.post_kwargs())
        except requests.Timeout:
            return key, sms_gateway.network_error_result("timeout")
        except requests.RequestException as error:
            return key, sms_gateway.network_error_result(type(error).__name__)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        return key, sms_gateway.parse_response(provider, response.status_code, payload, response.headers)

    try:
        if concurrency == 1 or len(items) == 1:
            results = dict(map(send_one, items))
        else:
            workers = min(concurrency, len(items))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smartbook-sms") as pool:
                results = dict(pool.map(send_one, items))
    finally:
        for session in sessions:
            session.close()
    _logger.info(
        "SmartBook SMS batch through %s: %s",
        provider,
        dict(Counter(result.status for result in results.values())),
    )
    return results


class SmartbookMessage(models.Model):
    _inherit = "smartbook.message"  # pylint: disable=consider-merging-classes-inherited

    def _smartbook_sms_number(self):
        """The E.164 number an SMS to this message's client goes to: mobile first, else phone."""
        partner = self.partner_id.sudo()
        return partner.mobile or partner.phone or False

    def _smartbook_deliver_sms(self):
        """Send these claimed SMS messages; return {message id: DeliveryResult}.

        Writes nothing on the messages: the outbox applies the results. With the ``iap``
        provider the messages go through Odoo's own sms.sms (and its IAP account).
        """
        results = {}
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        for company, messages in self.grouped("company_id").items():
            settings = sms_settings(company)
            if settings["provider"] not in sms_gateway.PROVIDERS:
                results.update(messages.with_company(company)._smartbook_deliver_sms_iap())
                continue
            callback = sms_gateway.callback_url(base_url, settings["provider"])
            items = [
                (message.id, message._smartbook_sms_number(), message.body or "", callback, str(message.id))
                for message in messages
            ]
            results.update(send_sms_batch(self.env, settings, items))
        return results

    def _smartbook_deliver_sms_iap(self):
        """Through Odoo's sms.sms queue and IAP, the default provider."""
        sms_by_message = {}
        for message in self:
            number = message._smartbook_sms_number()
            if number:
                sms_by_message[message] = number
        results = {
            message.id: DeliveryResult("failed", error=self.env._("The client has no mobile phone number."))
            for message in self
            if message not in sms_by_message
        }
        if not sms_by_message:
            return results
        messages = list(sms_by_message)
        all_sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {
                        "number": sms_by_message[message],
                        "body": message.body or "",
                        "partner_id": message.partner_id.id,
                    }
                    for message in messages
                ]
            )
        )
        all_sms._send(unlink_failed=True, unlink_sent=True, raise_exception=False)
        for message, sms in zip(messages, all_sms, strict=True):
            if sms.state in ("pending", "sent", "process"):
                results[message.id] = DeliveryResult("sent", ref=sms.uuid)
            elif sms.failure_type == "sms_server":
                results[message.id] = DeliveryResult(
                    "retry", error=self.env._("Odoo SMS service unavailable.")
                )
            else:
                failure = dict(sms._fields["failure_type"]._description_selection(self.env)).get(
                    sms.failure_type
                )
                results[message.id] = DeliveryResult("failed", error=failure or sms.failure_type or "unknown")
        return results


def withdraw_sms_consent(env, numbers, reason):
    """The owner of these E.164 numbers asked for no more SMS (STOP, provider opt-out).

    Every client with one of the numbers loses its SMS consent through the consent field
    (so the consent log records it), and the numbers go to Odoo's phone blacklist, which
    Odoo's own mass SMS honours. Returns the clients changed.
    """
    numbers = sorted({number for number in numbers if number})
    if not numbers:
        return env["res.partner"]
    partners = (
        env["res.partner"]
        .sudo()
        .with_context(active_test=False)
        .search(["|", ("phone", "in", numbers), ("mobile", "in", numbers)])
    )
    consenting = partners._smartbook_withdraw_consent("sms")
    env["phone.blacklist"].sudo()._add(numbers, message=reason)
    _logger.info("SmartBook SMS: opt-out received, SMS consent withdrawn for partners %s", consenting.ids)
    return consenting
