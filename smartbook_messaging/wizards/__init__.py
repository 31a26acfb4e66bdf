from . import smartbook_campaign_send
