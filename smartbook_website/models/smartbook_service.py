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
