from . import res_company, res_config_settings, smartbook_campaign, smartbook_message, smartbook_message_template
