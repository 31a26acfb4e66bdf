/** @odoo-module **/

import { registry } from "@web/core/registry";

// A portal client moves their upcoming booking to the first free time offered.
registry.category("web_tour.tours").add("smartbook_website_portal_reschedule", {
    url: "/my/bookings",
    steps: () => [
        {
            content: "Open the upcoming booking",
            trigger: ".o_sb_upcoming .o_sb_portal_booking:first",
            run: "click",
        },
        {
            content: "Reschedule",
            trigger: ".o_smartbook_manage .o_sb_reschedule_open",
            run: "click",
        },
        {
            content: "The first free day is selected",
            trigger: ".o_sb_reschedule:not(.d-none) .o_sb_day.o_sb_day_free.active",
        },
        {
            content: "Tap its first free time",
            trigger: ".o_sb_reschedule .o_sb_slots .o_sb_slot:first",
            run: "click",
        },
        {
            content: "Confirm the new time",
            trigger: ".o_sb_reschedule_confirm:not(.d-none) .o_sb_reschedule_submit",
            run: "click",
        },
        {
            content: "No refusal",
            trigger: ".o_smartbook_manage .o_sb_error:not(.d-none), .o_smartbook_manage .o_sb_too_late",
            run() {
                const error = document.querySelector(".o_smartbook_manage .o_sb_error:not(.d-none)");
                if (error) {
                    throw new Error(`refused: ${error.textContent}`);
                }
            },
        },
        {
            content: "The page comes back with the booking moved: now too close to change online",
            trigger: ".o_smartbook_manage .o_sb_too_late",
        },
    ],
});
