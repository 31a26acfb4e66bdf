import logging
import threading
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, plaintext2html

from odoo.addons.smartbook_crm.tools.personal_data import consent_field

from ..tools.delivery import DELIVERY_STATUSES, DeliveryResult
from ..tools.outbox import next_try_after, quiet_hours_end

_logger = logging.getLogger(__name__)

# The outbox's lists, in one place.
MESSAGE_STATES = [
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
CHANNELS = [("telegram", "Telegram"), ("sms", "SMS"), ("email", "Email")]
KINDS = [
    ("confirmation", "Booking Confirmed"),
    ("reminder", "Reminder"),
    ("rescheduled", "Booking Rescheduled"),
    ("cancelled", "Booking Cancelled"),
    ("birthday", "Birthday Greeting"),
    ("winback", "Win-back"),
    ("campaign", "Campaign"),
    ("staff_notice", "Staff Notice"),
]
# Kinds a client receives only with marketing consent (and never once erased or
# blacklisted from booking).
MARKETING_KINDS = ("birthday", "winback", "campaign")
# Kinds about one booking.
BOOKING_KINDS = ("confirmation", "reminder", "rescheduled", "cancelled", "staff_notice")

# Claimed and sent together, then committed: what a crash can leave "delivery unknown".
SEND_BATCH_SIZE = 100
# A message still "sending" after this long was in a run that died (a live run keeps
# its rows locked, see _smartbook_send_batch): it is failed, never resent by itself.
SENDING_TIMEOUT = timedelta(minutes=10)
# One run of the send action stops after this long and triggers itself again, so a
# large queue never holds a cron worker beyond Odoo's time limits.
SEND_RUN_SECONDS = 240
# Quiet hours do not hold back the answer to something the client has just done
# themselves (booked, rescheduled or cancelled online or from a Telegram button at
# 23:00): they are awake, on their phone, and waiting for exactly that message; making
# them wait until morning would look like the booking failed. A message the business
# caused (a manager cancelling late at night) or one that has waited longer than this
# (retries) waits for the morning like any other.
CLIENT_ACTION_KINDS = ("confirmation", "rescheduled", "cancelled")
CLIENT_ACTION_FRESH = timedelta(minutes=30)
ADDRESS_FIELDS = {"telegram": ("telegram_chat_id",), "sms": ("phone", "mobile"), "email": ("email",)}
# The columns _smartbook_enqueue accepts (other stored fields keep their default).
ENQUEUE_FIELDS = (
    "channel",
    "kind",
    "partner_id",
    "booking_id",
    "campaign_id",
    "template_id",
    "company_id",
    "body",
    "next_try",
    "dedupe_key",
)


def _auto_commit():
    # As sms.sms._process_queue: commit per batch, except inside a test transaction.
    return not getattr(threading.current_thread(), "testing", False)


class SmartbookMessage(models.Model):
    _name = "smartbook.message"
    _description = "Outbox Message"
    _order = "id desc"

    channel = fields.Selection(CHANNELS, required=True, index=True, readonly=True)
    kind = fields.Selection(KINDS, required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Recipient", required=True, index=True, ondelete="cascade", readonly=True
    )
    booking_id = fields.Many2one(
        "smartbook.booking", index="btree_not_null", ondelete="cascade", readonly=True
    )
    campaign_id = fields.Many2one(
        "smartbook.campaign", index="btree_not_null", ondelete="cascade", readonly=True
    )
    template_id = fields.Many2one("smartbook.message.template", ondelete="set null", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    body = fields.Text(readonly=True)
    state = fields.Selection(MESSAGE_STATES, default="queued", required=True, index=True, readonly=True)
    attempts = fields.Integer(default=0, readonly=True, help="Delivery attempts made so far.")
    next_try = fields.Datetime(
        default=fields.Datetime.now,
        index=True,
        readonly=True,
        help="Not sent before this time (UTC).",
    )
    sending_since = fields.Datetime(readonly=True)
    sent_at = fields.Datetime(readonly=True)
    error = fields.Char(readonly=True, help="Why the message failed or was cancelled.")
    provider_ref = fields.Char(string="Provider Reference", index="btree_not_null", readonly=True)
    dedupe_key = fields.Char(
        required=True,
        readonly=True,
        help="One message per key, ever: booking + kind + channel + start time, "
        "or campaign + client + channel.",
    )

    _sql_constraints = [
        ("dedupe_key_unique", "unique(dedupe_key)", "This message is already in the outbox."),
        ("attempts_positive", "CHECK(attempts >= 0)", "The number of attempts cannot be negative."),
    ]

    def init(self):
        # What the send action looks for, only among what waits: stays small whatever
        # the size of the history.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS smartbook_message_due_index"
            " ON smartbook_message (next_try, id) WHERE state = 'queued'"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS smartbook_message_sending_index"
            " ON smartbook_message (sending_since) WHERE state = 'sending'"
        )

    @api.depends("kind", "partner_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for message in self:
            message.display_name = f"{kinds.get(message.kind, '')} · {message.partner_id.display_name or ''}"

    # ------------------------------------------------------------------ consent

    @api.model
    def _smartbook_refusal(self, partner, channel, kind):
        """Why ``partner`` may not receive a ``kind`` message on ``channel`` now, or False.

        Checked when the message is queued and again right before it is sent."""
        partner = partner.sudo()
        if kind == "staff_notice":
            # To a specialist about their work, not to a client: no client consent.
            if not any(partner[name] for name in ADDRESS_FIELDS[channel]):
                return self._smartbook_no_address_reason(channel)
            return False
        if partner.smartbook_erased:
            return self.env._("The client's personal data was erased.")
        if not partner[consent_field(channel)]:
            return self.env._(
                "The client has not consented to %(channel)s messages.",
                channel=dict(self._fields["channel"]._description_selection(self.env))[channel],
            )
        if kind in MARKETING_KINDS:
            if not partner.smartbook_consent_marketing:
                return self.env._("The client has not consented to marketing messages.")
            if partner.smartbook_blacklisted:
                return self.env._("The client cannot book: no marketing messages.")
        if not any(partner[name] for name in ADDRESS_FIELDS[channel]):
            return self._smartbook_no_address_reason(channel)
        return False

    @api.model
    def _smartbook_no_address_reason(self, channel):
        return {
            "telegram": self.env._("No Telegram chat is linked."),
            "sms": self.env._("No phone number."),
            "email": self.env._("No e-mail address."),
        }[channel]

    # ------------------------------------------------------------------ enqueue

    @api.model
    def _smartbook_enqueue(self, vals_list):
        """Queue messages: the one way they are created. Refused ones (see
        _smartbook_refusal) and keys already in the outbox are skipped; returns
        the messages created.

        One INSERT ... ON CONFLICT DO NOTHING per 1,000 messages: the unique key
        decides, so two transactions queuing the same key make one message (the
        later one, if it cannot see the other's row yet, fails with a serialization
        error, which Odoo retries for requests and the next cron run redoes)."""
        if not vals_list:
            return self.browse()
        now = fields.Datetime.now()
        partners = self.env["res.partner"].sudo().browse({vals["partner_id"] for vals in vals_list})
        partner_by_id = {partner.id: partner for partner in partners}
        bookings = (
            self.env["smartbook.booking"]
            .sudo()
            .browse({vals["booking_id"] for vals in vals_list if vals.get("booking_id")})
        )
        company_by_booking = {booking.id: booking.company_id.id for booking in bookings}
        rows, keys, refused = [], set(), 0
        for vals in vals_list:
            unknown = set(vals) - set(ENQUEUE_FIELDS)
            if unknown:
                raise ValueError(f"_smartbook_enqueue: unknown fields {sorted(unknown)}")
            if vals["dedupe_key"] in keys:
                continue
            if self._smartbook_refusal(partner_by_id[vals["partner_id"]], vals["channel"], vals["kind"]):
                refused += 1
                continue
            keys.add(vals["dedupe_key"])
            rows.append(
                {
                    **vals,
                    "company_id": vals.get("company_id")
                    or company_by_booking.get(vals.get("booking_id"))
                    or self.env.company.id,
                    "next_try": fields.Datetime.to_datetime(vals.get("next_try")) or now,
                }
            )
        if refused:
            _logger.debug("SmartBook outbox: %s messages refused at enqueue", refused)
        ids = []
        columns = [*ENQUEUE_FIELDS, "state", "attempts", "create_uid", "create_date", "write_uid"]
        columns.append("write_date")
        for start in range(0, len(rows), 1000):
            values = [
                SQL(
                    "(%s)",
                    SQL(", ").join(
                        [
                            *(
                                self._fields[name].convert_to_column_insert(row.get(name), self)
                                for name in ENQUEUE_FIELDS
                            ),
                            "queued",
                            0,
                            self.env.uid,
                            now,
                            self.env.uid,
                            now,
                        ]
                    ),
                )
                for row in rows[start : start + 1000]
            ]
            self.env.cr.execute(
                SQL(
                    "INSERT INTO smartbook_message (%s) VALUES %s"
                    " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                    SQL(", ").join(SQL.identifier(name) for name in columns),
                    SQL(", ").join(values),
                )
            )
            ids.extend(row[0] for row in self.env.cr.fetchall())
        messages = self.browse(ids)
        if messages:
            first = min(row["next_try"] for row in rows)
            self._smartbook_trigger_send(max(first, now))
        return messages

    def _smartbook_trigger_send(self, at=None):
        cron = self.env.ref("smartbook_messaging.ir_cron_smartbook_send", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=at)

    # ------------------------------------------------------------------ sending

    @api.model
    def _cron_send(self, batch_size=None):
        """Send what is due, a batch at a time: claim (committed), deliver, record
        the results (committed). Safe to run in several processes at once."""
        auto_commit = _auto_commit()
        parameters = self.env["ir.config_parameter"].sudo()
        batch_size = batch_size or int(
            parameters.get_param("smartbook_messaging.send_batch_size", SEND_BATCH_SIZE)
        )
        # The outbox acts for the business, whoever runs it.
        self = self.sudo()
        self._smartbook_fail_interrupted(auto_commit)
        started = time.monotonic()
        done = 0
        while True:
            sending = self._smartbook_claim(batch_size, auto_commit)
            if sending is None:
                break
            if sending:
                self._smartbook_send_batch(sending, auto_commit)
                done += len(sending)
            if time.monotonic() - started > SEND_RUN_SECONDS:
                self._smartbook_trigger_send()
                break
        self._smartbook_rearm()
        self._smartbook_outbox_commit(auto_commit)
        return done

    def _smartbook_outbox_commit(self, auto_commit):
        """Commit what a step did, as sms.sms._process_queue does per batch: never
        inside a test's transaction (the tests of real commits run in their own
        cursors, see tests/test_outbox_runs.py)."""
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        else:
            self.env.flush_all()

    def _smartbook_fresh_transaction(self, auto_commit):
        """Commit, and read the next statement's data in READ COMMITTED: with Odoo's
        REPEATABLE READ, locking a row another run has just claimed and committed
        would raise a serialization error instead of skipping it."""
        self._smartbook_outbox_commit(auto_commit)
        if auto_commit:
            self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")

    def _smartbook_fail_interrupted(self, auto_commit):
        """Messages left 'sending' by a run that died: failed, delivery unknown.

        A live run keeps the rows it is sending locked, so SKIP LOCKED leaves them."""
        self._smartbook_fresh_transaction(auto_commit)
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                WITH stale AS (
                    SELECT id FROM smartbook_message
                     WHERE state = 'sending' AND sending_since < %(limit)s
                       FOR UPDATE SKIP LOCKED
                )
                UPDATE smartbook_message message
                   SET state = 'failed', error = %(error)s, write_date = %(now)s, write_uid = %(uid)s
                  FROM stale
                 WHERE message.id = stale.id
             RETURNING message.id
                """,
                limit=now - SENDING_TIMEOUT,
                error=self.env._("Interrupted, delivery unknown: check with the client before retrying."),
                now=now,
                uid=self.env.uid,
            )
        )
        failed_ids = [row[0] for row in self.env.cr.fetchall()]
        if failed_ids:
            self.invalidate_model(["state", "error"])
            _logger.warning("SmartBook outbox: messages %s were interrupted while sending", failed_ids)
        self._smartbook_outbox_commit(auto_commit)
        return self.browse(failed_ids)

    def _smartbook_claim(self, batch_size, auto_commit):
        """Take up to ``batch_size`` due messages no other run holds; check consent
        and quiet hours again (refused: cancelled; quiet: back in the queue until
        morning); mark the rest 'sending' and commit before any network call.

        Returns the messages to send now, or None when nothing was due."""
        self._smartbook_fresh_transaction(auto_commit)
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM smartbook_message
                 WHERE state = 'queued' AND next_try <= %s
              ORDER BY next_try, id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                now,
                batch_size,
            )
        )
        claimed = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not claimed:
            return None
        refused, quiet, sending = {}, {}, self.browse()
        for message in claimed:
            reason = self._smartbook_refusal(message.partner_id, message.channel, message.kind)
            if reason:
                refused.setdefault(reason, []).append(message.id)
                continue
            wait_until = message._smartbook_quiet_until(now)
            if wait_until:
                quiet.setdefault(wait_until, []).append(message.id)
                continue
            sending |= message
        for reason, ids in refused.items():
            self.browse(ids).write({"state": "cancelled", "error": reason})
        for wait_until, ids in quiet.items():
            self.browse(ids).write({"next_try": wait_until})
        sending.write({"state": "sending", "sending_since": now})
        self._smartbook_outbox_commit(auto_commit)
        return sending

    def _smartbook_quiet_until(self, now):
        """When the client's quiet hours end if they are on now, else False."""
        self.ensure_one()
        if self.kind == "staff_notice":
            return False
        if (
            self.kind in CLIENT_ACTION_KINDS
            and self.create_uid.share
            and self.create_date
            and now - self.create_date < CLIENT_ACTION_FRESH
        ):
            return False
        company = self.company_id
        tz_name = self.partner_id.tz or company._smartbook_tz()
        start, end = company.smartbook_quiet_hours_start, company.smartbook_quiet_hours_end
        return quiet_hours_end(now, tz_name, start, end) or False

    def _smartbook_send_batch(self, sending, auto_commit):
        """Deliver claimed messages, channel by channel, and record the results.

        The rows stay locked (FOR UPDATE) until the results are committed: another
        run's sweep of interrupted messages skips them however slow the gateway is,
        while a run killed here releases them with its connection."""
        if auto_commit:
            self.env.cr.execute(
                SQL("SELECT id FROM smartbook_message WHERE id IN %s FOR UPDATE", tuple(sending.ids))
            )
        results = {}
        for channel, messages in sending.grouped("channel").items():
            deliver = getattr(messages, f"_smartbook_deliver_{channel}", None)
            if deliver is None:
                results.update(
                    dict.fromkeys(messages.ids, ("failed", self.env._("This channel cannot send yet.")))
                )
                continue
            try:
                with self.env.cr.savepoint():
                    results.update(deliver())
            except Exception as error:  # one channel's bug must not stop the others
                # The type only: provider errors may quote phone numbers or texts.
                _logger.error(
                    "SmartBook outbox: %s delivery of messages %s raised %s",
                    channel,
                    messages.ids,
                    type(error).__name__,
                )
                _logger.debug("SmartBook outbox: delivery error", exc_info=True)
                unknown = self.env._("The delivery raised an error, delivery unknown.")
                results.update(dict.fromkeys(messages.ids, ("failed", unknown)))
        sending._smartbook_apply_results(results)
        self._smartbook_outbox_commit(auto_commit)

    def _smartbook_apply_results(self, results):
        """Record what the channels answered: ``{message_id: DeliveryResult}`` (or a
        ``(status, error)`` pair for the outbox's own verdicts)."""
        now = fields.Datetime.now()
        opted_out = {}
        for message in self:
            result = results.get(message.id)
            if result is None:
                status, ref, error, retry_after = (
                    "failed",
                    None,
                    self.env._("The channel gave no result, delivery unknown."),
                    None,
                )
            elif len(result) == 2:
                (status, error), ref, retry_after = result, None, None
            else:
                status, ref, error, retry_after = result
            if status not in DELIVERY_STATUSES:
                status, error = "failed", self.env._("Unknown delivery status %(status)s.", status=status)
            attempts = message.attempts + 1
            vals = {"attempts": attempts, "sending_since": False, "provider_ref": ref or False}
            max_attempts = message.company_id.smartbook_message_max_attempts or 1
            if status == "sent":
                vals.update(state="sent", sent_at=now, error=False)
            elif status == "retry" and attempts < max_attempts:
                vals.update(state="queued", next_try=next_try_after(now, attempts, retry_after), error=error)
            elif status == "retry":
                vals.update(
                    state="failed",
                    error=self.env._(
                        "Gave up after %(attempts)s attempts: %(error)s",
                        attempts=attempts,
                        error=error or self.env._("temporary failure"),
                    ),
                )
            elif status == "opt_out":
                vals.update(state="failed", error=error or self.env._("The recipient opted out."))
                opted_out.setdefault(message.channel, set()).add(message.partner_id.id)
            else:
                vals.update(state="failed", error=error or self.env._("The provider refused the message."))
            message.write(vals)
        for channel, partner_ids in opted_out.items():
            self.env["res.partner"].sudo().browse(partner_ids)._smartbook_withdraw_consent(channel)
        retry_at = self.filtered(lambda m: m.state == "queued").mapped("next_try")
        if retry_at:
            self._smartbook_trigger_send(min(retry_at))

    def _smartbook_rearm(self):
        """Wake the send action when the next waiting message is due."""
        self.env.cr.execute("SELECT min(next_try) FROM smartbook_message WHERE state = 'queued'")
        next_due = self.env.cr.fetchone()[0]
        if next_due:
            self._smartbook_trigger_send(max(next_due, fields.Datetime.now()))
        return next_due

    # ------------------------------------------------------------------ receipts

    @api.model
    def _smartbook_apply_receipt(self, provider_ref, status, error=None):
        """A delivery receipt: ``status`` 'delivered' or 'failed' for the message the
        provider knows as ``provider_ref``. Returns the message, or an empty recordset
        when none matches (receipts may come twice, late, or for another database)."""
        if not provider_ref or status not in ("delivered", "failed"):
            return self.browse()
        message = self.sudo().search([("provider_ref", "=", provider_ref)], limit=1)
        if not message:
            return message
        if status == "delivered":
            # The provider's word beats ours: even a message we marked "interrupted,
            # delivery unknown" or failed is known delivered now.
            if message.state != "delivered":
                message.write({"state": "delivered", "error": False})
        elif message.state in ("sending", "sent"):
            error = error or self.env._("The provider could not deliver the message.")
            message.write({"state": "failed", "error": error})
        return message

    # ------------------------------------------------------------------ actions

    def action_retry(self):
        """Send failed messages again, from the first attempt, once a manager has
        checked (an interrupted one may already have arrived)."""
        if not self.env.user.has_group("smartbook_crm.group_smartbook_manager"):
            raise AccessError(self.env._("Only SmartBook managers can retry messages."))
        retried = self.filtered(lambda message: message.state == "failed")
        if not retried:
            raise UserError(self.env._("Only failed messages can be retried."))
        retried.write(
            {
                "state": "queued",
                "attempts": 0,
                "next_try": fields.Datetime.now(),
                "error": False,
                "sending_since": False,
                "provider_ref": False,
            }
        )
        self._smartbook_trigger_send()
        return True

    # ------------------------------------------------------------------ email

    def _smartbook_deliver_email(self):
        """Hand the messages to Odoo's mail and send them now, so the outbox knows
        the result (and retries by its own rules, not Odoo's mail queue)."""
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        mails = (
            self.env["mail.mail"]
            .sudo()
            .create(
                [
                    {
                        "subject": f"{message.company_id.name}: {kinds[message.kind]}",
                        "body_html": plaintext2html(message.body or ""),
                        "email_from": message.company_id.email_formatted or self.env.user.email_formatted,
                        "email_to": message.partner_id.email_formatted,
                        "auto_delete": True,
                    }
                    for message in self
                ]
            )
        )
        pairs = list(zip(self.ids, mails, strict=True))
        refs = {message_id: mail.message_id for message_id, mail in pairs}
        mails.send(auto_commit=False, raise_exception=False)
        results = {}
        for message_id, mail in pairs:
            if not mail.exists() or mail.state == "sent":
                results[message_id] = DeliveryResult("sent", refs[message_id])
            elif mail.failure_type in ("mail_email_invalid", "mail_email_missing"):
                results[message_id] = DeliveryResult("failed", error=mail.failure_reason or mail.failure_type)
            else:
                results[message_id] = DeliveryResult("retry", error=mail.failure_reason or mail.failure_type)
        # A failed mail.mail would otherwise wait in Odoo's mail queue: the outbox retries.
        mails.exists().filtered(lambda mail: mail.state != "sent").unlink()
        return results

    # ------------------------------------------------------------------ enqueue cron

    # Filled in by the templates work (models/smartbook_message_enqueue.py).
    def _cron_enqueue(self):
        return True
