/** @odoo-module **/

import { registry } from "@web/core/registry";

// The booking blocks of the tour: one hour long, so dropping the block's centre
// half an hour below a cell's top keeps the booking's time of day.
const HALF_HOUR_PX = 32;
const column = (name) => `.o_sb_column:has(.o_sb_employee_name:contains("${name}"))`;

function dragTo(selector) {
    return async (helpers) => {
        await helpers.drag_and_drop(selector, {
            position: { top: HALF_HOUR_PX, left: 20 },
            relative: true,
        });
    };
}

// A manager books into free time, moves a booking to another specialist and is
// told why a move onto a taken slot is refused.
registry.category("web_tour.tours").add("smartbook_schedule_board_manager_tour", {
    steps: () => [
        {
            content: "The board shows a column per specialist with their bookings",
            trigger: `${column("Board Anna")} .o_sb_booking:contains("Board Client One")`,
        },
        {
            content: "The other specialist has a column too",
            trigger: `${column("Board Bruno")} .o_sb_head`,
        },
        {
            content: "Click free time at 14:00 in Anna's column",
            trigger: `${column("Board Anna")} .o_sb_cell[data-time="14:00"]`,
            run: "click",
        },
        {
            content: "The booking form opens prefilled with Anna",
            trigger: '.modal .o_field_widget[name="employee_id"] input',
            run: function () {
                const value = this.anchor.value;
                if (!value.includes("Board Anna")) {
                    throw new Error(`The form is not prefilled with the specialist: ${value}`);
                }
            },
        },
        {
            content: "Fill the client",
            trigger: '.modal .o_field_widget[name="partner_id"] input',
            run: "edit Board Client Two",
        },
        {
            content: "Pick the client",
            trigger: '.o-autocomplete--dropdown-item:contains("Board Client Two")',
            run: "click",
        },
        {
            content: "Fill the service",
            trigger: '.modal .o_field_widget[name="service_id"] input',
            run: "edit Board Cut",
        },
        {
            content: "Pick the service",
            trigger: '.o-autocomplete--dropdown-item:contains("Board Cut")',
            run: "click",
        },
        {
            content: "Save the booking",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The new booking appears in Anna's column",
            trigger: `body:not(:has(.modal)) ${column("Board Anna")} .o_sb_booking:contains("Board Client Two")`,
        },
        {
            content: "Drag Anna's 10:00 booking to Bruno at 10:00",
            trigger: `${column("Board Anna")} .o_sb_booking:contains("Board Client One")`,
            run: dragTo(`${column("Board Bruno")} .o_sb_cell[data-time="10:00"]`),
        },
        {
            content: "The booking is now Bruno's",
            trigger: `${column("Board Bruno")} .o_sb_booking:contains("Board Client One")`,
        },
        {
            content: "It left Anna's column",
            trigger: `${column("Board Anna")}:not(:has(.o_sb_booking:contains("Board Client One")))`,
        },
        {
            content: "Drag it onto Anna's taken 12:00 slot",
            trigger: `${column("Board Bruno")} .o_sb_booking:contains("Board Client One")`,
            run: dragTo(`${column("Board Anna")} .o_sb_cell[data-time="12:00"]`),
        },
        {
            content: "The server's refusal is shown",
            trigger: ".o_notification.o_sb_move_refused .o_notification_content",
            run: function () {
                if (!this.anchor.textContent.trim()) {
                    throw new Error("The refusal has no explanation");
                }
            },
        },
        {
            content: "The booking is back in Bruno's column",
            trigger: `${column("Board Bruno")} .o_sb_booking:contains("Board Client One")`,
        },
        {
            content: "Show cancelled bookings",
            trigger: ".o_sb_show_cancelled input",
            run: "click",
        },
        {
            content: "The cancelled booking shows struck through",
            trigger: `${column("Board Anna")} .o_sb_state_cancelled:contains("Board Client Gone")`,
        },
        {
            content: "Open Bruno's week",
            trigger: `${column("Board Bruno")} .o_sb_employee_name`,
            run: "click",
        },
        {
            content: "The week has seven days",
            trigger: ".o_sb_week .o_sb_grid:has(.o_sb_column:eq(6))",
        },
    ],
});

// An employee sees their own column only.
registry.category("web_tour.tours").add("smartbook_schedule_board_employee_tour", {
    steps: () => [
        {
            content: "The employee sees their own bookings",
            trigger: `${column("Board Anna")} .o_sb_booking:contains("Board Client One")`,
        },
        {
            content: "and no other specialist's column",
            trigger: `.o_sb_grid:not(:has(${column("Board Bruno")}))`,
        },
    ],
});
