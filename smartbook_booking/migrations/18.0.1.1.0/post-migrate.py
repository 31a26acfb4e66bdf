from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Revenue and average ticket become taxes included (from the bookings' new
    ``price_total``): compute them again for every client with bookings."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    partners = env["smartbook.booking"].with_context(active_test=False).search([]).partner_id
    env.add_to_compute(env["res.partner"]._fields["smartbook_revenue"], partners)
    partners.flush_recordset()
