import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html2plaintext

from ..tools.gdpr import personal_data_json, personal_data_xlsx
from ..tools.personal_data import CONSENT_CHANNELS, PERSONAL_FIELDS, consent_field, erased_fields
from ..tools.phone import InvalidPhone, format_phone, normalize_phone

_logger = logging.getLogger(__name__)

PHONE_FIELDS = ("phone", "mobile")
NORMALIZED_FIELDS = (*PHONE_FIELDS, "smartbook_first_name", "smartbook_last_name")
# What the business knows about a client beyond what an invoice shows is for SmartBook
# staff only: an accountant or any other internal user sees the contact, not this.
CLIENT_CARD_GROUP = "smartbook_crm.group_smartbook_employee"
# The contact fields whose changes a client's chatter shows, beside SmartBook's own:
# settings other apps compute behind the scenes (e-invoicing addresses...) stay silent.
CLIENT_TRACKED_FIELDS = frozenset({"name", "email", "phone", "mobile", "parent_id", "vat", "user_id"})


class ResPartner(models.Model):
    _inherit = "res.partner"

    smartbook_client = fields.Boolean(
        string="Is a Client",
        index=True,
        help="Clients of the business get the SmartBook client card; company contacts, "
        "suppliers and users stay plain contacts.",
    )
    smartbook_first_name = fields.Char(string="First Name")
    smartbook_last_name = fields.Char(string="Last Name")
    smartbook_birthday = fields.Date(string="Birthday", index="btree_not_null", groups=CLIENT_CARD_GROUP)
    smartbook_gender = fields.Selection(
        [("female", "Female"), ("male", "Male"), ("other", "Other")],
        string="Client Gender",
        groups=CLIENT_CARD_GROUP,
    )
    smartbook_profession = fields.Char(string="Profession", groups=CLIENT_CARD_GROUP)
    smartbook_source_id = fields.Many2one(
        "smartbook.source",
        string="Source",
        index="btree_not_null",
        help="How the client found the business.",
        groups=CLIENT_CARD_GROUP,
    )
    smartbook_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index="btree_not_null",
        domain=[("share", "=", False)],
        help="The staff member in charge of this client; an employee sees the clients "
        "they are responsible for.",
        groups=CLIENT_CARD_GROUP,
    )
    smartbook_notes = fields.Html(
        string="Internal Notes",
        help="Allergies, preferences, colour formulas: what staff must know.",
        groups=CLIENT_CARD_GROUP,
    )
    smartbook_blacklisted = fields.Boolean(
        string="Cannot Book",
        tracking=True,
        help="The client cannot book, neither online nor from the backend. Not the SMS opt-out "
        "of the phone number, which only stops text messages.",
        groups=CLIENT_CARD_GROUP,
    )
    smartbook_blacklist_reason = fields.Char(
        string="Why They Cannot Book", tracking=True, groups=CLIENT_CARD_GROUP
    )
    smartbook_consent_sms = fields.Boolean(string="SMS Consent", groups=CLIENT_CARD_GROUP)
    smartbook_consent_telegram = fields.Boolean(string="Telegram Consent", groups=CLIENT_CARD_GROUP)
    smartbook_consent_email = fields.Boolean(string="Email Consent", groups=CLIENT_CARD_GROUP)
    smartbook_consent_marketing = fields.Boolean(string="Marketing Consent", groups=CLIENT_CARD_GROUP)
    smartbook_consent_log_ids = fields.One2many(
        "smartbook.consent.log",
        "partner_id",
        string="Consent History",
        readonly=True,
        groups=CLIENT_CARD_GROUP,
    )
    smartbook_photo_ids = fields.One2many(
        "smartbook.client.photo", "partner_id", string="Photos", groups=CLIENT_CARD_GROUP
    )
    smartbook_photo_count = fields.Integer(
        compute="_compute_smartbook_photo_count", string="Photo Count", groups=CLIENT_CARD_GROUP
    )
    smartbook_phone_display = fields.Char(
        compute="_compute_smartbook_phone_display",
        inverse="_inverse_smartbook_phone_display",
        string="Phone (national)",
        help="The phone in the national format of the company's country.",
    )
    smartbook_duplicate_ids = fields.Many2many(
        "res.partner",
        compute="_compute_smartbook_duplicate_ids",
        string="Possible Duplicates",
        help="Other clients with the same phone number or e-mail address.",
        groups=CLIENT_CARD_GROUP,
    )
    smartbook_erased = fields.Boolean(string="Personal Data Erased", readonly=True, copy=False)
    telegram_chat_id = fields.Char(
        copy=False,
        groups="smartbook_crm.group_smartbook_manager",
        help="Set when the client starts the business's Telegram bot.",
    )

    # ------------------------------------------------------------------ computes

    @api.depends("smartbook_photo_ids")
    def _compute_smartbook_photo_count(self):
        counts = dict(
            self.env["smartbook.client.photo"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.smartbook_photo_count = counts.get(partner._origin, 0)

    @api.depends("phone")
    @api.depends_context("company")
    def _compute_smartbook_phone_display(self):
        home_country = self.env.company.country_id.code
        for partner in self:
            partner.smartbook_phone_display = format_phone(partner.phone, home_country)

    def _inverse_smartbook_phone_display(self):
        # The card edits the phone as it shows it; write() stores it in E.164.
        home_country = self.env.company.country_id.code
        for partner in self:
            if (partner.smartbook_phone_display or "") != format_phone(partner.phone, home_country):
                partner.phone = partner.smartbook_phone_display or False

    @api.onchange("smartbook_first_name", "smartbook_last_name")
    def _onchange_smartbook_name_parts(self):
        # What write() does on save, shown while typing.
        parts = [part.strip() for part in (self.smartbook_first_name, self.smartbook_last_name) if part]
        if parts:
            self.name = " ".join(parts)

    @api.depends("phone", "mobile", "email")
    def _compute_smartbook_duplicate_ids(self):
        clients = self.filtered(lambda p: p.smartbook_client and (p.phone or p.mobile or p.email))
        (self - clients).smartbook_duplicate_ids = False
        if not clients:
            return
        matches = self._smartbook_find_duplicates(
            phones={number for partner in clients for number in (partner.phone, partner.mobile) if number},
            emails={partner.email.strip().lower() for partner in clients if partner.email},
        )
        for partner in clients:
            keys = {partner.phone, partner.mobile, (partner.email or "").strip().lower()} - {False, None, ""}
            partner.smartbook_duplicate_ids = [
                partner_id
                for key in keys
                for partner_id in matches.get(key, ())
                if partner_id != partner._origin.id
            ]

    @api.model
    def _smartbook_find_duplicates(self, phones=(), emails=()):
        """Map each given E.164 phone and lower-case e-mail to the ids of the clients
        that have it, in one query whatever the number of keys."""
        phones, emails = list(phones), list(emails)
        if not phones and not emails:
            return {}
        domain = [("smartbook_client", "=", True)]
        key_domain = []
        if phones:
            key_domain = ["|", ("phone", "in", phones), ("mobile", "in", phones)]
        if emails:
            email_domain = [("email_normalized", "in", emails)]
            key_domain = ["|", *key_domain, *email_domain] if key_domain else email_domain
        matches = {}
        wanted = set(phones) | set(emails)
        for row in self.with_context(active_test=False).search_read(
            domain + key_domain, ["phone", "mobile", "email_normalized"], order="id"
        ):
            for key in (row["phone"], row["mobile"], row["email_normalized"]):
                if key in wanted:
                    matches.setdefault(key, []).append(row["id"])
        return matches

    # ------------------------------------------------------------------ writes

    def _smartbook_phone_country(self, vals):
        """The country a phone without international prefix is read in: the one
        being written, else the client's, else the company's."""
        country = self.env["res.country"].browse(vals.get("country_id") or self.country_id.id)
        return (country or self.env.company.country_id).code

    def _smartbook_normalize_vals(self, vals):
        """Normalise phones to E.164 and build the name from its parts, for ``self``
        (one client, or none on create); refuse an invalid number with a message
        that says which one and why."""
        country_code = self._smartbook_phone_country(vals)
        for field_name in PHONE_FIELDS:
            if vals.get(field_name):
                try:
                    vals[field_name] = normalize_phone(vals[field_name], country_code)
                except InvalidPhone as error:
                    raise ValidationError(self._smartbook_phone_error(error)) from error
        if "smartbook_first_name" in vals or "smartbook_last_name" in vals:
            parts = [vals.get(name, self[name]) for name in ("smartbook_first_name", "smartbook_last_name")]
            if any(parts) and not vals.get("name"):
                vals["name"] = " ".join(part.strip() for part in parts if part)
        return vals

    def _smartbook_phone_error(self, error):
        messages = {
            "no_country": self.env._(
                "The phone number %(phone)s has no international prefix and there is no country "
                "to read it in. Write it as +<country code> <number>, or set the client's country.",
                phone=error.raw,
            ),
            "unparsable": self.env._("%(phone)s is not a phone number.", phone=error.raw),
            "invalid": self.env._(
                "The phone number %(phone)s is not valid: check the digits and the country code.",
                phone=error.raw,
            ),
        }
        return messages[error.reason]

    def _smartbook_check_unticking_client(self):
        """A client who stops being one becomes a plain contact that every internal
        user sees: only a manager, who sees every client anyway, decides that."""
        if self.env.su or self.env.user.has_group("smartbook_crm.group_smartbook_manager"):
            return
        if self.filtered("smartbook_client"):
            raise AccessError(
                self.env._(
                    'Only SmartBook managers can untick "Is a Client": the contact would '
                    "then be visible to all staff."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        default_client = self.env.context.get("default_smartbook_client")
        for vals in vals_list:
            if vals.get("smartbook_client", default_client):
                self.browse()._smartbook_normalize_vals(vals)
        partners = super().create(vals_list)
        self.env["smartbook.consent.log"]._log(
            [
                (partner.id, channel, True)
                for partner, vals in zip(partners, vals_list, strict=True)
                for channel in CONSENT_CHANNELS
                if vals.get(consent_field(channel))
            ]
        )
        return partners

    def write(self, vals):
        if "smartbook_client" in vals and not vals["smartbook_client"]:
            self._smartbook_check_unticking_client()
        consent_fields = [
            consent_field(channel) for channel in CONSENT_CHANNELS if consent_field(channel) in vals
        ]
        previous = {partner.id: {name: partner[name] for name in consent_fields} for partner in self}
        clients = self.browse()
        if any(vals.get(name) for name in NORMALIZED_FIELDS):
            clients = self if vals.get("smartbook_client") else self.filtered("smartbook_client")
        # Each client's phone is read in its own country and its name built from its
        # own parts: one write per client, only when such fields change.
        for client in clients:
            super(ResPartner, client).write(client._smartbook_normalize_vals(dict(vals)))
        others = self - clients
        if others:
            super(ResPartner, others).write(vals)
        self.env["smartbook.consent.log"]._log(
            [
                (partner.id, name.removeprefix("smartbook_consent_"), bool(vals[name]))
                for partner in self
                for name in consent_fields
                if bool(previous[partner.id][name]) != bool(vals[name])
            ]
        )
        return True

    def _smartbook_withdraw_consent(self, channel):
        """These clients asked for no more ``channel`` messages (a STOP, a blocked bot,
        the provider's opt-out): the consent is withdrawn through its field, so that the
        consent log records it. Returns the clients that had consented."""
        field = consent_field(channel)
        consenting = self.filtered(field)
        if consenting:
            consenting.write({field: False})
        return consenting

    def _mail_track(self, tracked_fields, initial_values):
        if self.smartbook_client:
            tracked_fields = {
                name: description
                for name, description in tracked_fields.items()
                if name in CLIENT_TRACKED_FIELDS or name.startswith("smartbook_")
            }
        return super()._mail_track(tracked_fields, initial_values)

    # ------------------------------------------------------------------ actions

    def action_smartbook_merge_duplicates(self):
        self.ensure_one()
        partners = self | self.smartbook_duplicate_ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Merge Duplicate Clients"),
            "res_model": "base.partner.merge.automatic.wizard",
            "view_mode": "form",
            "target": "new",
            # Defaults only, no active_ids: with those the wizard would keep the newest
            # contact, while merging from a card keeps that card.
            "context": {
                "default_partner_ids": partners[:3].ids,
                "default_dst_partner_id": self.id,
                "default_state": "selection",
            },
        }

    def action_smartbook_open_client_card(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("smartbook_crm.res_partner_action_client")
        action.update(
            res_id=self.id,
            view_mode="form",
            views=[(self.env.ref("smartbook_crm.res_partner_view_form_client").id, "form")],
        )
        return action

    def action_smartbook_photos(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("smartbook_crm.smartbook_client_photo_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # ------------------------------------------------------------------ GDPR

    def _smartbook_check_gdpr_rights(self):
        if not self.env.user.has_group("smartbook_crm.group_smartbook_manager"):
            raise AccessError(self.env._("Only SmartBook managers handle personal data requests."))

    @api.model
    def _smartbook_personal_fields(self):
        """The client fields holding personal data, in export order: the access
        export reads them all; other addons add theirs."""
        return list(PERSONAL_FIELDS)

    @api.model
    def _smartbook_erased_fields(self):
        """The personal fields erasure blanks: all but those it must keep."""
        return list(erased_fields(self._smartbook_personal_fields()))

    def _smartbook_personal_data(self):
        """Sections of personal data held about this client; other addons add theirs."""
        self.ensure_one()
        names = [name for name in self._smartbook_personal_fields() if name in self._fields]
        client = self.read(names)[0]
        for name in names:
            field = self._fields[name]
            if field.type == "many2one":
                client[name] = client[name] and client[name][1]
            elif field.type in ("many2many", "one2many"):
                client[name] = ", ".join(self[name].mapped("display_name"))
            elif field.type == "binary":
                # A picture is not text: the file says there is one.
                client[name] = bool(client[name])
            elif field.type == "html":
                client[name] = html2plaintext(client[name]) if client[name] else False
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
        vals = {}
        for name in self._smartbook_erased_fields():
            field = self._fields.get(name)
            if field and field.type in ("many2many", "one2many"):
                vals[name] = [fields.Command.clear()]
            elif field:
                vals[name] = False
        for client in clients:
            client.with_context(tracking_disable=True).write(
                {
                    **vals,
                    "name": self.env._("Erased client #%(id)s", id=client.id),
                    "smartbook_erased": True,
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
