"""Every SmartBook screen opens in a browser for every role that can reach it.

Lives in the top addon so that the menus and views of all four SmartBook addons are there.
Odoo's click-everywhere bot walks the SmartBook app (every menu, every view type, every
filter); then one record of every SmartBook form is opened. Any client-side error (a view
modifier the web client cannot evaluate, a crash dialog) fails the test."""

import json
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

ROLES = {
    "admin": "smartbook_crm.group_smartbook_admin",
    "manager": "smartbook_crm.group_smartbook_manager",
    "employee": "smartbook_crm.group_smartbook_employee",
}
CLICKBOT = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
    ".startClickEverywhere('smartbook_crm.menu_smartbook_root');"
)
# Opens one record of each SmartBook action in that action's own form view (a wizard: the
# action itself), waits until it is shown, and says "test successful" at the end; a form
# that never shows, or an error dialog, fails with what the dialog said.
OPEN_FORMS = """
(async () => {
    const env = odoo.__WOWL_DEBUG__.root.env;
    const shown = async (target, selector) => {
        for (let waited = 0; waited < 20000; waited += 100) {
            const error = document.querySelector(".o_error_dialog, .o_dialog .o_error_detail");
            if (error) {
                throw new Error(target.action + ": " + error.closest(".modal-content, .o_dialog").innerText);
            }
            if (document.querySelector(selector)) {
                return;
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error(target.action + ": not shown");
    };
    for (const target of %s) {
        if (target.wizard) {
            await env.services.action.doAction(target.action);
            await shown(target, ".modal .o_form_view");
            await env.services.action.doAction({ type: "ir.actions.act_window_close" });
        } else {
            await env.services.action.doAction(target.action, {
                props: { resId: target.id }, viewType: "form", clearBreadcrumbs: true,
            });
            await shown(target, ".o_action_manager .o_form_view .o_form_renderer");
        }
    }
    console.log("test successful");
})().catch((error) => console.error("smartbook: a form did not open: " + error.message));
"""


@tagged("post_install", "-at_install")
class TestBackofficeScreens(HttpCase):
    allow_end_on_form = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"screens_{role}",
                password=f"screens_{role}",
                groups=f"base.group_user,{group}",
                tz="Europe/Madrid",
            )
            for role, group in ROLES.items()
        }
        # The employee is a specialist with bookings of their own, as on a salon's staff.
        specialist = cls.env["hr.employee"].search([("smartbook_bookable", "=", True)], limit=1)
        if specialist:
            specialist.user_id = cls.users["employee"]

    def smartbook_form_targets(self, user):
        """Each SmartBook window action ``user`` may open: a wizard as it is, any other
        with the first record of its own domain that ``user`` may read."""
        data = self.env["ir.model.data"].search(
            [("model", "=", "ir.actions.act_window"), ("module", "like", "smartbook_%")]
        )
        targets = []
        for xmlid in data:
            action = self.env["ir.actions.act_window"].browse(xmlid.res_id)
            model = self.env[action.res_model].with_user(user)
            if action.groups_id and not (action.groups_id & user.groups_id):
                continue
            if not model.has_access("read"):
                continue
            name = f"{xmlid.module}.{xmlid.name}"
            if action.target == "new" or model._transient:
                if model.has_access("create"):
                    targets.append({"action": name, "wizard": True})
                continue
            if "form" not in action.view_mode:
                continue
            domain = safe_eval(action.domain or "[]", {"uid": user.id, "context_today": date.today})
            record = model.search(domain, limit=1)
            if record:
                targets.append({"action": name, "id": record.id})
        return targets

    def open_every_screen(self, role):
        user = self.users[role]
        login = user.login
        self.browser_js(
            "/odoo",
            CLICKBOT,
            "odoo.isReady === true",
            login=login,
            timeout=900,
            success_signal="clickbot test succeeded",
        )
        targets = self.smartbook_form_targets(user)
        self.assertGreater(len(targets), 3 if role == "employee" else 6, targets)
        self.browser_js(
            "/odoo", OPEN_FORMS % json.dumps(targets), "odoo.isReady === true", login=login, timeout=600
        )

    def test_screens_as_administrator(self):
        self.open_every_screen("admin")

    def test_screens_as_manager(self):
        self.open_every_screen("manager")

    def test_screens_as_employee(self):
        self.open_every_screen("employee")
