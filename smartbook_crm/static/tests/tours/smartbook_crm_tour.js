/** @odoo-module **/

import { registry } from "@web/core/registry";

// A manager opens SmartBook from the home menu, finds a demo client by name and
// opens the client card.
registry.category("web_tour.tours").add("smartbook_crm_client_card_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the SmartBook app",
            trigger: '.o_app[data-menu-xmlid="smartbook_crm.menu_smartbook_root"]',
            run: "click",
        },
        {
            content: "Open the Clients menu",
            trigger: '.o_main_navbar [data-menu-xmlid="smartbook_crm.menu_smartbook_clients_root"]',
            run: "click",
        },
        {
            content: "Open the client list",
            trigger: '.dropdown-item[data-menu-xmlid="smartbook_crm.menu_smartbook_clients"]',
            run: "click",
        },
        {
            content: "The client list shows clients",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Search the tour client",
            trigger: ".o_searchview_input",
            run: "edit Tour Client Ånnika",
        },
        {
            content: "Validate the search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the client",
            trigger: '.o_data_row:only-child td[name="name"]:contains("Tour Client Ånnika")',
            run: "click",
        },
        {
            content: "The card leads with the client",
            trigger: '.o_smartbook_client_form .oe_title .o_field_widget[name="name"]',
        },
        {
            content: "The card shows the client's internal notes",
            trigger: '.o_field_widget[name="smartbook_notes"]:contains("Allergic to latex")',
        },
    ],
});
