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
    "data": [
        "security/ir.model.access.csv",
        "security/smartbook_website_security.xml",
        "data/ir_config_parameter_data.xml",
        "views/smartbook_website_templates.xml",
        "views/smartbook_portal_templates.xml",
        "views/smartbook_website_backend_views.xml",
        "views/website_menus.xml",
    ],
    "demo": [
        "demo/smartbook_website_demo.xml",
        "demo/smartbook_website_pages_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "smartbook_website/static/src/js/**/*",
            "smartbook_website/static/src/scss/**/*",
        ],
        "web.assets_tests": [
            "smartbook_website/static/tests/tours/**/*",
        ],
    },
}
