import base64
import json
import re

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, html2plaintext, split_every

from ..tools.client_export import EXPORT_KEYS, EXPORT_LABELS, join_tags, write_csv, write_xlsx
from ..tools.client_import import CONSENT_KEYS, PARTNER_FIELDS

BATCH_SIZE = 5000
# The client field each export column reads.
COLUMN_FIELDS = {
    # The import's plain columns, so that an exported file reads back field for field ...
    **PARTNER_FIELDS,
    # ... and the columns that need a lookup or a conversion.
    "country": "country_id",
    "source": "smartbook_source_id",
    "tags": "category_id",
    "responsible": "smartbook_user_id",
    "notes": "smartbook_notes",
    "created_on": "create_date",
}
# Relational columns: the related model and the field the file shows of it.
RELATED_COLUMNS = {
    "country": ("res.country", "code"),
    "source": ("smartbook.source", "name"),
    "tags": ("res.partner.category", "name"),
    "responsible": ("res.users", "login"),
}
BOOLEAN_COLUMNS = ("blacklisted", *CONSENT_KEYS)


class SmartbookClientExport(models.TransientModel):
    """Export clients to CSV or Excel: a segment, selected clients, or the
    current filter of the client list (``active_domain``).

    The file is written in one pass: the ids come from one search with the
    user's record rules, the values from one query per batch of a few thousand
    clients (two with the tags), the names of related records from one query per
    related model for the ids not seen yet, and the rows stream into the writer.
    """

    _name = "smartbook.client.export"
    _description = "Export Clients"

    segment_id = fields.Many2one("smartbook.segment", ondelete="cascade")
    client_domain = fields.Text(
        string="Selected Clients",
        help="The domain (JSON) of the selected clients or of the list's filter, when not exporting "
        "a segment.",
    )
    client_count = fields.Integer(string="Clients to Export", compute="_compute_client_count")
    file_format = fields.Selection(
        [("xlsx", "Excel (XLSX)"), ("csv", "CSV")], string="Format", default="xlsx", required=True
    )
    file_data = fields.Binary(string="File", readonly=True, attachment=True)
    file_name = fields.Char(readonly=True)

    # One checkbox per column, named column_<key>, for each key of EXPORT_KEYS.
    column_name = fields.Boolean(string="Name", default=True)
    column_first_name = fields.Boolean(string="First Name", default=True)
    column_last_name = fields.Boolean(string="Last Name", default=True)
    column_phone = fields.Boolean(string="Phone", default=True)
    column_mobile = fields.Boolean(string="Mobile", default=True)
    column_email = fields.Boolean(string="Email", default=True)
    column_birthday = fields.Boolean(string="Birthday", default=True)
    column_gender = fields.Boolean(string="Gender", default=True)
    column_profession = fields.Boolean(string="Profession", default=True)
    column_country = fields.Boolean(string="Country", default=True)
    column_city = fields.Boolean(string="City", default=True)
    column_source = fields.Boolean(string="Source", default=True)
    column_tags = fields.Boolean(string="Tags", default=True)
    column_responsible = fields.Boolean(string="Responsible", default=True)
    column_notes = fields.Boolean(string="Notes", default=True)
    column_blacklisted = fields.Boolean(string="Cannot Book", default=True)
    column_blacklist_reason = fields.Boolean(string="Why They Cannot Book", default=True)
    column_consent_sms = fields.Boolean(string="SMS Consent", default=True)
    column_consent_telegram = fields.Boolean(string="Telegram Consent", default=True)
    column_consent_email = fields.Boolean(string="Email Consent", default=True)
    column_consent_marketing = fields.Boolean(string="Marketing Consent", default=True)
    column_created_on = fields.Boolean(string="Created On", default=True)

    # ------------------------------------------------------------------ source

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "client_domain" in fields_list
            and not values.get("segment_id")
            and context.get("active_model") == "res.partner"
        ):
            domain = self._domain_from_context(context)
            if domain is not None:
                values["client_domain"] = json.dumps(domain)
        return values

    @api.model
    def _domain_from_context(self, context):
        """Selected clients by id; the list's whole filter when nothing is selected
        or when "select all" went past the web client's limit of ids."""
        active_ids = context.get("active_ids") or []
        limit = int(self.env["ir.config_parameter"].sudo().get_param("web.active_ids_limit", 20000))
        if active_ids and (len(active_ids) < limit or context.get("active_domain") is None):
            return [("id", "in", list(active_ids))]
        if context.get("active_domain") is not None:
            return list(context["active_domain"])
        return None

    def _get_export_domain(self):
        self.ensure_one()
        if self.segment_id:
            domain = self.segment_id._get_client_domain()
        elif self.client_domain:
            # JSON, not a Python literal: a selection of 20,000 ids is longer than
            # the 100 KiB Odoo lets ast.literal_eval read.
            try:
                domain = json.loads(self.client_domain)
            except ValueError as error:
                raise UserError(self.env._("The selection of clients to export is not valid.")) from error
            if not isinstance(domain, list):
                raise UserError(self.env._("The selection of clients to export is not valid."))
        else:
            raise UserError(
                self.env._("Nothing to export: start the export from a segment or from the client list.")
            )
        return expression.AND([[("smartbook_client", "=", True)], domain])

    @api.depends("segment_id", "client_domain")
    def _compute_client_count(self):
        Partner = self.env["res.partner"]
        for wizard in self:
            wizard.client_count = (
                Partner.search_count(wizard._get_export_domain())
                if wizard.segment_id or wizard.client_domain
                else 0
            )

    # ------------------------------------------------------------------ columns

    def _export_columns(self):
        """The chosen column keys, in file order."""
        return [key for key in EXPORT_KEYS if self[f"column_{key}"]]

    def _update_lookups(self, lookups, rows):
        """Add to ``lookups`` ({column key: {id: shown value}}) what the relational
        columns of ``rows`` show and is not known yet: one query per related model
        and batch at most, usually none after the first batches. Archived tags are
        left out, as on the client card; an archived source or user still shows."""
        for key, shown in lookups.items():
            field_name = COLUMN_FIELDS[key]
            model_name, shown_field = RELATED_COLUMNS[key]
            Related = self.env[model_name].with_context(active_test=key == "tags")
            wanted = set()
            for row in rows.values():
                value = row[field_name]
                wanted.update(value if isinstance(value, list) else [value] if value else [])
            missing = wanted - shown.keys()
            if missing:
                shown.update(dict.fromkeys(missing))  # None: archived or out of reach, shown empty
                records = Related.search_read([("id", "in", list(missing))], [shown_field])
                shown.update({record["id"]: record[shown_field] for record in records})

    def _converters(self, keys, lookups):
        """Per column, how a raw database value becomes a file value (``None``:
        as it is)."""
        zone = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        tag_names = lookups.get("tags", {})

        def tags(tag_ids):
            names = sorted(filter(None, map(tag_names.get, tag_ids or ())))
            return join_tags(names) or None

        def notes(html):
            return (html2plaintext(html) or None) if html else None

        def created_on(moment):
            return pytz.utc.localize(moment).astimezone(zone).date() if moment else None

        converters = {
            "tags": tags,
            "notes": notes,
            "created_on": created_on,
            **dict.fromkeys(BOOLEAN_COLUMNS, bool),
            **{key: shown.get for key, shown in lookups.items() if key != "tags"},
        }
        return [converters.get(key) for key in keys]

    def _fetch_batch(self, batch_ids, field_names):
        """Raw values of ``field_names`` for the clients ``batch_ids`` by id, in two
        queries: the client columns, then the tags (many2many) if asked.

        SQL rather than ``read``: the ids come from a search with the user's
        record rules and the fields' access is checked first, so the ORM's
        per-value work (cache, conversion for the web client) is all that is
        left out, and it was most of the export's time.
        """
        Partner = self.env["res.partner"]
        table = Partner._table
        columns = [name for name in field_names if Partner._fields[name].column_type]
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM %s WHERE %s = ANY(%s)",
                SQL(", ").join(SQL.identifier(table, name) for name in ["id", *columns]),
                SQL.identifier(table),
                SQL.identifier(table, "id"),
                list(batch_ids),
            )
        )
        rows = {row[0]: dict(zip(columns, row[1:], strict=True)) for row in self.env.cr.fetchall()}
        for name in field_names:
            field = Partner._fields[name]
            if field.type != "many2many":
                continue
            self.env.cr.execute(
                SQL(
                    "SELECT %s, array_agg(%s) FROM %s WHERE %s = ANY(%s) GROUP BY %s",
                    SQL.identifier(field.column1),
                    SQL.identifier(field.column2),
                    SQL.identifier(field.relation),
                    SQL.identifier(field.column1),
                    list(batch_ids),
                    SQL.identifier(field.column1),
                )
            )
            related = dict(self.env.cr.fetchall())
            for partner_id, row in rows.items():
                row[name] = related.get(partner_id, [])
        return rows

    def _rows(self, client_ids, keys):
        """Yield one list of file values per client, in ``client_ids`` order,
        reading a batch of clients at a time."""
        Partner = self.env["res.partner"]
        field_names = list(dict.fromkeys(COLUMN_FIELDS[key] for key in keys))
        Partner.check_field_access_rights("read", field_names)
        Partner.flush_model(field_names)
        lookups = {key: {} for key in keys if key in RELATED_COLUMNS}
        converters = self._converters(keys, lookups)
        columns = list(zip((COLUMN_FIELDS[key] for key in keys), converters, strict=True))
        for batch_ids in split_every(BATCH_SIZE, client_ids):
            rows = self._fetch_batch(batch_ids, field_names)
            self._update_lookups(lookups, rows)
            for client_id in batch_ids:
                if (row := rows.get(client_id)) is not None:
                    yield [convert(row[name]) if convert else row[name] for name, convert in columns]

    # ------------------------------------------------------------------ export

    def _file_base_name(self):
        label = self.segment_id.name or self.env._("clients")
        return re.sub(r"[^\w]+", "-", label).strip("-").lower() or "clients"

    def action_export(self):
        self.ensure_one()
        keys = self._export_columns()
        if not keys:
            raise UserError(self.env._("Choose at least one column to export."))
        client_ids = self.env["res.partner"].search(self._get_export_domain(), order="name, id").ids
        if not client_ids:
            raise UserError(self.env._("There is no client to export: the selection is empty."))
        header = [EXPORT_LABELS[key] for key in keys]
        rows = self._rows(client_ids, keys)
        if self.file_format == "csv":
            content = write_csv(header, rows)
        else:
            try:
                content = write_xlsx(header, rows, sheet_name=self.env._("Clients"))
            except ValueError as error:
                raise UserError(
                    self.env._(
                        "%(count)s clients do not fit in one Excel sheet: export them to CSV.",
                        count=len(client_ids),
                    )
                ) from error
        today = fields.Date.context_today(self)
        self.write(
            {
                "file_data": base64.b64encode(content),
                "file_name": f"{self._file_base_name()}-{today}.{self.file_format}",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": (
                f"/web/content/?model={self._name}&id={self.id}"
                "&field=file_data&filename_field=file_name&download=true"
            ),
            "target": "download",
        }
