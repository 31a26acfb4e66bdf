# Copyright 2026 SmartBook
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "SmartBook Messaging",
    "summary": "Telegram and SMS reminders, notifications and campaigns",
    "version": "18.0.1.0.0",
    "category": "Services/SmartBook",
    "website": "https://github.com/smartbook/smartbook",
    "author": "SmartBook",
    "license": "LGPL-3",
    "depends": ["smartbook_booking", "sms"],
    "external_dependencies": {"python": ["telegram"]},
    "data": [
        "security/ir.model.access.csv",
        "security/smartbook_messaging_security.xml",
        "data/ir_cron.xml",
        "data/smartbook_message_template_data.xml",
        "views/menus.xml",
        "views/smartbook_message_views.xml",
        "views/res_partner_views.xml",
        "views/res_company_views.xml",
        "views/res_partner_telegram_views.xml",
        "views/smartbook_message_template_views.xml",
        "views/smartbook_campaign_views.xml",
        "views/smartbook_service_views.xml",
        "wizards/smartbook_campaign_send_views.xml",
    ],
    "demo": ["demo/smartbook_messaging_demo.xml", "demo/smartbook_campaign_demo.xml"],
}
