# Copyright 2026 SmartBook
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "SmartBook Bookings",
    "summary": "Services, staff schedules, free slots, bookings, group classes, invoicing",
    "version": "18.0.1.1.0",
    "category": "Services/SmartBook",
    "website": "https://github.com/smartbook/smartbook",
    "author": "SmartBook",
    "license": "LGPL-3",
    "uninstall_hook": "uninstall_hook",
    "depends": ["smartbook_crm", "hr", "resource", "product", "account", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "security/smartbook_booking_security.xml",
        "views/smartbook_service_views.xml",
        "views/smartbook_session_views.xml",
        "views/smartbook_booking_views.xml",
        "views/smartbook_schedule_board_views.xml",
        "views/hr_employee_views.xml",
        "views/res_partner_views.xml",
        "views/smartbook_session_generator_views.xml",
        "views/res_config_settings_views.xml",
        "views/smartbook_segment_views.xml",
        "views/smartbook_booking_invoicing_views.xml",
        "report/smartbook_booking_report_views.xml",
        "report/smartbook_retention_report_views.xml",
        "report/smartbook_utilisation_report_views.xml",
        "views/res_company_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/smartbook_booking_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "smartbook_booking/static/src/schedule_board/*",
        ],
        "web.assets_tests": [
            "smartbook_booking/static/tests/tours/*.js",
        ],
    },
}
