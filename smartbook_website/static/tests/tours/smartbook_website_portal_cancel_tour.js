/** @odoo-module **/

import { registry } from "@web/core/registry";

// A portal client opens their upcoming booking from "My bookings" and cancels it.
registry.category("web_tour.tours").add("smartbook_website_portal_cancel", {
    url: "/my/bookings",
    steps: () => [
        {
            content: "Open the upcoming booking",
            trigger: ".o_sb_upcoming .o_sb_portal_booking:first",
            run: "click",
        },
        {
            content: "Cancel it",
            trigger: ".o_smartbook_manage .o_sb_cancel_open",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".o_smartbook_manage .o_sb_cancel:not(.d-none) textarea[name='reason']",
            run: "edit Tour: cannot come",
        },
        {
            content: "Confirm",
            trigger: ".o_smartbook_manage .o_sb_cancel_submit",
            run: "click",
        },
        {
            content: "The page shows the booking cancelled, with nothing left to change",
            trigger: ".o_smartbook_manage:not(:has(.o_sb_cancel_open)) .o_sb_book_again",
        },
    ],
});
