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
        "data/ir_cron.xml",
        "views/menus.xml",
    ],
}
