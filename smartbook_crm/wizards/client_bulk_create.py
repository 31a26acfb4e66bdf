"""Create many new clients at once: the import's fast path.

``Partner.create`` costs about 2 ms per client with the usual addons installed,
most of it per-record work of the ORM (defaults looked up field by field for each
record, values converted one by one, create overrides of a dozen addons) that is
the same for every row of a client file. :meth:`ClientBulkCreator.create_clients` does what
``create`` does for such rows, once per batch where the ORM does it once per row:

- the same values: the client card's normalisation (``_smartbook_normalize_vals``),
  the model's defaults (``default_get``, asked once), each value converted to its
  column by its field (HTML sanitised, dates, company-dependent fields);
- one multi-row ``INSERT`` for the clients, one for their tags;
- every stored computed field not given (complete name, commercial partner,
  normalised e-mail and phone, statistics...) computed by the ORM, in batch, as
  ``create`` leaves them to compute; the ORM's ``modified`` for what depends on
  new clients elsewhere; the Python constraints; the access check;
- the consent log rows ``create`` writes.

It only takes rows it can create exactly like ``create`` (the import's rows: a
new client without parent, company, user or inverse-written field); anything
else raises :class:`NotBulkCreatable` and goes through ``create``. The
equivalence is tested field by field against ``create`` (test_client_import).
"""

from collections import defaultdict

from odoo import Command
from odoo.models import LOG_ACCESS_COLUMNS, SQL_DEFAULT
from odoo.tools import SQL

from ..tools.personal_data import CONSENT_CHANNELS, consent_field

# Create overrides that act on these values; rows holding them go through create().
ORM_ONLY_FIELDS = frozenset(
    {"parent_id", "user_ids", "website", "vat", "additional_info", "type", "is_company"}
)


class NotBulkCreatable(ValueError):
    """Rows the fast path does not create exactly like ``create``."""


class ClientBulkCreator:
    """Creates batches of new clients for one import run (the defaults and their
    column values are looked up once)."""

    def __init__(self, Partner):
        self.Partner = Partner
        self.env = Partner.env
        self.fields = fields = Partner._fields
        context = Partner.env.context
        # Without these, create() follows, logs and tracks the new clients: the
        # fast path does none of that.
        if not (context.get("tracking_disable") and context.get("mail_create_nolog")):
            raise NotBulkCreatable("context")
        if context.get("res_partner_search_mode") or context.get("import_file"):
            raise NotBulkCreatable("context")
        defaults = Partner.default_get(list(fields))
        for name, value in defaults.items():
            field = fields[name]
            # An empty set of tags, as category_id's default gives, links nothing.
            empty = value in ([], [(Command.SET, 0, [])])
            if (field.type in ("many2many", "one2many", "properties") and not empty) or field.inverse:
                raise NotBulkCreatable(name)
        self.defaults = {
            name: value for name, value in defaults.items() if fields[name].store and fields[name].column_type
        }
        self.default_columns = {
            name: fields[name].convert_to_column_insert(value, Partner, self.defaults)
            for name, value in self.defaults.items()
        }
        self.tag_field = fields["category_id"]

    def _check(self, vals):
        for name in vals:
            field = self.fields[name]
            if name in ORM_ONLY_FIELDS or field.inverse or not field.store or name in ("id", "parent_path"):
                raise NotBulkCreatable(name)
            if field.type in ("one2many", "properties") or (
                field.type == "many2many" and name != "category_id"
            ):
                raise NotBulkCreatable(name)

    def create_clients(self, vals_list):
        """Create one client per ``vals`` (the import's values); return their ids,
        in order."""
        Partner = self.Partner
        rows = []
        for vals in vals_list:
            vals = dict(vals)
            self._check(vals)
            # What the client card's create() does to the values first.
            if vals.get("smartbook_client", Partner.env.context.get("default_smartbook_client")):
                Partner.browse()._smartbook_normalize_vals(vals)
            rows.append(vals)
        tag_commands = [vals.pop("category_id", []) for vals in rows]
        records = Partner.browse(self._insert(rows))
        self._link_tags(records, tag_commands)
        self._fill_cache(records, rows)
        self._mark_to_compute(records, rows)
        records._validate_fields({*self.defaults, *(name for vals in rows for name in vals), "category_id"})
        records.check_access("create")
        self.env["smartbook.consent.log"]._log(
            [
                (record.id, channel, True)
                for record, vals in zip(records, rows, strict=True)
                for channel in CONSENT_CHANNELS
                if vals.get(consent_field(channel))
            ]
        )
        self.env.flush_all()
        return records.ids

    def _insert(self, rows):
        """One INSERT of the rows, with the defaults, as create()'s ``_create`` does."""
        fields, env = self.fields, self.env
        columns = sorted(name for name in set(self.defaults).union(*rows) if fields[name].column_type)
        now, uid = env.cr.now(), env.uid
        table_rows = []
        for vals in rows:
            stored = {**self.defaults, **vals}
            row = []
            for name in columns:
                if name in vals:
                    row.append(fields[name].convert_to_column_insert(vals[name], self.Partner, stored))
                else:
                    row.append(self.default_columns.get(name, SQL_DEFAULT))
            table_rows.append((*row, uid, now, uid, now))
        env.cr.execute(
            SQL(
                'INSERT INTO %s (%s) VALUES %s RETURNING "id"',
                SQL.identifier(self.Partner._table),
                SQL(", ").join(map(SQL.identifier, [*columns, *LOG_ACCESS_COLUMNS])),
                SQL(", ").join(table_rows),
            )
        )
        return [row[0] for row in env.cr.fetchall()]

    def _link_tags(self, records, tag_commands):
        tag_rows = []
        for record, commands in zip(records, tag_commands, strict=True):
            for command in commands:
                if command[0] != Command.LINK:
                    raise NotBulkCreatable("category_id")
                tag_rows.append((record.id, command[1]))
        if tag_rows:
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s, %s) VALUES %s ON CONFLICT DO NOTHING",
                    SQL.identifier(self.tag_field.relation),
                    SQL.identifier(self.tag_field.column1),
                    SQL.identifier(self.tag_field.column2),
                    SQL(", ").join(tag_rows),
                )
            )
            self.env["res.partner.category"].invalidate_model(["partner_ids"])

    def _fill_cache(self, records, rows):
        """The new records' values in the cache, as ``_create`` puts them: nothing
        for the fields without a value, which also spares the computes fetching
        them (and writing the image sizes of no image). A field at a time for the
        whole batch, where ``_create`` goes record by record."""
        cache, fields = self.env.cache, self.fields
        given = set(self.defaults).union(*rows)
        for field in fields.values():
            name = field.name
            if field.type in ("one2many", "many2many"):
                if name != "category_id":
                    cache.update(records, field, [()] * len(records))
                continue
            empty = field.convert_to_cache(None, records[:1])
            if field.related and not field.column_type and name not in given:
                cache.update(records, field, [empty] * len(records))
            elif name not in given:
                if field.store and not field.compute and name not in ("id", *LOG_ACCESS_COLUMNS):
                    cache.update(records, field, [empty] * len(records))
            else:
                self._cache_values(records, rows, field, empty)

    def _cache_values(self, records, rows, field, empty):
        name, with_value, values = field.name, [], []
        default = self.defaults.get(name)
        for record, vals in zip(records, rows, strict=True):
            if name in vals or name in self.defaults:
                with_value.append(record.id)
                values.append(field.convert_to_cache(vals.get(name, default), record))
            elif field.related and not field.column_type or (field.store and not field.compute):
                with_value.append(record.id)
                values.append(empty)
        self.env.cache.update(records.browse(with_value), field, values)
        if field.type == "many2one" and self.env.registry.field_inverses[field]:
            by_value = defaultdict(list)
            for record_id, value in zip(with_value, values, strict=True):
                by_value[value].append(record_id)
            for value, record_ids in by_value.items():
                field._update_inverses(records.browse(record_ids), value)

    def _mark_to_compute(self, records, rows):
        """As create(): the computed fields given are protected from recomputation,
        every other stored computed field (and what depends on the new records
        elsewhere) is marked to compute."""
        fields, field_computed = self.fields, self.env.registry.field_computed
        protected = []
        for record, vals in zip(records, rows, strict=True):
            given = [fields[name] for name in {*self.defaults, *vals}]
            protected.append(
                (
                    {
                        computed
                        for field in given
                        if field.compute and (not field.readonly or field.precompute)
                        for computed in field_computed.get(field, [field])
                    },
                    record,
                )
            )
        records._parent_store_create()
        with self.env.protecting(protected):
            records.modified(fields, create=True)
