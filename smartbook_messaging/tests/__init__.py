from . import test_campaign, test_reminders, test_templates
from . import test_sms_gateway
from . import test_sms
from . import test_sms_webhooks
from . import test_telegram, test_telegram_tools, test_telegram_webhook
from . import test_outbox, test_outbox_runs, test_outbox_tools
