import logging
import time

from odoo import api, models
from odoo.exceptions import AccessError

from ..tools.demo_data import client_rows
from ..tools.personal_data import CONSENT_CHANNELS, consent_field

_logger = logging.getLogger(__name__)

DEMO_TAGS = ("VIP", "Regular", "New", "Student", "Corporate")
# Creating many partners: no chatter message, no follower, no tracking per record.
BULK_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


class SmartbookDemo(models.AbstractModel):
    """One generator for the demo database and the benchmark data sets.

    Each SmartBook addon adds its part by ``_inherit``: this one makes clients,
    smartbook_booking staff, services and booking history. ``_generate`` runs
    every part the installed addons know, with sizes scaled by one parameter.
    """

    _name = "smartbook.demo"
    _description = "SmartBook Demo Data Generator"

    @api.model
    def _demo_sizes(self, scale=1.0):
        return {"clients": max(1, round(150 * scale))}

    @api.model
    def _generate(self, scale=1.0, seed=2026, sizes=None):
        """Generate demo data; ``sizes`` overrides what ``scale`` gives."""
        self._check_generator_allowed()
        sizes = {**self._demo_sizes(scale), **(sizes or {})}
        started = time.monotonic()
        self._generate_clients(sizes["clients"], seed=seed)
        _logger.info("SmartBook demo: %s clients in %.1fs", sizes["clients"], time.monotonic() - started)
        return sizes

    def _check_generator_allowed(self):
        # Data files run as superuser; nobody else should flood a database.
        if not (self.env.su or self.env.user._is_admin()):
            raise AccessError(self.env._("Only an administrator can generate demo data."))

    @api.model
    def _demo_tags(self):
        Category = self.env["res.partner.category"]
        existing = {tag.name: tag for tag in Category.search([("name", "in", DEMO_TAGS)])}
        missing = [name for name in DEMO_TAGS if name not in existing]
        for tag in Category.create([{"name": name} for name in missing]):
            existing[tag.name] = tag
        return [existing[name] for name in DEMO_TAGS]

    @api.model
    def _demo_sources(self):
        sources = self.env["smartbook.source"].search([], limit=6)
        if not sources:
            sources = self.env["smartbook.source"].create(
                [{"name": name} for name in ("Instagram", "Google", "Friend", "Walk-in", "Website", "Flyer")]
            )
        return list(sources)

    @api.model
    def _generate_clients(self, count, seed=2026, batch_size=2000):
        """Create ``count`` clients in batches; return the number created."""
        Partner = self.env["res.partner"].with_context(**BULK_CONTEXT)
        tags = self._demo_tags()
        sources = self._demo_sources()
        countries = {
            country.code: country.id
            for country in self.env["res.country"].search([("code", "in", ["ES", "BR", "RU", "SE", "US"])])
        }
        responsible_users = self.env.ref("smartbook_crm.group_smartbook_employee").users.filtered(
            lambda user: not user._is_admin()
        )
        start = self.env["res.partner"].search_count([("smartbook_client", "=", True)])
        created = 0
        while created < count:
            chunk = min(batch_size, count - created)
            vals_list = []
            for row in client_rows(chunk, seed=seed, start_index=start + created):
                vals = {
                    "name": f"{row['first_name']} {row['last_name']}",
                    "smartbook_first_name": row["first_name"],
                    "smartbook_last_name": row["last_name"],
                    "smartbook_client": True,
                    "phone": row["phone"],
                    "email": row["email"],
                    "country_id": countries.get(row["country_code"]),
                    "smartbook_birthday": row["birthday"],
                    "smartbook_gender": row["gender"],
                    "smartbook_source_id": sources[row["source_index"] % len(sources)].id,
                    "category_id": [(6, 0, [tags[i].id for i in row["tag_indices"]])],
                    "smartbook_blacklisted": row["blacklisted"],
                    "smartbook_blacklist_reason": "Repeated no-shows" if row["blacklisted"] else False,
                }
                for channel in CONSENT_CHANNELS:
                    vals[consent_field(channel)] = row["consents"][channel]
                if responsible_users and row["index"] % 3 == 0:
                    vals["smartbook_user_id"] = responsible_users[row["index"] % len(responsible_users)].id
                vals_list.append(vals)
            Partner.create(vals_list)
            created += chunk
            self.env.flush_all()
            self.env.invalidate_all()
        return created
