from odoo import api, models

from odoo.addons.smartbook_crm.tools.personal_data import consent_field

# Consents a visitor may tick on the booking form.
WEBSITE_CONSENT_CHANNELS = ("sms", "telegram", "marketing")


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _smartbook_website_client(self, name, phone, email="", consents=()):
        """The client card of the E.164 ``phone``, created when there is none.

        A card found by phone is reused, never duplicated, and never rewritten with
        what a visitor typed: only empty e-mail is filled in and consents ticked
        now are granted (never withdrawn). Run as superuser by the booking route,
        as the website's public user, which the consent history records as who
        changed the consent. The caller tells the visitor nothing of the card."""
        matches = self._smartbook_find_duplicates(phones=[phone]).get(phone, [])
        if matches:
            cards = self.with_context(active_test=False).browse(matches)
            client = (cards.filtered("active") or cards)[0]
            vals = {
                consent_field(channel): True
                for channel in consents
                if channel in WEBSITE_CONSENT_CHANNELS and not client[consent_field(channel)]
            }
            if email and not client.email:
                vals["email"] = email
            if vals:
                client.write(vals)
            return client
        return self.create(
            {
                "name": name,
                "phone": phone,
                "email": email or False,
                "smartbook_client": True,
                **{
                    consent_field(channel): True
                    for channel in consents
                    if channel in WEBSITE_CONSENT_CHANNELS
                },
            }
        )
