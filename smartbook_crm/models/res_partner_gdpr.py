import logging

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.gdpr import personal_data_json, personal_data_xlsx

_logger = logging.getLogger(__name__)

# What erasure blanks on the client: identity, contact, address and everything
# SmartBook keeps about the person. Accounting keeps its documents and amounts.
ERASED_FIELDS = (
    "smartbook_first_name",
    "smartbook_last_name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "website",
    "function",
    "vat",
    "comment",
    "image_1920",
    "smartbook_birthday",
    "smartbook_gender",
    "smartbook_profession",
    "smartbook_notes",
    "smartbook_blacklist_reason",
    "telegram_chat_id",
    "category_id",
)
CLIENT_EXPORT_FIELDS = (
    "name",
    "smartbook_first_name",
    "smartbook_last_name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "country_id",
    "vat",
    "smartbook_birthday",
    "smartbook_gender",
    "smartbook_profession",
    "smartbook_source_id",
    "category_id",
    "smartbook_notes",
    "smartbook_blacklisted",
    "smartbook_blacklist_reason",
    "smartbook_consent_sms",
    "smartbook_consent_telegram",
    "smartbook_consent_email",
    "smartbook_consent_marketing",
    "create_date",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    smartbook_erased = fields.Boolean(string="Personal Data Erased", readonly=True, copy=False)

    def _smartbook_check_gdpr_rights(self):
        if not self.env.user.has_group("smartbook_crm.group_smartbook_manager"):
            raise AccessError(self.env._("Only SmartBook managers handle personal data requests."))

    def _smartbook_personal_data(self):
        """Sections of personal data held about this client; other addons add theirs."""
        self.ensure_one()
        client = self.read(list(CLIENT_EXPORT_FIELDS))[0]
        for name in ("country_id", "smartbook_source_id"):
            client[name] = client[name] and client[name][1]
        client["category_id"] = ", ".join(self.category_id.mapped("name"))
        return {
            "client": [client],
            "consents": [
                {"date": log.date, "channel": log.channel, "granted": log.granted}
                for log in self.smartbook_consent_log_ids.sorted("date")
            ],
            "photos": [{"date": photo.date, "note": photo.note} for photo in self.smartbook_photo_ids],
        }

    def action_smartbook_gdpr_export(self, file_format="json"):
        """Build the client's personal data file and return its download."""
        self.ensure_one()
        self._smartbook_check_gdpr_rights()
        data = self._smartbook_personal_data()
        if file_format == "xlsx":
            content = personal_data_xlsx(data)
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content, mimetype = personal_data_json(data), "application/json"
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"personal-data-{self.id}.{file_format}",
                    "raw": content,
                    "mimetype": mimetype,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        self.env["smartbook.gdpr.log"].sudo().create({"partner_id": self.id, "action": "export"})
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def action_smartbook_gdpr_export_xlsx(self):
        return self.action_smartbook_gdpr_export(file_format="xlsx")

    def action_smartbook_gdpr_erase(self):
        """Anonymise clients: personal data gone, invoices and payments kept."""
        self._smartbook_check_gdpr_rights()
        if self.user_ids:
            raise UserError(self.env._("A contact linked to a user account cannot be erased here."))
        clients = self.sudo()
        vals = {name: False for name in ERASED_FIELDS if name in self._fields}
        vals["category_id"] = [fields.Command.clear()]
        for client in clients:
            client.with_context(tracking_disable=True).write(
                {
                    **vals,
                    "name": self.env._("Erased client #%(id)s", id=client.id),
                    "smartbook_erased": True,
                    "smartbook_consent_sms": False,
                    "smartbook_consent_telegram": False,
                    "smartbook_consent_email": False,
                    "smartbook_consent_marketing": False,
                    "active": False,
                }
            )
        clients._smartbook_drop_personal_records()
        self.env["smartbook.gdpr.log"].sudo().create(
            [{"partner_id": client.id, "action": "erase"} for client in clients]
        )
        # Ids only: no personal data in the server log.
        _logger.info("SmartBook: user %s erased the personal data of partners %s", self.env.uid, clients.ids)
        return True

    def _smartbook_drop_personal_records(self):
        """Delete what holds personal data beside the partner row; other addons add theirs."""
        self.smartbook_photo_ids.unlink()
        self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", self.ids)]
        ).unlink()
        self.env["mail.message"].search([("model", "=", "res.partner"), ("res_id", "in", self.ids)]).unlink()
        self.message_follower_ids.unlink()
