from odoo import api, fields, models
from odoo.exceptions import UserError


class SmartbookConsentLog(models.Model):
    """One line per consent given or withdrawn: the history the law asks for.

    Lines are written by the client card itself (see res.partner.write, through
    ``_log``) and are evidence: append-only for everyone, administrators and code
    running as superuser included. Nobody creates, edits or deletes a line through
    the ORM. GDPR erasure keeps them (it appends the withdrawals); a line goes
    only with its client when the client record itself is deleted (database
    cascade), or with the module at uninstall."""

    _name = "smartbook.consent.log"
    _description = "Client Consent History"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    channel = fields.Selection(
        [("sms", "SMS"), ("telegram", "Telegram"), ("email", "Email"), ("marketing", "Marketing")],
        required=True,
    )
    granted = fields.Boolean(help="Checked when consent was given, unchecked when withdrawn.")
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Changed By",
        default=lambda self: self.env.user,
        readonly=True,
        ondelete="set null",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if vals_list:
            raise UserError(
                self.env._("Consent history is recorded by changing the consent on the client card.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(self.env._("Consent history is evidence: its lines cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Consent history is evidence: its lines cannot be deleted."))

    @api.model
    def _log(self, entries):
        """Record ``(partner_id, channel, granted)`` entries as the current user, now.

        One INSERT for any number of entries: importing 50,000 clients writes
        ~100,000 lines, which the ORM's per-record bookkeeping would make cost
        seconds; these lines have no computed field, default or constraint
        beyond what is written here."""
        if not entries:
            return
        partner_ids, channels, granted = (list(column) for column in zip(*entries, strict=True))
        self.env.cr.execute(
            """
            INSERT INTO smartbook_consent_log (partner_id, channel, granted, date, user_id,
                                               create_uid, create_date, write_uid, write_date)
            SELECT partner_id, channel, granted, now() at time zone 'UTC', %(uid)s, %(uid)s,
                   now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM unnest(%(partners)s::int[], %(channels)s::varchar[], %(granted)s::bool[])
                   AS entry(partner_id, channel, granted)
            """,
            {"uid": self.env.uid, "partners": partner_ids, "channels": channels, "granted": granted},
        )
        self.env["res.partner"].browse(set(partner_ids)).invalidate_recordset(["smartbook_consent_log_ids"])
