# Copyright 2026 SmartBook
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "SmartBook Online Booking",
    "summary": "Public booking pages and the client portal",
    "version": "18.0.1.0.0",
    "category": "Services/SmartBook",
    "website": "https://github.com/smartbook/smartbook",
    "author": "SmartBook",
    "license": "LGPL-3",
    "depends": ["smartbook_booking", "smartbook_messaging", "website", "portal"],
    "demo": [
        "demo/smartbook_website_demo.xml",
    ],
}
