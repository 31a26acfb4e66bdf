from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import escape_psql

from ..tools.personal_data import CONSENT_CHANNELS, consent_field
from ..tools.segment import birth_date_bounds, birthday_windows, local_day_start_utc

CONSENT_CHOICES = [("given", "Given"), ("not_given", "Not given")]
MONTHS = [
    ("1", "January"),
    ("2", "February"),
    ("3", "March"),
    ("4", "April"),
    ("5", "May"),
    ("6", "June"),
    ("7", "July"),
    ("8", "August"),
    ("9", "September"),
    ("10", "October"),
    ("11", "November"),
    ("12", "December"),
]
MAX_BIRTHDAY_DAYS = 366


class SmartbookSegment(models.Model):
    """A saved, named filter over clients.

    Its criteria compile to one domain (``_get_client_domain``), hence to one SQL
    query whatever the number of clients: the live count, the client list, the
    export and the audience of a mass send all search with it. smartbook_booking
    adds booking criteria by ``_inherit``: new fields, their names in
    ``_segment_criteria_fields`` and their terms in ``_get_client_domain``.
    """

    _name = "smartbook.segment"
    _description = "Client Segment"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, tracking=True)
    description = fields.Text()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    client_count = fields.Integer(
        string="Clients",
        compute="_compute_client_count",
        help="Clients matching the segment now, among those you may see.",
    )

    # Tags and sources
    tag_ids = fields.Many2many(
        "res.partner.category",
        "smartbook_segment_tag_rel",
        "segment_id",
        "category_id",
        string="Tags",
    )
    tag_match = fields.Selection(
        [("any", "Any of these tags"), ("all", "All of these tags")],
        string="Match Tags",
        default="any",
        required=True,
    )
    excluded_tag_ids = fields.Many2many(
        "res.partner.category",
        "smartbook_segment_excluded_tag_rel",
        "segment_id",
        "category_id",
        string="Without Tags",
        help="Clients with any of these tags are left out.",
    )
    source_ids = fields.Many2many(
        "smartbook.source",
        "smartbook_segment_source_rel",
        "segment_id",
        "source_id",
        string="Sources",
        help="Clients who came from any of these sources.",
    )

    # Consent and blacklist
    consent_sms = fields.Selection(CONSENT_CHOICES, string="SMS Consent", help="Empty: either.")
    consent_telegram = fields.Selection(CONSENT_CHOICES, string="Telegram Consent", help="Empty: either.")
    consent_email = fields.Selection(CONSENT_CHOICES, string="Email Consent", help="Empty: either.")
    consent_marketing = fields.Selection(CONSENT_CHOICES, string="Marketing Consent", help="Empty: either.")
    blacklist_filter = fields.Selection(
        [("exclude", "Leave them out"), ("only", "Only them")],
        string="Clients Who Cannot Book",
        default="exclude",
        help="Empty: include them like any other client.",
    )

    # Person
    gender = fields.Selection(
        [("female", "Female"), ("male", "Male"), ("other", "Other")],
        help="Empty: any gender.",
    )
    age_min = fields.Integer(string="Minimum Age", help="In whole years; 0: no lower bound.")
    age_max = fields.Integer(string="Maximum Age", help="In whole years, included; 0: no upper bound.")
    birthday_filter = fields.Selection(
        [("next_days", "In the next days"), ("this_month", "This month"), ("month", "In a month")],
        string="Birthday",
    )
    birthday_days = fields.Integer(
        string="Birthday Within (days)",
        default=7,
        help="Today included: 7 from a Monday reaches Sunday.",
    )
    birthday_month = fields.Selection(MONTHS)
    city = fields.Char(help="One or more cities separated by commas; upper or lower case does not matter.")

    # Client record
    created_from = fields.Date(string="Client Since", help="Clients created on or after this day.")
    created_to = fields.Date(string="Client Created Until", help="Clients created on or before this day.")

    _sql_constraints = [
        ("age_min_positive", "CHECK(age_min >= 0)", "The minimum age cannot be negative."),
        ("age_max_positive", "CHECK(age_max >= 0)", "The maximum age cannot be negative."),
    ]

    # ------------------------------------------------------------------ criteria

    @api.model
    def _segment_criteria_fields(self):
        """Fields the client domain is built from; the live count depends on them."""
        return [
            "tag_ids",
            "tag_match",
            "excluded_tag_ids",
            "source_ids",
            "consent_sms",
            "consent_telegram",
            "consent_email",
            "consent_marketing",
            "blacklist_filter",
            "gender",
            "age_min",
            "age_max",
            "birthday_filter",
            "birthday_days",
            "birthday_month",
            "city",
            "created_from",
            "created_to",
        ]

    @api.constrains("age_min", "age_max")
    def _check_age_range(self):
        for segment in self:
            if segment.age_min and segment.age_max and segment.age_min > segment.age_max:
                raise ValidationError(
                    self.env._(
                        "In segment %(segment)s the minimum age (%(min)s) is above the maximum (%(max)s).",
                        segment=segment.name,
                        min=segment.age_min,
                        max=segment.age_max,
                    )
                )

    @api.constrains("birthday_filter", "birthday_days", "birthday_month")
    def _check_birthday(self):
        for segment in self:
            if segment.birthday_filter == "next_days" and not 1 <= segment.birthday_days <= MAX_BIRTHDAY_DAYS:
                raise ValidationError(
                    self.env._(
                        "In segment %(segment)s the birthday window must be 1 to %(max)s days.",
                        segment=segment.name,
                        max=MAX_BIRTHDAY_DAYS,
                    )
                )
            if segment.birthday_filter == "month" and not segment.birthday_month:
                raise ValidationError(
                    self.env._("Segment %(segment)s needs the month of the birthdays.", segment=segment.name)
                )

    @api.constrains("created_from", "created_to")
    def _check_created_period(self):
        for segment in self:
            if segment.created_from and segment.created_to and segment.created_from > segment.created_to:
                raise ValidationError(
                    self.env._(
                        "In segment %(segment)s the creation period ends before it starts.",
                        segment=segment.name,
                    )
                )

    def _get_client_domain(self):
        """The domain of the segment's clients, as of today in the user's time zone.

        Values are plain JSON types (dates as strings), so the domain can go into
        a window action as it is. Extensions AND their own terms to ``super()``.
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        domains = [[("smartbook_client", "=", True)]]
        domains += self._tag_domains()
        if self.source_ids:
            domains.append([("smartbook_source_id", "in", self.source_ids._origin.ids)])
        for channel in CONSENT_CHANNELS:
            if choice := self[f"consent_{channel}"]:
                domains.append([(consent_field(channel), "=", choice == "given")])
        if self.blacklist_filter:
            domains.append([("smartbook_blacklisted", "=", self.blacklist_filter == "only")])
        if self.gender:
            domains.append([("smartbook_gender", "=", self.gender)])
        born_after, born_on_or_before = birth_date_bounds(
            today, age_min=self.age_min or None, age_max=self.age_max or None
        )
        if born_after:
            domains.append([("smartbook_birthday", ">", fields.Date.to_string(born_after))])
        if born_on_or_before:
            domains.append([("smartbook_birthday", "<=", fields.Date.to_string(born_on_or_before))])
        if self.birthday_filter:
            domains.append(self._birthday_domain(today))
        if cities := [city.strip() for city in (self.city or "").split(",") if city.strip()]:
            domains.append(expression.OR([[("city", "=ilike", escape_psql(city))] for city in cities]))
        domains += self._created_domains()
        return expression.AND(domains)

    def _tag_domains(self):
        domains = []
        tag_ids = self.tag_ids._origin.ids
        if tag_ids and self.tag_match == "all":
            domains += [[("category_id", "in", [tag_id])] for tag_id in tag_ids]
        elif tag_ids:
            domains.append([("category_id", "in", tag_ids)])
        if self.excluded_tag_ids:
            domains.append([("category_id", "not in", self.excluded_tag_ids._origin.ids)])
        return domains

    def _birthday_domain(self, today):
        """Birthdays by month and day of month, the year of birth left aside."""
        month_path, day_path = "smartbook_birthday.month_number", "smartbook_birthday.day_of_month"
        if self.birthday_filter == "this_month":
            return [(month_path, "=", today.month)]
        if self.birthday_filter == "month":
            return [(month_path, "=", int(self.birthday_month or 0))]
        windows = birthday_windows(today, self.birthday_days)
        if not windows:
            return expression.FALSE_DOMAIN
        if len(windows) == 12 and all(first == 1 and last == 31 for _month, first, last in windows):
            return [("smartbook_birthday", "!=", False)]
        return expression.OR(
            [
                [(month_path, "=", month)]
                if (first, last) == (1, 31)
                else [(month_path, "=", month), (day_path, ">=", first), (day_path, "<=", last)]
                for month, first, last in windows
            ]
        )

    def _created_domains(self):
        """Creation days are the user's days: the bounds are their midnights in UTC."""
        tz_name = self.env.context.get("tz") or self.env.user.tz
        domains = []
        if self.created_from:
            start = local_day_start_utc(self.created_from, tz_name)
            domains.append([("create_date", ">=", fields.Datetime.to_string(start))])
        if self.created_to:
            end = local_day_start_utc(self.created_to + timedelta(days=1), tz_name)
            domains.append([("create_date", "<", fields.Datetime.to_string(end))])
        return domains

    # ------------------------------------------------------------------ clients

    def _get_clients(self, **search_kwargs):
        """The segment's clients the current user may see (an audience, a list)."""
        return self.env["res.partner"].search(self._get_client_domain(), **search_kwargs)

    @api.depends(lambda self: self._segment_criteria_fields())
    @api.depends_context("uid", "tz")
    def _compute_client_count(self):
        # With the user's environment: record rules make an employee count only
        # the clients they may see. One COUNT query per segment.
        Partner = self.env["res.partner"]
        for segment in self:
            segment.client_count = Partner.search_count(segment._get_client_domain())

    # ------------------------------------------------------------------ actions

    def action_open_clients(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("smartbook_crm.res_partner_action_client")
        action["name"] = self.name
        action["display_name"] = self.name
        action["domain"] = self._get_client_domain()
        return action

    def action_export_clients(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Export Clients"),
            "res_model": "smartbook.client.export",
            "view_mode": "form",
            "target": "new",
            "context": {"default_segment_id": self.id},
        }
