# Copyright 2026 SmartBook
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "SmartBook Bookings",
    "summary": "Services, staff schedules, free slots, bookings, group classes, invoicing",
    "version": "18.0.1.0.0",
    "category": "Services/SmartBook",
    "website": "https://github.com/smartbook/smartbook",
    "author": "SmartBook",
    "license": "LGPL-3",
    "depends": ["smartbook_crm", "hr", "resource", "product", "account"],
    "data": [
        "security/ir.model.access.csv",
        "security/smartbook_booking_security.xml",
        "views/smartbook_service_views.xml",
        "views/smartbook_session_views.xml",
        "views/smartbook_booking_views.xml",
        "views/hr_employee_views.xml",
        "views/res_partner_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/smartbook_booking_demo.xml",
    ],
}
