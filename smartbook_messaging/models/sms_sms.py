from collections import defaultdict

from odoo import models
from odoo.exceptions import UserError

from ..tools import sms_gateway
from .smartbook_message_sms import send_sms_batch, sms_settings, withdraw_sms_consent

# mail.notification has no "opted out" failure: Odoo's nearest delivery error.
NOTIFICATION_FAILURE_TYPES = {"sms_optout": "sms_not_allowed"}


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Odoo's SMS composer, templates and queue through SmartBook's gateway when one is set.

        sms.sms has no company: the current company's provider decides (the composer's, or the
        cron user's). With ``iap`` Odoo's own path runs untouched.
        """
        settings = sms_settings(self.env.company)
        if not self or settings["provider"] not in sms_gateway.PROVIDERS:
            return super()._send(
                unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
            )
        base_url = self[0].get_base_url()
        items = [
            (
                sms.id,
                sms.number,
                sms.body or "",
                sms_gateway.callback_url(base_url, settings["provider"], sms_uuid=sms.uuid),
                sms.uuid,
            )
            for sms in self
        ]
        results = send_sms_batch(self.env, settings, items)
        all_sms_sudo = self.sudo().with_context(sms_skip_msg_notification=True)
        # One write per outcome, as Odoo's IAP path does, not one per SMS.
        outcomes = defaultdict(list)
        for sms in all_sms_sudo:
            result = results[sms.id]
            if result.status == "sent":
                outcomes["pending", False, False].append(sms.id)
            else:
                outcomes["error", sms_gateway.odoo_failure_type(result), result.error].append(sms.id)
        for (state, failure_type, reason), sms_ids in outcomes.items():
            group = all_sms_sudo.browse(sms_ids)
            if state == "pending":
                group.sms_tracker_id._action_update_from_sms_state("pending")
            else:
                group.sms_tracker_id._action_update_from_sms_state(
                    "error",
                    failure_type=NOTIFICATION_FAILURE_TYPES.get(failure_type, failure_type),
                    failure_reason=reason,
                )
            unlink = unlink_sent if state == "pending" else unlink_failed
            group.write(
                {"state": state, "failure_type": failure_type, **({"to_delete": True} if unlink else {})}
            )
        opted_out = all_sms_sudo.filtered(lambda sms: results[sms.id].status == "opt_out")
        if opted_out:
            withdraw_sms_consent(
                self.env, opted_out.mapped("number"), self.env._("The SMS provider reported an opt-out.")
            )
        all_sms_sudo.mail_message_id._notify_message_notification_update()
        if raise_exception and all(result.status == "retry" for result in results.values()):
            # Odoo raises when its provider cannot be reached: same here, with the reason.
            raise UserError(next(iter(results.values())).error)
