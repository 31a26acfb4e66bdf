from . import res_company, res_config_settings, smartbook_campaign, smartbook_message
from . import smartbook_message_template
from . import smartbook_message_sms, sms_sms
from . import res_partner_outbox
from . import res_company_telegram, res_partner, smartbook_message_telegram, smartbook_telegram_update
from . import smartbook_booking, smartbook_service, smartbook_message_enqueue, smartbook_campaign_recipient
from . import smartbook_demo
