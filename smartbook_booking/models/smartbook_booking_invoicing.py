from collections import defaultdict
from zoneinfo import ZoneInfo

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# Bookings whose price is still expected: booked (draft, confirmed) or done and
# not on a posted invoice yet. Once invoiced, the invoice's residual counts instead.
PENDING_STATES = ("draft", "confirmed", "done")
# What an invoice line was made of: changing it afterwards would make the booking
# and its invoice disagree.
FROZEN_WHEN_INVOICED = ("partner_id", "service_id", "price", "currency_id", "company_id")


class SmartbookBooking(models.Model):
    _inherit = "smartbook.booking"

    invoice_state = fields.Selection(related="invoice_id.state", string="Invoice Status")

    # ------------------------------------------------------------------ invoicing

    def action_create_invoices(self):
        """Invoice done bookings: one draft customer invoice per client (and company
        and currency) per run, one line per booking.

        Grouped per client rather than one invoice per booking: a regular client
        (a course, weekly classes) gets one document to pay for all their visits
        instead of a pile of small invoices, the accountant posts and reconciles far
        fewer moves, and each line still names its visit, date and specialist, so
        every booking stays traceable (and knows its line, ``smartbook_booking_id``)."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._("Only users with invoicing rights (Accounting: Billing) can create invoices.")
            )
        if not self:
            raise UserError(
                self.env._("There is nothing to invoice: select done bookings without an invoice.")
            )
        not_done = self.filtered(lambda booking: booking.state != "done")
        if not_done:
            raise UserError(
                self.env._(
                    "Only done bookings can be invoiced; these are not done: %(bookings)s",
                    bookings=self._smartbook_names(not_done),
                )
            )
        invoiced = self.filtered(lambda booking: booking.invoice_state in ("draft", "posted"))
        if invoiced:
            raise UserError(
                self.env._(
                    "These bookings are already invoiced: %(bookings)s (%(invoices)s)",
                    bookings=self._smartbook_names(invoiced),
                    invoices=", ".join(invoiced.invoice_id.mapped("display_name")),
                )
            )
        per_company = defaultdict(lambda: defaultdict(list))
        for booking in self.sorted(lambda booking: (booking.start, booking.id)):
            per_company[booking.company_id][booking.partner_id, booking.currency_id].append(booking.id)
        invoices = self.env["account.move"]
        for company, per_client in per_company.items():
            batches = [
                (partner, currency, self.browse(ids)) for (partner, currency), ids in per_client.items()
            ]
            moves = (
                self.env["account.move"]
                .with_company(company)
                .create([self._smartbook_invoice_vals(*batch) for batch in batches])
            )
            # One write per invoice, not per booking.
            for move, (_partner, _currency, bookings) in zip(moves, batches, strict=True):
                bookings.write({"invoice_id": move.id})
            invoices |= moves
        return self._smartbook_invoices_action(invoices)

    @api.model
    def _smartbook_names(self, bookings, limit=5):
        names = bookings[:limit].mapped("display_name")
        if len(bookings) > limit:
            names.append("…")
        return ", ".join(names)

    @api.model
    def _smartbook_invoice_vals(self, partner, currency, bookings):
        # The client reads the lines: in their language.
        bookings = bookings.with_context(lang=partner.lang or self.env.lang)
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "currency_id": currency.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": booking.service_id.product_id.id,
                        "name": booking._smartbook_invoice_label(),
                        "quantity": 1,
                        "price_unit": booking.price,
                        "smartbook_booking_id": booking.id,
                    }
                )
                for booking in bookings
            ],
        }

    def _smartbook_invoice_label(self):
        """'Service on 2026-03-02 10:00 with Specialist', in the specialist's time zone."""
        self.ensure_one()
        zone = ZoneInfo(self.employee_id.tz or self.env.user.tz or "UTC")
        local_start = fields.Datetime.to_datetime(self.start).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
        return self.env._(
            "%(service)s on %(date)s with %(specialist)s",
            service=self.service_id.name,
            date=local_start.strftime("%Y-%m-%d %H:%M"),
            specialist=self.employee_id.name,
        )

    @api.model
    def _smartbook_invoices_action(self, invoices):
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        if len(invoices) == 1:
            action.update(views=[(False, "form")], res_id=invoices.id)
        else:
            action["domain"] = [("id", "in", invoices.ids)]
        return action

    def action_view_invoice(self):
        self.ensure_one()
        return self._smartbook_invoices_action(self.invoice_id)

    # ------------------------------------------------------------------ guard

    def write(self, vals):
        if (
            "invoice_id" in vals
            and not self.env.su
            and not self.env.user.has_group("account.group_account_invoice")
        ):
            raise AccessError(
                self.env._("Only users with invoicing rights can link a booking to an invoice.")
            )
        frozen = [name for name in FROZEN_WHEN_INVOICED if name in vals]
        if frozen:
            # sudo: staff without accounting rights may edit bookings but not read invoices.
            invoiced = self.sudo().filtered(lambda booking: booking.invoice_id.state in ("draft", "posted"))
            changed = invoiced.filtered(
                lambda booking: any(
                    self._fields[name].convert_to_cache(booking[name], booking)
                    != self._fields[name].convert_to_cache(vals[name], booking)
                    for name in frozen
                )
            )
            if changed:
                raise UserError(
                    self.env._(
                        "%(bookings)s: already invoiced, so client, service and price can no longer"
                        " change. Cancel the invoice first.",
                        bookings=self._smartbook_names(changed),
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------ money

    @api.model
    def _smartbook_money_query(self):
        """One row per booking: what it still brings in (``pending_amount``) and
        what of it is paid (``paid_amount``), with its client, specialist and
        company. The only place that says what "pending" means; the client card
        and the bookings analysis both read it.

        - not invoiced (no invoice, or a draft or cancelled one): its price while
          booked or done, nothing once cancelled or a no-show;
        - on a posted invoice: its line's share of the invoice's residual, so the
          shares of a client's bookings add up to what the client still owes on
          the invoice (taxes included), and a payment lowers them at once."""
        return SQL(
            """
            SELECT b.id AS booking_id, b.partner_id, b.employee_id, b.company_id,
                   CASE WHEN m.state = 'posted' THEN
                            CASE WHEN m.amount_total <> 0
                                 THEN COALESCE(l.price_total, 0) * m.amount_residual / m.amount_total
                                 ELSE 0 END
                        WHEN b.state IN %(pending_states)s THEN b.price
                        ELSE 0
                   END AS pending_amount,
                   CASE WHEN m.state = 'posted' AND m.payment_state <> 'reversed' AND m.amount_total <> 0
                        THEN COALESCE(l.price_total, 0) * (m.amount_total - m.amount_residual)
                             / m.amount_total
                        ELSE 0
                   END AS paid_amount
              FROM smartbook_booking b
              LEFT JOIN account_move m ON m.id = b.invoice_id
              LEFT JOIN account_move_line l ON l.move_id = b.invoice_id AND l.smartbook_booking_id = b.id
            """,
            pending_states=PENDING_STATES,
        )

    @api.model
    def _smartbook_money_flush(self):
        self.env["smartbook.booking"].flush_model(
            ["partner_id", "employee_id", "company_id", "state", "price"]
        )
        self.env["account.move"].flush_model(["state", "payment_state", "amount_total", "amount_residual"])
        self.env["account.move.line"].flush_model(["move_id", "smartbook_booking_id", "price_total"])

    @api.model
    def _smartbook_money_by(self, group_by=None, ids=None):
        """``{key: (pending, paid)}`` summed per ``group_by`` (``partner_id`` or
        ``employee_id``; ``None`` for one total under the key ``None``) over the
        bookings of the current companies, in one query."""
        self._smartbook_money_flush()
        key = SQL.identifier("money", group_by) if group_by else SQL("NULL::int")
        conditions = [SQL("money.company_id = ANY(%s)", self.env.companies.ids)]
        if ids is not None:
            conditions.append(SQL("%s = ANY(%s)", key, list(ids)))
        self.env.cr.execute(
            SQL(
                "SELECT %s, SUM(money.pending_amount), SUM(money.paid_amount)"
                " FROM (%s) money WHERE %s GROUP BY 1",
                key,
                self._smartbook_money_query(),
                SQL(" AND ").join(conditions),
            )
        )
        currency = self.env.company.currency_id
        return {
            row_key: (currency.round(pending or 0.0), currency.round(paid or 0.0))
            for row_key, pending, paid in self.env.cr.fetchall()
        }

    @api.model
    def smartbook_pending_total(self):
        """The pending amount of the whole business (the current companies)."""
        return self._smartbook_money_by().get(None, (0.0, 0.0))[0]

    @api.model
    def _smartbook_pending_booking_ids(self, partner_ids):
        """Ids of the bookings of these clients that still owe something."""
        self._smartbook_money_flush()
        self.env.cr.execute(
            SQL(
                "SELECT money.booking_id FROM (%s) money WHERE money.partner_id = ANY(%s)"
                " AND money.company_id = ANY(%s) AND money.pending_amount <> 0",
                self._smartbook_money_query(),
                list(partner_ids),
                self.env.companies.ids,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
