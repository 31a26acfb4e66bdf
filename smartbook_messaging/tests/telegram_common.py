import uuid

from odoo.addons.smartbook_booking.tests.common import SmartbookBookingCase
from odoo.addons.smartbook_messaging.tests.fake_bot_api import FakeBotApi

BOT_TOKEN = "123456:TEST-token_for-SmartBook"
BOT_USERNAME = "smartbook_test_bot"
WEBHOOK_SECRET = "webhook-Secret_0123456789abcdefABCDEF"
CLIENT_CHAT = "5550001"


class TelegramCase(SmartbookBookingCase):
    """The booking fixture with a bot served by a loopback fake Bot API, a client
    whose Telegram chat is connected, no quiet hours, and a two-hour cancellation
    deadline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bot_api = FakeBotApi(token=BOT_TOKEN, username=BOT_USERNAME).start()
        cls.addClassCleanup(cls.bot_api.stop)
        cls.company = cls.env.company
        cls.company.write(
            {
                "smartbook_telegram_token": BOT_TOKEN,
                "smartbook_telegram_bot_username": BOT_USERNAME,
                "smartbook_telegram_api_url": cls.bot_api.url,
                "smartbook_telegram_webhook_secret": WEBHOOK_SECRET,
                "smartbook_quiet_hours_start": 0.0,
                "smartbook_quiet_hours_end": 0.0,
            }
        )
        cls.service.cancel_deadline_hours = 2
        cls.client.write(
            {
                "telegram_chat_id": CLIENT_CHAT,
                "smartbook_consent_telegram": True,
                "tz": "UTC",
                "lang": "en_US",
            }
        )

    def setUp(self):
        super().setUp()
        self.bot_api.reset()

    def make_message(self, kind="reminder", booking=None, partner=None, body="See you tomorrow at 10:00."):
        """An outbox message as the outbox holds it before delivery."""
        return self.env["smartbook.message"].create(
            {
                "channel": "telegram",
                "kind": kind,
                "partner_id": (partner or self.client).id,
                "booking_id": booking.id if booking else False,
                "body": body,
                "dedupe_key": f"test-telegram-{uuid.uuid4().hex}",
            }
        )

    def client_partner(self, name, chat_id):
        return self.env["res.partner"].create(
            {
                "name": name,
                "smartbook_client": True,
                "telegram_chat_id": chat_id,
                "smartbook_consent_telegram": True,
                "tz": "UTC",
            }
        )
