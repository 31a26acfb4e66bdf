import logging

from odoo import http
from odoo.http import request

from ..models.smartbook_message_sms import withdraw_sms_consent
from ..tools import sms_gateway
from .webhook import forbidden, json_object_body, webhook_route

_logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# How each provider names the fields SmartBook reads from its webhooks.
WEBHOOK_FIELDS = {
    "twilio": {"ref": "MessageSid", "status": "MessageStatus", "sender": "From", "text": "Body"},
    "http_json": {"ref": "id", "status": "status", "sender": "from", "text": "body"},
}


class SmartbookSmsController(http.Controller):
    """Webhooks of the SMS providers: delivery receipts and inbound messages, signed by the provider."""

    # ------------------------------------------------------------------ signature

    def _smartbook_sms_candidate_urls(self):
        """The URLs the provider may have signed: the one we gave it (web.base.url) and the one it hit."""
        httprequest = request.httprequest
        query = httprequest.query_string.decode()
        suffix = httprequest.path + (f"?{query}" if query else "")
        base_url = request.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        return list(dict.fromkeys([base_url.rstrip("/") + suffix, httprequest.url]))

    def _smartbook_sms_verified_company(self, provider):
        """The company whose gateway signed this request, or None (then nothing is done)."""
        httprequest = request.httprequest
        companies = request.env["res.company"].sudo().search([("smartbook_sms_provider", "=", provider)])
        if provider == "twilio":
            signature = httprequest.headers.get("X-Twilio-Signature")
            params = list(httprequest.form.items(multi=True))
            account = httprequest.form.get("AccountSid")
            urls = self._smartbook_sms_candidate_urls()
            for company in companies:
                if account and company.smartbook_sms_account != account:
                    continue
                if sms_gateway.verify_twilio_signature(urls, params, company.smartbook_sms_token, signature):
                    return company
            return None
        signature = httprequest.headers.get(sms_gateway.HTTP_JSON_SIGNATURE_HEADER)
        raw_body = httprequest.get_data()
        for company in companies:
            if sms_gateway.verify_http_json_signature(raw_body, company.smartbook_sms_token, signature):
                return company
        return None

    def _smartbook_sms_params(self, provider):
        if provider == "twilio":
            return request.httprequest.form.to_dict()
        return json_object_body() or {}

    def _smartbook_sms_signed_request(self, provider):
        """``(company, params, None)`` for a request signed by a company's gateway, else
        ``(None, None, response)``: 404 for an unknown provider, 403 (nothing done) unsigned."""
        if provider not in sms_gateway.PROVIDERS:
            return None, None, request.not_found()
        company = self._smartbook_sms_verified_company(provider)
        if not company:
            _logger.warning("SmartBook SMS: refused an unsigned or wrongly signed %s webhook", provider)
            return None, None, forbidden()
        return company, self._smartbook_sms_params(provider), None

    # ------------------------------------------------------------------ receipts

    @webhook_route("/smartbook/sms/status/<string:provider>")
    def smartbook_sms_status(self, provider, **_kwargs):
        _company, params, refusal = self._smartbook_sms_signed_request(provider)
        if refusal is not None:
            return refusal
        names = WEBHOOK_FIELDS[provider]
        ref, provider_status = params.get(names["ref"]), params.get(names["status"])
        status = sms_gateway.receipt_status(provider, provider_status)
        if ref and status:
            error = sms_gateway.receipt_error(provider, params) if status == "failed" else None
            sms_uuid = request.httprequest.args.get("sms_uuid")
            if sms_uuid:
                self._smartbook_sms_update_sms(sms_uuid, status, error)
            else:
                request.env["smartbook.message"].sudo()._smartbook_apply_receipt(str(ref), status, error)
        return request.make_response("", headers=[("Content-Type", "text/plain")])

    def _smartbook_sms_update_sms(self, sms_uuid, status, error):
        """A receipt for Odoo's own sms.sms sent through SmartBook's gateway (as Odoo's IAP receipts)."""
        trackers = request.env["sms.tracker"].sudo().search([("sms_uuid", "=", sms_uuid)])
        all_sms = request.env["sms.sms"].sudo().search([("uuid", "=", sms_uuid)])
        if status == "delivered":
            trackers._action_update_from_sms_state("sent")
            all_sms.write({"state": "sent", "failure_type": False})
        else:
            trackers._action_update_from_sms_state(
                "error", failure_type="sms_not_delivered", failure_reason=error
            )
            all_sms.write({"state": "error", "failure_type": "unknown"})
        trackers.mail_notification_id.mail_message_id._notify_message_notification_update()

    # ------------------------------------------------------------------ inbound

    @webhook_route("/smartbook/sms/inbound/<string:provider>")
    def smartbook_sms_inbound(self, provider, **_kwargs):
        company, params, refusal = self._smartbook_sms_signed_request(provider)
        if refusal is not None:
            return refusal
        names = WEBHOOK_FIELDS[provider]
        number, text = params.get(names["sender"]), params.get(names["text"]) or ""
        env = request.env(context=dict(request.env.context, lang=company.partner_id.lang))
        if number and sms_gateway.is_stop_request(text):
            withdraw_sms_consent(env, [number], env._("The client replied STOP by SMS."))
        elif number and text.strip():
            self._smartbook_sms_log_inbound(env, number, text)
        if provider == "twilio":
            # Twilio reads the answer as TwiML: an empty response sends no reply.
            return request.make_response(EMPTY_TWIML, headers=[("Content-Type", "text/xml")])
        return request.make_response("", headers=[("Content-Type", "text/plain")])

    def _smartbook_sms_log_inbound(self, env, number, text):
        clients = (
            env["res.partner"]
            .sudo()
            .search([("smartbook_client", "=", True), "|", ("phone", "=", number), ("mobile", "=", number)])
        )
        for client in clients:
            client.message_post(
                body=env._("SMS from the client: %(text)s", text=text),
                author_id=client.id,
                message_type="sms",
                subtype_xmlid="mail.mt_note",
            )
        _logger.info("SmartBook SMS: inbound message logged on partners %s", clients.ids)
