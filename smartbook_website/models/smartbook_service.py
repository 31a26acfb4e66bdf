from odoo import api, fields, models

# Headings of the demo services on /book (demo data only).
DEMO_CATEGORIES = {
    "Women's Haircut": "Hair",
    "Men's Haircut": "Hair",
    "Hair Colouring": "Hair",
    "Manicure": "Nails",
    "Pedicure": "Nails",
    "Facial Treatment": "Face & Body",
    "Eyebrow Shaping": "Face & Body",
    "Relaxing Massage": "Massage",
    "Deep Tissue Massage": "Massage",
    "Private Yoga Lesson": "Yoga",
    "Hatha Yoga Class": "Yoga",
    "Vinyasa Flow Class": "Yoga",
}
DEMO_BIOS = {
    "Sofia Reyes": "Hair stylist for twelve years; cuts that grow out well and colours that last.",
    "Lars Berg": "Barber and stylist: classic cuts, fades and beard care.",
    "Ana Costa": "Nail artist and beautician who takes her time over every detail.",
    "Irina Volkova": "Certified massage therapist: relaxing, sports and deep tissue massage.",
    "Maya Lind": "Yoga teacher (Hatha and Vinyasa) for beginners and regulars alike.",
}


class SmartbookService(models.Model):
    _inherit = "smartbook.service"

    website_category = fields.Char(
        translate=True,
        help="The heading under which the booking page lists this service; services without one "
        "come under 'Services'.",
    )

    def _smartbook_website_staff(self):
        """{service id: employee ids} of these services' bookable staff (as
        ``_smartbook_bookable_employees`` gives them), in one query."""
        if not self:
            return {}
        self.env.cr.execute(
            """
            SELECT rel.service_id, array_agg(e.id ORDER BY e.id)
              FROM smartbook_service_hr_employee_rel rel
              JOIN smartbook_service s ON s.id = rel.service_id
              JOIN hr_employee e ON e.id = rel.employee_id AND e.company_id = s.company_id
             WHERE rel.service_id = ANY(%s) AND e.smartbook_bookable AND e.active
             GROUP BY rel.service_id
            """,
            [self.ids],
        )
        staff = dict(self.env.cr.fetchall())
        return {service_id: staff.get(service_id, []) for service_id in self.ids}

    @api.model
    def _smartbook_website_offer_stamp(self, company_id):
        """A digest of everything the booking pages show of the company's offer
        (its services' rows, their products', its employees' and who performs
        what), in one query: the key of the pages' cached parts. Whole rows, not
        ``write_date``: a write in an older transaction can carry an older date."""
        self.env.cr.execute(
            """
            SELECT md5(concat_ws('|',
                (SELECT string_agg(s::text, ',' ORDER BY s.id)
                   FROM smartbook_service s WHERE s.company_id = %(company)s),
                (SELECT string_agg(pt::text, ',' ORDER BY pt.id)
                   FROM product_template pt
                  WHERE pt.id IN (SELECT pp.product_tmpl_id
                                    FROM product_product pp
                                    JOIN smartbook_service s ON s.product_id = pp.id
                                   WHERE s.company_id = %(company)s)),
                (SELECT string_agg(e::text, ',' ORDER BY e.id)
                   FROM hr_employee e WHERE e.company_id = %(company)s),
                (SELECT string_agg(rel::text, ',' ORDER BY rel.service_id, rel.employee_id)
                   FROM smartbook_service_hr_employee_rel rel
                   JOIN smartbook_service s ON s.id = rel.service_id
                  WHERE s.company_id = %(company)s)
            ))
            """,
            {"company": company_id},
        )
        return self.env.cr.fetchone()[0]

    def _smartbook_website_url(self):
        self.ensure_one()
        return f"/book/service/{self.slug}" if self.slug else f"/book?service={self.id}"

    @api.model
    def _smartbook_website_demo(self):
        """Categories of the demo services and bios of the demo specialists."""
        services = self.search([("name", "in", list(DEMO_CATEGORIES)), ("website_category", "=", False)])
        for service in services:
            service.website_category = DEMO_CATEGORIES[service.name]
        employees = self.env["hr.employee"].search(
            [("name", "in", list(DEMO_BIOS)), ("smartbook_website_bio", "=", False)]
        )
        for employee in employees:
            employee.smartbook_website_bio = DEMO_BIOS[employee.name]
