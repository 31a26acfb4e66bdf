from collections import defaultdict
from zoneinfo import ZoneInfo

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# The money of a booking, all taxes included as invoices show them (one basis for the
# client card, the specialists and the bookings analysis; see _smartbook_money_query):
# a done visit is revenue, split into paid and pending; a confirmed future booking is
# upcoming and never pending; draft, no-show and cancelled bookings bring nothing.
REVENUE_STATE = "done"
UPCOMING_STATE = "confirmed"
# What _smartbook_money_by sums, in this order.
MONEY_KEYS = ("revenue", "paid", "pending", "upcoming")
# What an invoice line was made of: changing it afterwards would make the booking
# and its invoice disagree.
FROZEN_WHEN_INVOICED = ("partner_id", "service_id", "price", "currency_id", "company_id")


class SmartbookBooking(models.Model):
    _inherit = "smartbook.booking"

    invoice_state = fields.Selection(related="invoice_id.state", string="Invoice Status")
    price_total = fields.Monetary(
        string="Price incl. Taxes",
        compute="_compute_price_total",
        store=True,
        help="What the visit costs the client, taxes included, as the invoice shows it: its line's"
        " share of the invoice total once on a posted invoice, else the price with the taxes of the"
        " service's product.",
    )

    @api.depends(
        "price",
        "currency_id",
        "company_id",
        "partner_id",
        "service_id.product_id.taxes_id",
        "invoice_id.state",
        "invoice_id.payment_state",
        "invoice_id.amount_total",
        "invoice_id.invoice_line_ids.price_total",
        "invoice_id.invoice_line_ids.smartbook_booking_id",
    )
    def _compute_price_total(self):
        fiscal_positions = {}
        for booking in self:
            invoice = booking.invoice_id
            lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
            own = lines.filtered(
                lambda line, booking=booking: line.smartbook_booking_id.id == booking._origin.id
            )
            if own and booking._smartbook_invoice_counts():
                # The same share as _smartbook_money_query's, so that revenue = paid + pending.
                lines_total = sum(lines.mapped("price_total"))
                share = sum(own.mapped("price_total")) / lines_total if lines_total else 0.0
                booking.price_total = invoice.amount_total * share
                continue
            product = booking.service_id.product_id
            taxes = product.taxes_id._filter_taxes_by_company(booking.company_id)
            if taxes and booking.partner_id:
                key = (booking.company_id, booking.partner_id)
                if key not in fiscal_positions:
                    fiscal_positions[key] = (
                        self.env["account.fiscal.position"]
                        .with_company(booking.company_id)
                        ._get_fiscal_position(booking.partner_id)
                    )
                taxes = fiscal_positions[key].map_tax(taxes)
            # As the invoice line will compute it (one unit at this price, these taxes).
            booking.price_total = (
                taxes.compute_all(
                    booking.price, currency=booking.currency_id, product=product, partner=booking.partner_id
                )["total_included"]
                if taxes
                else booking.price
            )

    def _smartbook_is_invoiced(self):
        """On a draft invoice, or on one that counts (``_smartbook_invoice_counts``)."""
        self.ensure_one()
        return self.invoice_id.state == "draft" or self._smartbook_invoice_counts()

    def _smartbook_invoice_counts(self):
        """Whether the booking's invoice is what the client owes for it: posted and not
        reversed. A draft invoice is no claim yet; a cancelled invoice, or one a credit
        note fully reversed, leaves the visit not invoiced (and free to invoice again)."""
        self.ensure_one()
        return self.invoice_id.state == "posted" and self.invoice_id.payment_state != "reversed"

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
        invoiced = self.filtered(lambda booking: booking._smartbook_is_invoiced())
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
            invoiced = self.sudo().filtered(lambda booking: booking._smartbook_is_invoiced())
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
        """One row per booking: its ``revenue``, ``paid_amount``, ``pending_amount`` and
        ``upcoming_amount``, with its client, specialist and company. The only place
        that says what these figures mean: the client card, the specialists' and the
        business's totals and the bookings analysis all read it. Taxes included, as
        the invoice shows them; ``revenue = paid_amount + pending_amount`` on every row.

        - revenue: a done visit's ``price_total``; nothing for any other state;
        - a done visit on an invoice that counts (posted, not reversed:
          ``_smartbook_invoice_counts``): pending is its share of the invoice's amount
          due, the share being its line's part of the total of the invoice's lines (the
          shares of an invoice's visits add up to its amount due), paid is the rest;
        - a done visit without such an invoice (none, draft, cancelled or reversed):
          all of it is pending;
        - upcoming: a confirmed booking that has not started yet, never pending.

        The amount due is Odoo's ``amount_residual`` less the payments registered on
        the invoice that have no journal entry (a payment method without an
        outstanding receipts account): Odoo shows such an invoice as paid at once,
        while its residual only drops when the bank statement is matched. A payment
        for several invoices is spread over them in proportion to their residuals."""
        return SQL(
            """
            SELECT b.id AS booking_id, b.partner_id, b.employee_id, b.company_id,
                   CASE WHEN b.state = %(done)s THEN COALESCE(b.price_total, 0) ELSE 0 END AS revenue,
                   CASE WHEN b.state <> %(done)s THEN 0
                        WHEN inv.move_id IS NULL THEN COALESCE(b.price_total, 0)
                        ELSE inv.pending
                   END AS pending_amount,
                   CASE WHEN b.state = %(done)s AND inv.move_id IS NOT NULL
                        THEN COALESCE(b.price_total, 0) - inv.pending
                        ELSE 0
                   END AS paid_amount,
                   CASE WHEN b.state = %(upcoming)s AND b.start >= NOW() AT TIME ZONE 'UTC'
                        THEN COALESCE(b.price_total, 0)
                        ELSE 0
                   END AS upcoming_amount
              FROM smartbook_booking b
              LEFT JOIN LATERAL (
                    SELECT m.id AS move_id,
                           COALESCE(
                               GREATEST(m.amount_residual - COALESCE(unposted.amount, 0), 0)
                               * own.price_total / NULLIF(lines.price_total, 0),
                               0
                           ) AS pending
                      FROM account_move m
                      JOIN LATERAL (
                            SELECT SUM(l.price_total) AS price_total
                              FROM account_move_line l
                             WHERE l.move_id = m.id AND l.smartbook_booking_id = b.id
                               AND l.display_type = 'product'
                           ) own ON own.price_total IS NOT NULL
                     CROSS JOIN LATERAL (
                            SELECT SUM(l.price_total) AS price_total
                              FROM account_move_line l
                             WHERE l.move_id = m.id AND l.display_type = 'product'
                           ) lines
                      LEFT JOIN LATERAL (
                            SELECT SUM(p.amount * m.amount_residual / NULLIF(shared.residual, 0)) AS amount
                              FROM account_move__account_payment rel
                              JOIN account_payment p ON p.id = rel.payment_id
                             CROSS JOIN LATERAL (
                                    SELECT SUM(o.amount_residual) AS residual
                                      FROM account_move__account_payment orel
                                      JOIN account_move o ON o.id = orel.invoice_id AND o.state = 'posted'
                                     WHERE orel.payment_id = p.id
                                   ) shared
                             WHERE rel.invoice_id = m.id AND p.move_id IS NULL
                               AND p.state IN ('in_process', 'paid') AND p.payment_type = 'inbound'
                               AND p.currency_id = m.currency_id
                           ) unposted ON TRUE
                     WHERE m.id = b.invoice_id AND m.state = 'posted' AND m.payment_state <> 'reversed'
                   ) inv ON TRUE
            """,
            done=REVENUE_STATE,
            upcoming=UPCOMING_STATE,
        )

    @api.model
    def _smartbook_money_flush(self):
        self.env["smartbook.booking"].flush_model(
            ["partner_id", "employee_id", "company_id", "state", "start", "price_total", "invoice_id"]
        )
        self.env["account.move"].flush_model(
            [
                "state",
                "payment_state",
                "amount_total",
                "amount_residual",
                "currency_id",
                "matched_payment_ids",
            ]
        )
        self.env["account.move.line"].flush_model(
            ["move_id", "smartbook_booking_id", "price_total", "display_type"]
        )
        self.env["account.payment"].flush_model(["move_id", "state", "amount", "currency_id", "payment_type"])

    @api.model
    def _smartbook_money_by(self, group_by=None, ids=None):
        """``{key: {"revenue", "paid", "pending", "upcoming"}}`` summed per ``group_by``
        (``partner_id`` or ``employee_id``; ``None`` for one total under the key
        ``None``) over the bookings of the current companies, in one query. Plain SQL:
        staff without accounting rights read these figures without reading invoices."""
        self._smartbook_money_flush()
        # Read before the query: a cold cache would run its own query on the cursor
        # between the execute and the fetch below and hand us that one's rows.
        currency = self.env.company.currency_id
        key = SQL.identifier("money", group_by) if group_by else SQL("NULL::int")
        conditions = [SQL("money.company_id = ANY(%s)", self.env.companies.ids)]
        if ids is not None:
            conditions.append(SQL("%s = ANY(%s)", key, list(ids)))
        rows = self.env.execute_query(
            SQL(
                "SELECT %s, SUM(money.revenue), SUM(money.paid_amount), SUM(money.pending_amount),"
                " SUM(money.upcoming_amount) FROM (%s) money WHERE %s GROUP BY 1",
                key,
                self._smartbook_money_query(),
                SQL(" AND ").join(conditions),
            )
        )
        money = {}
        for row_key, revenue, _paid, pending, upcoming in rows:
            revenue, pending = currency.round(revenue or 0.0), currency.round(pending or 0.0)
            # Paid is the rest (the SQL's paid_amount, rounded apart): the rounded
            # figures still add up.
            amounts = (revenue, currency.round(revenue - pending), pending, currency.round(upcoming or 0.0))
            money[row_key] = dict(zip(MONEY_KEYS, amounts, strict=True))
        return money

    @api.model
    def smartbook_pending_total(self):
        """The pending amount of the whole business (the current companies)."""
        return self._smartbook_money_by().get(None, dict.fromkeys(MONEY_KEYS, 0.0))["pending"]

    @api.model
    def _smartbook_pending_booking_ids(self, partner_ids):
        """Ids of the bookings of these clients that still owe something."""
        self._smartbook_money_flush()
        rows = self.env.execute_query(
            SQL(
                "SELECT money.booking_id FROM (%s) money WHERE money.partner_id = ANY(%s)"
                " AND money.company_id = ANY(%s) AND money.pending_amount <> 0",
                self._smartbook_money_query(),
                list(partner_ids),
                self.env.companies.ids,
            )
        )
        return [row[0] for row in rows]
