from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestClientCardTour(HttpCase):
    def test_client_card_tour(self):
        self.env["res.partner"].create(
            {
                "name": "Tour Client Ånnika",
                "smartbook_client": True,
                "phone": "+46701234567",
                "smartbook_notes": "<p>Allergic to latex</p>",
            }
        )
        self.start_tour("/odoo", "smartbook_crm_client_card_tour", login="admin")
