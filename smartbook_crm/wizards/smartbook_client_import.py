import base64
import logging
import time
from datetime import date
from urllib.parse import quote

import psycopg2
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html, split_every

from ..models.smartbook_demo import BULK_CONTEXT
from ..tools import client_import
from ..tools.client_import import (
    CLIENT_COLUMNS,
    NAME_KEYS,
    PARTNER_FIELDS,
    PHONE_KEYS,
    RowProblem,
    UnreadableFile,
)
from .client_bulk_create import ClientBulkCreator, NotBulkCreatable

_logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
PREVIEW_ROWS = 5
PREVIEW_CELL_CHARS = 200  # a cell too long to import is still shown, cut
SAMPLE_ROWS = 10  # what is read of an Excel file to show its columns
ERRORS_SHOWN = 200
SEPARATOR_CHARS = {"comma": ",", "semicolon": ";", "tab": "\t"}
# What a write may raise for one bad row; the rest of its batch still imports.
ROW_WRITE_ERRORS = (psycopg2.Error, ValidationError, UserError)


class SmartbookClientImport(models.TransientModel):
    """Import clients from a CSV or Excel file, in steps: upload, column mapping and
    options (with a preview), a dry run that counts what would happen, the import.

    Every row is checked in Python first (phones as the client card reads them), so
    a bad row is reported with its number and reason and never stops the others;
    a file that cannot be read at all raises before anything is written.
    """

    _name = "smartbook.client.import"
    _description = "Import Clients"

    state = fields.Selection(
        [("upload", "Upload"), ("mapping", "Columns"), ("summary", "Check"), ("done", "Done")],
        default="upload",
        required=True,
    )
    file = fields.Binary(attachment=False, help="A CSV file or an Excel workbook (.xlsx).")
    file_name = fields.Char()
    encoding = fields.Selection(
        [
            ("auto", "Detect"),
            ("utf-8", "Unicode (UTF-8)"),
            ("cp1251", "Cyrillic (Windows-1251)"),
            ("latin-1", "Western European (Latin-1)"),
        ],
        default="auto",
        required=True,
        help="How the characters of a CSV file are written; Excel files need no choice.",
    )
    separator = fields.Selection(
        [("auto", "Detect"), ("comma", "Comma"), ("semicolon", "Semicolon"), ("tab", "Tab")],
        default="auto",
        required=True,
        help="What separates the columns of a CSV file.",
    )
    file_summary = fields.Char(readonly=True)
    row_count = fields.Integer(string="Rows", readonly=True)
    preview_html = fields.Html(string="Preview", readonly=True, sanitize=False)
    column_ids = fields.One2many("smartbook.client.import.column", "wizard_id", string="Columns")
    tag_ids = fields.Many2many(
        "res.partner.category",
        "smartbook_client_import_tag_rel",
        "wizard_id",
        "tag_id",
        string="Tags to Add",
        help="Added to every client the file creates or updates.",
    )
    default_country_id = fields.Many2one(
        "res.country",
        string="Default Country for Phones",
        default=lambda self: self.env.company.country_id,
        help="Phones written without an international prefix are read in the row's country, "
        "else in this one.",
    )
    on_duplicate = fields.Selection(
        [
            ("skip", "Skip the row"),
            ("update", "Update the client"),
            ("create", "Create another client"),
        ],
        string="When the Client Exists",
        default="skip",
        required=True,
        help="A row is the same client as an existing one when they share a phone or an e-mail "
        "address (or, without either, the name).",
    )
    new_count = fields.Integer(string="New", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    error_html = fields.Html(string="Row Errors", readonly=True, sanitize=False)
    error_file = fields.Binary(string="Error Report", readonly=True, attachment=True)
    error_file_name = fields.Char(readonly=True)

    # ------------------------------------------------------------------ steps

    def action_load(self):
        """Upload -> columns: read the file, guess the columns, show the first rows."""
        self.ensure_one()
        client_file = self._read_file(max_rows=SAMPLE_ROWS)
        guesses = client_import.guess_mapping(client_file.header)
        columns = [Command.clear()]
        for index, header in enumerate(client_file.header):
            samples = [
                cells[index] for _row, cells in client_file.rows[:SAMPLE_ROWS] if cells[index].strip()
            ][:3]
            columns.append(
                Command.create(
                    {
                        "column_index": index,
                        "header": header,
                        "sample": " | ".join(samples)[:120],
                        "field_key": guesses[index],
                    }
                )
            )
        self.write(
            {
                "state": "mapping",
                "column_ids": columns,
                "row_count": client_file.row_count,
                "file_summary": self._file_summary(client_file),
                "preview_html": self._preview_html(client_file),
            }
        )
        return self._reopen()

    def action_check(self):
        """Columns -> summary: a dry run that counts, writing no client."""
        self.ensure_one()
        self._run(dry_run=True)
        self.state = "summary"
        return self._reopen()

    def action_import(self):
        self.ensure_one()
        self._run(dry_run=False)
        self.state = "done"
        return self._reopen()

    def action_back(self):
        self.ensure_one()
        self.state = "mapping" if self.state == "summary" else "upload"
        return self._reopen()

    def action_download_errors(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/error_file/{quote(self.error_file_name)}"
            "?download=true",
            "target": "download",
        }

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Clients"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": self.env.context,
        }

    # ------------------------------------------------------------------ reading

    def _read_file(self, max_rows=None):
        if not self.file:
            raise UserError(self.env._("Choose a file to import."))
        try:
            return client_import.read_file(
                base64.b64decode(self.file),
                file_name=self.file_name,
                encoding=self.encoding,
                separator=SEPARATOR_CHARS.get(self.separator),
                max_rows=max_rows,
            )
        except UnreadableFile as error:
            raise UserError(self._unreadable_message(error)) from error

    def _unreadable_message(self, error):
        if error.reason == "too_large":
            return self.env._(
                "The file is %(size)s MB: the import reads files of at most %(limit)s MB. "
                "Split it into smaller files.",
                size=round(int(error.detail) / 1024 / 1024, 1),
                limit=client_import.MAX_FILE_BYTES // 1024 // 1024,
            )
        encoding_labels = dict(self._fields["encoding"]._description_selection(self.env))
        messages = {
            "empty": self.env._("The file is empty: it has no header row."),
            "no_rows": self.env._("The file has a header row but no clients."),
            "binary": self.env._("This is not a CSV file or an Excel workbook (.xlsx) that can be read."),
            "encoding": self.env._(
                "The file is not written in %(encoding)s: choose another encoding, or Detect.",
                encoding=encoding_labels.get(error.detail, error.detail),
            ),
            "xls": self.env._("The old Excel format (.xls) cannot be read: save the file as .xlsx or CSV."),
            "xlsx": self.env._("The Excel file is damaged and cannot be read."),
            "csv": self.env._("The CSV file cannot be read: %(detail)s", detail=error.detail),
        }
        return messages[error.reason]

    def _file_summary(self, client_file):
        name = self.file_name or self.env._("File")
        if client_file.kind == "xlsx":
            return self.env._(
                "%(name)s: Excel workbook, %(rows)s rows", name=name, rows=client_file.row_count
            )
        separators = {",": self.env._("comma"), ";": self.env._("semicolon"), "\t": self.env._("tab")}
        return self.env._(
            "%(name)s: CSV file, %(rows)s rows, encoding %(encoding)s, separated by %(separator)s",
            name=name,
            rows=len(client_file.rows),
            encoding=client_file.encoding,
            separator=separators[client_file.separator],
        )

    @api.model
    def _preview_html(self, client_file):
        def cells_html(tag, cells):
            return Markup("").join(
                Markup("<%s>%s</%s>") % (tag, cell[:PREVIEW_CELL_CHARS], tag) for cell in cells
            )

        body = Markup("").join(
            Markup("<tr>%s</tr>") % cells_html("td", cells) for _row, cells in client_file.rows[:PREVIEW_ROWS]
        )
        return Markup(
            '<table class="table table-sm table-bordered"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>'
        ) % (cells_html("th", client_file.header), body)

    def _mapping(self, client_file):
        """The column key of each column of the file, checked."""
        if len(self.column_ids) != len(client_file.header):
            raise UserError(
                self.env._("The file has changed since it was loaded: go back and load it again.")
            )
        mapping = [None] * len(client_file.header)
        labels = dict(
            self.env["smartbook.client.import.column"]._fields["field_key"]._description_selection(self.env)
        )
        for column in self.column_ids:
            if column.field_key and column.field_key in mapping:
                raise UserError(
                    self.env._("Two columns are imported as %(field)s.", field=labels[column.field_key])
                )
            mapping[column.column_index] = column.field_key or None
        if not {*NAME_KEYS, *PHONE_KEYS, "email"} & set(mapping):
            raise UserError(self.env._("Import at least one column as a name, a phone or an e-mail address."))
        return mapping

    # ------------------------------------------------------------------ import

    def _run(self, dry_run):
        started = time.monotonic()
        client_file = self._read_file()
        mapping = self._mapping(client_file)
        run = ClientImportRun(self, client_file, mapping, dry_run=dry_run)
        run.execute()
        errors = sorted(run.errors, key=lambda error: error[0])
        report = client_import.error_report(
            errors,
            client_file.header,
            labels=(self.env._("Row"), self.env._("Reason")),
            separator=client_file.separator,
        )
        stem = (self.file_name or "clients").rsplit(".", 1)[0]
        self.write(
            {
                "row_count": len(client_file.rows),
                "new_count": run.new_count,
                "updated_count": run.updated_count,
                "skipped_count": run.skipped_count,
                "error_count": len(errors),
                "error_html": self._errors_html(errors),
                "error_file": base64.b64encode(report) if errors else False,
                "error_file_name": self.env._("%(name)s-errors.csv", name=stem) if errors else False,
            }
        )
        _logger.info(
            "client import%s of %s rows in %.1fs: %s new, %s updated, %s skipped, %s errors",
            " (dry run)" if dry_run else "",
            len(client_file.rows),
            time.monotonic() - started,
            run.new_count,
            run.updated_count,
            run.skipped_count,
            len(errors),
        )

    def _errors_html(self, errors):
        if not errors:
            return False
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td></tr>") % (row_number, reason)
            for row_number, reason, _cells in errors[:ERRORS_SHOWN]
        )
        more = Markup("")
        if len(errors) > ERRORS_SHOWN:
            more = Markup("<p>%s</p>") % self.env._(
                "%(count)s more errors are in the error report.", count=len(errors) - ERRORS_SHOWN
            )
        return Markup(
            '<table class="table table-sm"><thead><tr><th>%s</th><th>%s</th></tr></thead>'
            "<tbody>%s</tbody></table>%s"
        ) % (self.env._("Row"), self.env._("Reason"), rows, more)


class SmartbookClientImportColumn(models.TransientModel):
    _name = "smartbook.client.import.column"
    _description = "Import Clients: File Column"
    _order = "column_index"

    wizard_id = fields.Many2one("smartbook.client.import", required=True, ondelete="cascade")
    column_index = fields.Integer(required=True)
    header = fields.Char(string="Column", readonly=True)
    sample = fields.Char(string="Values", readonly=True)
    field_key = fields.Selection(
        list(CLIENT_COLUMNS), string="Import As", help="Leave empty to leave the column out."
    )


class _NewClient:
    """A row to create; later rows of the file that are the same client see it."""

    __slots__ = ("cells", "failed", "partner_id", "row_number", "vals")

    def __init__(self, row_number, cells, vals):
        self.row_number = row_number
        self.cells = cells
        self.vals = vals
        self.partner_id = None
        self.failed = False


class ClientImportRun:
    """One pass of the import wizard over a file, batch by batch: check each row,
    look up the clients already there for the whole batch in one query, then create
    the batch in one call inside a savepoint (row by row only if that fails)."""

    def __init__(self, wizard, client_file, mapping, dry_run):
        self.env = wizard.env
        self.client_file = client_file
        self.mapping = mapping
        self.dry_run = dry_run
        self.on_duplicate = wizard.on_duplicate
        self.default_country = wizard.default_country_id.code
        self.option_tag_ids = wizard.tag_ids.ids
        self.headers = {key: header for key, header in zip(mapping, client_file.header, strict=True) if key}
        self.today = date.today()
        self.Partner = self.env["res.partner"].with_context(**BULK_CONTEXT)
        self.new_count = self.updated_count = self.skipped_count = 0
        self.errors = []  # (row number, reason, cells)
        # Duplicate key -> the client it belongs to (id), or the row creating it.
        self.seen = {}
        self._load_lookups()
        self.bulk_creator = None
        if not dry_run:
            try:
                self.bulk_creator = ClientBulkCreator(self.Partner)
            except NotBulkCreatable:
                _logger.info("client import: the defaults of res.partner need create(), no fast path")

    def _load_lookups(self):
        Country = self.env["res.country"]
        self.countries, self.country_ids = {}, {}
        for lang in {"en_US", self.env.lang or "en_US"}:
            for country in Country.with_context(lang=lang).search_read([], ["code", "name"]):
                self.countries[client_import.name_key(country["code"])] = country["code"]
                self.countries[client_import.name_key(country["name"])] = country["code"]
                self.country_ids[country["code"]] = country["id"]
        self.tags = self._names("res.partner.category")
        self.sources = self._names("smartbook.source")
        self.users = {}
        for user in self.env["res.users"].search_read(
            [("share", "=", False)], ["login", "name"], order="id desc"
        ):
            self.users[client_import.name_key(user["name"])] = user["id"]
            self.users[client_import.name_key(user["login"])] = user["id"]

    def _names(self, model):
        # Archived first, then newest first: the oldest active record of a name wins.
        records = self.env[model].with_context(active_test=False).search_read([], ["name", "active"])
        records.sort(key=lambda record: (record["active"], -record["id"]))
        return {client_import.name_key(record["name"]): record["id"] for record in records}

    def execute(self):
        for rows in split_every(BATCH_SIZE, self.client_file.rows):
            self._batch(rows)
            # The clients of this batch are in the database (or counted): keep the
            # cache from growing with the file.
            self.env.invalidate_all()

    # ------------------------------------------------------------------ one batch

    def _batch(self, rows):
        checked = []
        for row_number, cells in rows:
            record, problems = client_import.parse_row(
                cells, self.mapping, self.default_country, self.countries, today=self.today
            )
            vals = self._vals(record, problems) if not problems else None
            if problems:
                self._error(row_number, cells, problems)
            else:
                checked.append((row_number, cells, record, vals, client_import.duplicate_keys(record)))
        existing = self._existing(checked) if self.on_duplicate != "create" else {}
        to_create, to_update = [], []
        for row_number, cells, record, vals, keys in checked:
            target = self._target(keys, existing) if self.on_duplicate != "create" else None
            if target is None:
                if not client_import.full_name(record):
                    self._error(row_number, cells, [RowProblem("no_name")])
                    continue
                new_client = _NewClient(row_number, cells, vals)
                to_create.append(new_client)
                target = new_client
            elif self.on_duplicate == "skip":
                self.skipped_count += 1
            elif isinstance(target, _NewClient):
                # The same client twice in the file, not created yet: one client.
                _merge_vals(target.vals, vals)
                self.updated_count += 1
            else:
                to_update.append((row_number, cells, target, vals))
            for key in keys:
                self.seen.setdefault(key, target)
        if self.dry_run:
            self.new_count += len(to_create)
            self.updated_count += len(to_update)
        else:
            self._write(to_create, to_update)

    def _existing(self, checked):
        """Duplicate key -> id of the existing client, for the keys of the batch
        not seen before: one query, plus one for rows known by their name only."""
        phones, emails, names = set(), set(), set()
        for _row, _cells, record, _vals, keys in checked:
            for key in keys:
                if key in self.seen:
                    continue
                if key.startswith("name:"):
                    names.add(client_import.full_name(record))
                elif key.startswith("+"):
                    phones.add(key)
                else:
                    emails.add(key)
        existing = {
            key: min(ids) for key, ids in self.Partner._smartbook_find_duplicates(phones, emails).items()
        }
        if names:
            domain = [
                ("smartbook_client", "=", True),
                ("name", "in", list(names)),
                ("phone", "=", False),
                ("mobile", "=", False),
                ("email", "=", False),
            ]
            for partner in self.Partner.with_context(active_test=False).search_read(
                domain, ["name"], order="id desc"
            ):
                existing["name:" + client_import.name_key(partner["name"])] = partner["id"]
        return existing

    def _target(self, keys, existing):
        """The client a row is, if it exists or an earlier row creates it."""
        for key in keys:
            target = self.seen.get(key)
            if isinstance(target, _NewClient):
                if target.failed:
                    continue
                return target.partner_id or target
            target = target or existing.get(key)
            if target:
                return target
        return None

    def _vals(self, record, problems):
        """res.partner values of a checked record; unknown tags, sources or users
        are added to ``problems``."""
        vals = {PARTNER_FIELDS[key]: value for key, value in record.items() if key in PARTNER_FIELDS}
        vals["smartbook_client"] = True
        if "notes" in record:
            vals["smartbook_notes"] = plaintext2html(record["notes"])
        if "country" in record:
            vals["country_id"] = self.country_ids[record["country"]]
        if "source" in record:
            source_id = self._find_or_create("smartbook.source", self.sources, record["source"])
            if source_id is None:
                problems.append(RowProblem("source", "source", record["source"]))
            elif source_id:
                vals["smartbook_source_id"] = source_id
        if "responsible" in record:
            user_id = self.users.get(client_import.name_key(record["responsible"]))
            if user_id:
                vals["smartbook_user_id"] = user_id
            else:
                problems.append(RowProblem("responsible", "responsible", record["responsible"]))
        tag_ids = []
        for name in record.get("tags", ()):
            tag_id = self._find_or_create("res.partner.category", self.tags, name)
            if tag_id is None:
                problems.append(RowProblem("tag", "tags", name))
            elif tag_id:
                tag_ids.append(tag_id)
        tag_ids.extend(self.option_tag_ids)
        if tag_ids:
            vals["category_id"] = [Command.link(tag_id) for tag_id in dict.fromkeys(tag_ids)]
        return vals

    def _find_or_create(self, model, known, name):
        """Id of the record named ``name``; a missing one is created when the user
        may (``0`` in a dry run), else ``None``."""
        key = client_import.name_key(name)
        if key not in known:
            if not self.env[model].has_access("create"):
                return None
            known[key] = 0 if self.dry_run else self.env[model].create({"name": name}).id
        return known[key]

    # ------------------------------------------------------------------ writing

    def _write(self, to_create, to_update):
        for new_client in to_create:
            # What the salesperson's compute gives a contact without a parent company,
            # given here: it spares building one new record per client (~15% of a create).
            new_client.vals.setdefault("user_id", False)
        try:
            with self.env.cr.savepoint():
                partner_ids = self._create_batch([new_client.vals for new_client in to_create])
                for _row, _cells, partner_id, vals in to_update:
                    self.Partner.browse(partner_id).write(vals)
        except ROW_WRITE_ERRORS:
            self._write_one_by_one(to_create, to_update)
            return
        for new_client, partner_id in zip(to_create, partner_ids, strict=True):
            new_client.partner_id = partner_id
            new_client.vals = None
        self.new_count += len(to_create)
        self.updated_count += len(to_update)

    def _create_batch(self, vals_list):
        """Ids of the new clients of ``vals_list``: by the fast path when it takes
        the rows (:mod:`.client_bulk_create`), else by ``create``. A database error
        goes up, and the batch is then written row by row with ``create``."""
        if self.bulk_creator and vals_list:
            try:
                with self.env.cr.savepoint():
                    return self.bulk_creator.create_clients(vals_list)
            except NotBulkCreatable as error:
                _logger.info("client import: %s needs create(), no fast path for this batch", error)
        return self.Partner.create(vals_list).ids

    def _write_one_by_one(self, to_create, to_update):
        for new_client in to_create:
            try:
                with self.env.cr.savepoint():
                    new_client.partner_id = self.Partner.create(new_client.vals).id
            except ROW_WRITE_ERRORS as error:
                new_client.failed = True
                self._error(new_client.row_number, new_client.cells, [_write_error_message(self.env, error)])
            else:
                self.new_count += 1
            new_client.vals = None
        for row_number, cells, partner_id, vals in to_update:
            try:
                with self.env.cr.savepoint():
                    self.Partner.browse(partner_id).write(vals)
            except ROW_WRITE_ERRORS as error:
                self._error(row_number, cells, [_write_error_message(self.env, error)])
            else:
                self.updated_count += 1

    # ------------------------------------------------------------------ errors

    def _error(self, row_number, cells, problems):
        reasons = [problem if isinstance(problem, str) else self._message(problem) for problem in problems]
        self.errors.append((row_number, " ".join(reasons), cells))

    def _message(self, problem):
        params = {
            "column": self.headers.get(problem.column, problem.column),
            "value": problem.value,
            "limit": problem.limit,
        }
        if problem.code == "phone":
            return self.Partner._smartbook_phone_error(problem.error)
        # Only the message needed is translated: a file may have thousands of bad rows.
        messages = {
            "email": lambda: self.env._("%(value)s in column %(column)s is not an e-mail address.", **params),
            "birthday": lambda: self.env._(
                "%(value)s in column %(column)s is not a date: write it as YYYY-MM-DD or DD.MM.YYYY.",
                **params,
            ),
            "birthday_future": lambda: self.env._("The birthday %(value)s is in the future.", **params),
            "gender": lambda: self.env._(
                "%(value)s in column %(column)s is not a gender: write female, male or other.", **params
            ),
            "boolean": lambda: self.env._(
                "%(value)s in column %(column)s is not a yes or a no: write 1 or 0.", **params
            ),
            "country": lambda: self.env._(
                "%(value)s in column %(column)s is not a country: write its ISO code, such as ES.", **params
            ),
            "source": lambda: self.env._(
                "There is no client source %(value)s, and only a SmartBook manager can add one.", **params
            ),
            "tag": lambda: self.env._(
                "There is no tag %(value)s, and only a SmartBook manager can add one.", **params
            ),
            "responsible": lambda: self.env._(
                "There is no user %(value)s to make responsible for the client.", **params
            ),
            "too_long": lambda: self.env._(
                "Column %(column)s holds %(value)s characters: at most %(limit)s are imported. Shorten it.",
                **params,
            ),
            "no_name": lambda: self.env._(
                "The row has no name: fill in the name, or the first or last name."
            ),
        }
        return messages[problem.code]()


def _merge_vals(vals, more_vals):
    """Add the values of a later row about the same new client."""
    tag_commands = vals.get("category_id", []) + more_vals.get("category_id", [])
    vals.update(more_vals)
    if tag_commands:
        vals["category_id"] = tag_commands


def _write_error_message(env, error):
    if isinstance(error, psycopg2.Error):
        # Values are checked before writing: what the database still refuses is a
        # constraint of its own, which says what it is about in its message.
        detail = (error.diag.message_primary if error.diag else None) or str(error)
        return env._("The database refused the row, nothing of it was imported: %(detail)s", detail=detail)
    return str(error.args[0]) if error.args else str(error)
