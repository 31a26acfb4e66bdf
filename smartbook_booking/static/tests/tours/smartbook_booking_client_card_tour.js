/** @odoo-module **/

import { registry } from "@web/core/registry";

// The client card leads with the client: name, phone as people write it, and the
// strip of visits and money, labelled as the client's totals with all specialists.
function clientCardSteps() {
    return [
        {
            content: "The card leads with the client's name",
            trigger: '.o_smartbook_client_form .oe_title h1:contains("Tour Card Client")',
        },
        {
            content: "The phone shows in a readable format, not E.164",
            trigger: '.o_field_widget[name="smartbook_phone_display"] input',
            run() {
                if (!this.anchor.value.includes("123 45 67")) {
                    throw new Error(`Phone shown as "${this.anchor.value}"`);
                }
            },
        },
        {
            content: "The strip says whose figures these are",
            trigger: "div[name=\"smartbook_client_strip\"]:contains(\"Client's totals, all specialists\")",
        },
        {
            content: "The strip counts the visits with every specialist",
            trigger: 'div[name="smartbook_strip_visits"] .o_field_widget[name="smartbook_visit_count"]:contains("2")',
        },
        {
            content: "The strip shows the pending amount",
            trigger: 'div[name="smartbook_strip_pending"] .o_field_widget[name="smartbook_pending_amount"]',
        },
        {
            content: "The strip shows the no-shows",
            trigger: 'div[name="smartbook_strip_no_shows"] .o_field_widget[name="smartbook_no_show_count"]',
        },
    ];
}

registry.category("web_tour.tours").add("smartbook_booking_client_card_manager_tour", {
    steps: () => [
        ...clientCardSteps(),
        {
            content: "Erasure is in the header, not in the card",
            trigger: '.o_form_statusbar button:contains("Erase Personal Data")',
            run: "click",
        },
        {
            content: "Erasure asks for confirmation first",
            trigger: '.modal:contains("This cannot be undone")',
        },
        {
            content: "No erase button before the manager ticks I understand",
            trigger: '.modal:not(:has(footer button[name="action_erase"]))',
        },
        {
            content: "Tick I understand",
            trigger: '.modal .o_field_widget[name="understood"] input',
            run: "click",
        },
        {
            content: "Now the erase button shows",
            trigger: '.modal footer button[name="action_erase"]',
        },
        {
            content: "Cancel",
            trigger: '.modal footer button:contains("Cancel")',
            run: "click",
        },
        {
            content: "The client is still there",
            trigger: 'body:not(:has(.modal)) .o_smartbook_client_form .oe_title h1:contains("Tour Card Client")',
        },
    ],
});

registry.category("web_tour.tours").add("smartbook_booking_client_card_employee_tour", {
    steps: () => [
        ...clientCardSteps(),
        {
            content: "An employee has no personal data actions",
            trigger: '.o_smartbook_client_form:not(:has(button:contains("Erase Personal Data")))',
        },
        {
            content: "The bookings list shows only the employee's own booking",
            trigger: '.o_field_widget[name="smartbook_booking_ids"] .o_data_row',
            run() {
                const rows = document.querySelectorAll('.o_field_widget[name="smartbook_booking_ids"] .o_data_row');
                if (rows.length !== 1) {
                    throw new Error(`The employee sees ${rows.length} bookings`);
                }
            },
        },
    ],
});
