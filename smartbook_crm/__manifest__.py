# Copyright 2026 SmartBook
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "SmartBook Clients",
    "summary": "Client base for service businesses: client card, tags, sources, consent, blacklist, segments",
    "version": "18.0.1.0.0",
    "category": "Services/SmartBook",
    "website": "https://github.com/smartbook/smartbook",
    "author": "SmartBook",
    "license": "LGPL-3",
    "application": True,
    "depends": ["base", "mail", "contacts", "phone_validation"],
    "external_dependencies": {"python": ["phonenumbers", "openpyxl", "xlsxwriter"]},
    "data": [
        "security/smartbook_crm_groups.xml",
        "security/ir.model.access.csv",
        "security/smartbook_crm_security.xml",
        "data/smartbook_source_data.xml",
        "wizards/smartbook_gdpr_erase_views.xml",
        "views/res_partner_views.xml",
        "views/smartbook_source_views.xml",
        "views/smartbook_client_photo_views.xml",
        "views/smartbook_gdpr_log_views.xml",
        "views/smartbook_segment_views.xml",
        "wizards/smartbook_client_export_views.xml",
        "wizards/smartbook_client_import_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/smartbook_crm_demo.xml",
        "demo/smartbook_segment_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "smartbook_crm/static/tests/tours/*.js",
        ],
    },
}
