from collections import defaultdict
from functools import reduce

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.rendering_tools import parse_inline_template

from .smartbook_message import BOOKING_KINDS, CHANNELS, KINDS

BOOKING_MODEL = "smartbook.booking"
CLIENT_MODEL = "res.partner"
# The order in which a client's channel is chosen: a linked Telegram chat first,
# SMS when the kind's Telegram template falls back to it, then e-mail.
CHANNEL_ORDER = ("telegram", "sms", "email")


# The placeholders of each render model: plain field paths, documented in the form
# and rendered without evaluating code.
PLACEHOLDERS = {
    BOOKING_MODEL: (
        "object.partner_id.name",
        "object.partner_id.smartbook_first_name",
        "object.service_id.name",
        "object.employee_id.name",
        "object.smartbook_local_date",
        "object.smartbook_local_time",
        "object.smartbook_price_text",
        "object.smartbook_manage_url",
        "object.partner_id.smartbook_telegram_link",
        "object.smartbook_state_label",
        "object.company_id.name",
        "object.company_id.phone",
    ),
    CLIENT_MODEL: ("object.name", "object.smartbook_first_name", "object.smartbook_telegram_link"),
}


class SmartbookMessageTemplate(models.Model):
    """What a client (or a specialist) reads, per kind and channel.

    Bodies are translated and rendered with ``mail.render.mixin``'s inline
    templates (``{{ object.service_id.name }}``) in the recipient's language. The
    documented placeholders are plain field paths rendered without evaluating
    code; anything else goes through Odoo's sandbox, and only template editors
    may write it (``_unrestricted_rendering``, as for Odoo's own templates)."""

    _name = "smartbook.message.template"
    _inherit = ["mail.render.mixin"]
    _description = "Message Template"
    _order = "kind, channel, id"
    _unrestricted_rendering = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    kind = fields.Selection(KINDS, required=True, index=True)
    channel = fields.Selection(CHANNELS, required=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    body = fields.Text(translate=True, render_engine="inline_template")
    sms_fallback = fields.Boolean(
        string="SMS When No Telegram",
        default=True,
        help="For a Telegram template: clients without a linked Telegram chat get this kind "
        "of message by SMS instead (with their SMS consent).",
    )
    placeholder_help = fields.Html(compute="_compute_placeholder_help", string="Placeholders")
    # Preview on a real record, in its recipient's language (not stored).
    preview_booking_id = fields.Many2one(
        "smartbook.booking", compute="_compute_preview_targets", readonly=False
    )
    preview_partner_id = fields.Many2one(
        "res.partner", compute="_compute_preview_targets", readonly=False, string="Preview Client"
    )
    preview_lang = fields.Char(compute="_compute_preview_body", string="Preview Language")
    preview_body = fields.Text(compute="_compute_preview_body", string="Preview")

    # ------------------------------------------------------------------ computes

    @api.depends("kind")
    def _compute_render_model(self):
        for template in self:
            template.render_model = BOOKING_MODEL if template.kind in BOOKING_KINDS else CLIENT_MODEL

    def _smartbook_placeholder_labels(self):
        return {
            "object.partner_id.name": self.env._("Client name"),
            "object.partner_id.smartbook_first_name": self.env._("Client first name"),
            "object.service_id.name": self.env._("Service"),
            "object.employee_id.name": self.env._("Specialist"),
            "object.smartbook_local_date": self.env._("Date of the visit, in the business's time zone"),
            "object.smartbook_local_time": self.env._("Time of the visit, in the business's time zone"),
            "object.smartbook_price_text": self.env._("Price"),
            "object.smartbook_manage_url": self.env._("Link where the client manages the booking"),
            "object.partner_id.smartbook_telegram_link": self.env._(
                "Link that connects the client's Telegram"
            ),
            "object.smartbook_state_label": self.env._("State of the booking"),
            "object.company_id.name": self.env._("Business name"),
            "object.company_id.phone": self.env._("Business phone"),
            "object.name": self.env._("Client name"),
            "object.smartbook_first_name": self.env._("Client first name"),
            "object.smartbook_telegram_link": self.env._("Link to connect the client's Telegram"),
        }

    @api.depends("kind")
    def _compute_placeholder_help(self):
        labels = self._smartbook_placeholder_labels()
        for template in self:
            rows = Markup("").join(
                Markup("<tr><td><code>{{ %s }}</code></td><td>%s</td></tr>")
                % (expression, labels[expression])
                for expression in PLACEHOLDERS[template.render_model]
            )
            template.placeholder_help = Markup("<table class='table table-sm'>%s</table>") % rows

    def _compute_preview_targets(self):
        # Chosen in the form only; nothing to compute.
        self.preview_booking_id = False
        self.preview_partner_id = False

    @api.depends("body", "kind", "preview_booking_id", "preview_partner_id")
    @api.depends_context("lang")
    def _compute_preview_body(self):
        for template in self:
            record = (
                template.preview_booking_id
                if template.render_model == BOOKING_MODEL
                else template.preview_partner_id
            )
            if not record:
                template.preview_lang = template.preview_body = False
                continue
            lang = template._smartbook_record_lang(record)
            origin = template._origin
            # The saved translation the client will get, unless the body is being edited.
            body = (
                origin.with_context(lang=lang).body
                if origin and template.body == origin.body
                else template.body
            )
            template.preview_lang = lang
            try:
                template.preview_body = template._smartbook_render_source(body, record, lang)
            except (AccessError, UserError, SyntaxError) as error:
                template.preview_body = self.env._("This template cannot be rendered: %(error)s", error=error)

    # ------------------------------------------------------------------ rendering

    def _has_unsafe_expression_template_inline_template(self, template_txt, model):
        # The documented placeholders are plain field paths: safe for anyone.
        if template_txt:
            allowed = set(PLACEHOLDERS.get(model, ()))
            expressions = [inst[1] for inst in parse_inline_template(str(template_txt)) if inst[1]]
            if all(expression.strip() in allowed for expression in expressions):
                return False
        return super()._has_unsafe_expression_template_inline_template(template_txt, model)

    @api.model
    def _render_template_inline_template_regex(self, template_txt, model, res_ids):
        """The placeholders' own renderer: field paths read from the records (a
        missing field renders empty), no code evaluated."""
        template = parse_inline_template(str(template_txt))
        records = self.env[model].browse(res_ids)
        result = {}
        for record in records:
            parts = []
            for text, expression, default in template:
                parts.append(text)
                if expression:
                    try:
                        value = reduce(lambda rec, name: rec[name], expression.strip().split(".")[1:], record)
                    except KeyError:
                        value = False
                    if isinstance(value, models.BaseModel):
                        value = value.display_name
                    parts.append(str(value or default or ""))
            result[record.id] = "".join(parts)
        return result

    def _smartbook_render_source(self, body, record, lang):
        """Render ``body`` (a template source) on ``record`` in ``lang``, with the
        current user's rights: the form's preview."""
        self.ensure_one()
        template = self.with_context(lang=lang)
        if template._has_unsafe_expression_template_inline_template(
            body, self.render_model
        ) and not self.env.user.has_group("mail.group_mail_template_editor"):
            raise AccessError(self.env._("Only template editors may preview code in templates."))
        record.check_access("read")
        return template._render_template(body, self.render_model, [record.id])[record.id]

    @api.model
    def _smartbook_record_lang(self, record):
        """The language a record's recipient reads: the client's for bookings and clients."""
        partner = record.partner_id if record._name == BOOKING_MODEL else record
        return partner.lang or self.env.company.partner_id.lang or "en_US"

    def _smartbook_render(self, records, langs=None):
        """``{record id: body}``: the template rendered on ``records`` (of its render
        model), each in its recipient's language (``langs``: record id -> language,
        to override it), in one rendering per language."""
        self.ensure_one()
        by_lang = defaultdict(list)
        for record in records:
            lang = (langs or {}).get(record.id) or self._smartbook_record_lang(record)
            by_lang[lang].append(record.id)
        bodies = {}
        for lang, ids in by_lang.items():
            bodies.update(self._render_field("body", ids, set_lang=lang))
        return bodies

    # ------------------------------------------------------------------ routing

    @api.model
    def _smartbook_templates(self, kind, company):
        """``{channel: template}``: the active templates of ``kind`` for ``company``,
        its own before the shared ones."""
        found = {}
        templates = self.search(
            [("kind", "=", kind), ("company_id", "in", [company.id, False])], order="company_id, id"
        )
        for template in templates:
            found.setdefault(template.channel, template)
        return found

    @api.model
    def _smartbook_route(self, partners, kind, templates):
        """``{partner id: template}``: the channel each client gets ``kind`` on, among
        ``templates`` (``{channel: template}``): a linked Telegram chat first, then
        SMS if the kind's Telegram template falls back to it (or there is none),
        then e-mail; a channel the outbox would refuse (consent, address) is
        skipped. Clients no channel reaches are left out."""
        Message = self.env["smartbook.message"]
        telegram = templates.get("telegram")
        sms_allowed = not telegram or telegram.sms_fallback
        routes = {}
        for partner in partners:
            for channel in CHANNEL_ORDER:
                template = templates.get(channel)
                if not template or (channel == "sms" and not sms_allowed):
                    continue
                if not Message._smartbook_refusal(partner, channel, kind):
                    routes[partner.id] = template
                    break
        return routes

    @api.model
    def _smartbook_messages(self, company, records, kind, make_key, templates=None):
        """Outbox values of ``kind`` for ``records`` (bookings, or clients for the
        client kinds) of ``company``: each client on their channel, the body in
        their language. ``make_key(record, channel)`` gives the dedupe key."""
        if templates is None:
            templates = self._smartbook_templates(kind, company)
        if not templates or not records:
            return []
        is_booking = records._name == BOOKING_MODEL
        partners = records.partner_id if is_booking else records
        routes = self._smartbook_route(partners, kind, templates)
        by_template = defaultdict(list)
        for record in records:
            partner = record.partner_id if is_booking else record
            if template := routes.get(partner.id):
                by_template[template].append(record.id)
        vals_list = []
        for template, ids in by_template.items():
            routed = records.browse(ids)
            bodies = template._smartbook_render(routed)
            vals_list += [
                {
                    "channel": template.channel,
                    "kind": kind,
                    "partner_id": record.partner_id.id if is_booking else record.id,
                    "booking_id": record.id if is_booking else False,
                    "template_id": template.id,
                    "company_id": company.id,
                    "body": bodies[record.id],
                    "dedupe_key": make_key(record, template.channel),
                }
                for record in routed
            ]
        return vals_list
