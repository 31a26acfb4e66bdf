from odoo import fields, models

CLIENT_CARD_GROUP = "smartbook_crm.group_smartbook_employee"


class ResPartner(models.Model):
    _inherit = "res.partner"

    smartbook_message_ids = fields.One2many(
        "smartbook.message", "partner_id", string="Outbox Messages", readonly=True, groups=CLIENT_CARD_GROUP
    )
    smartbook_message_count = fields.Integer(
        compute="_compute_smartbook_message_count", string="Outbox Message Count", groups=CLIENT_CARD_GROUP
    )

    def _compute_smartbook_message_count(self):
        # Counted with the user's rights: an employee counts what they may open.
        groups = self.env["smartbook.message"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
        )
        counts = dict(groups)
        for partner in self:
            partner.smartbook_message_count = counts.get(partner._origin, 0)

    def action_smartbook_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("smartbook_messaging.smartbook_message_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ GDPR

    def _smartbook_client_messages(self):
        # sudo: a personal data request covers the whole outbox of the client, and only
        # SmartBook managers get here (_smartbook_check_gdpr_rights).
        messages = self.env["smartbook.message"].sudo()
        return messages.search([("partner_id", "in", self.ids)], order="create_date, id")

    def _smartbook_personal_data(self):
        data = super()._smartbook_personal_data()
        channels = dict(self.env["smartbook.message"]._fields["channel"]._description_selection(self.env))
        kinds = dict(self.env["smartbook.message"]._fields["kind"]._description_selection(self.env))
        states = dict(self.env["smartbook.message"]._fields["state"]._description_selection(self.env))
        data["messages"] = [
            {
                "date": message.sent_at or message.create_date,
                "channel": channels.get(message.channel),
                "kind": kinds.get(message.kind),
                "state": states.get(message.state),
                "body": message.body,
            }
            for message in self._smartbook_client_messages()
        ]
        return data

    def _smartbook_drop_personal_records(self):
        """The outbox keeps that a message was sent (campaign counts), not what it
        said; nothing more is sent to an erased client."""
        result = super()._smartbook_drop_personal_records()
        messages = self._smartbook_client_messages()
        messages.filtered(lambda message: message.state == "queued").write(
            {"state": "cancelled", "error": self.env._("The client's personal data was erased.")}
        )
        # The provider's error may quote the number or the text: it goes with the body.
        messages.filtered(lambda message: message.state != "cancelled").write({"body": False, "error": False})
        messages.filtered(lambda message: message.state == "cancelled").write({"body": False})
        return result
