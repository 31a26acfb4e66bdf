/** @odoo-module **/

import { registry } from "@web/core/registry";

// A visitor on a phone books a manicure: the service, then the first free time of the
// first free day (both preselected), then their details, and lands on the confirmation.
registry.category("web_tour.tours").add("smartbook_website_book", {
    url: "/book",
    steps: () => [
        {
            content: "Tap a service",
            trigger: ".o_sb_step[data-step='service'] .o_sb_service:contains('Manicure')",
            run: "click",
        },
        {
            content: "Any specialist is preselected",
            trigger: ".o_sb_step[data-step='time']:not(.d-none) .o_sb_specialist.active[data-employee-id='']",
        },
        {
            content: "The first free day is selected",
            trigger: ".o_sb_step[data-step='time'] .o_sb_day.o_sb_day_free.active",
        },
        {
            content: "and its times are listed: tap the first one",
            trigger: ".o_sb_step[data-step='time'] .o_sb_slots .o_sb_slot:first",
            run: "click",
        },
        {
            content: "Name",
            trigger: ".o_sb_step[data-step='details']:not(.d-none) input[name='name']",
            run: "edit Tour <b>Visitor</b>",
        },
        {
            content: "Phone",
            trigger: ".o_sb_step[data-step='details'] input[name='phone']",
            run: "edit +34 612 345 678",
        },
        {
            content: "SMS consent is not ticked by default",
            trigger: ".o_sb_step[data-step='details'] input[name='consent_sms']:not(:checked)",
        },
        {
            content: "Confirm",
            trigger: ".o_sb_step[data-step='details'] .o_sb_submit",
            run: "click",
        },
        {
            content: "The confirmation page shows the booking",
            trigger: ".o_smartbook_confirmed .o_sb_booking_service:contains('Manicure')",
        },
        {
            content: "with its manage link and calendar file",
            trigger: ".o_smartbook_confirmed a.o_sb_manage[href*='access_token=']",
        },
    ],
});
