/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { rpc } from "@web/core/network/rpc";
import publicWidget from "@web/legacy/js/public/public_widget";

import { SlotPicker, refusalOf, timeOf } from "./slot_picker";

// Refusals that mean "this time is no longer free": back to the times, refreshed.
const TIME_REFUSALS = ["slot_taken", "outside_hours", "service_unavailable"];

/**
 * The phone number to send: as typed when it starts with + or 00, or when the
 * business's own country is selected (the server reads national numbers of that
 * country); otherwise the selected calling code in front, without the national
 * trunk 0 (kept where it is part of the number, as in Italy).
 */
export function composePhone(selectEl, typed) {
    const value = typed.trim();
    const option = selectEl && selectEl.selectedOptions[0];
    if (!value || !option || /^(\+|00)/.test(value) || option.dataset.default) {
        return value;
    }
    const national = option.dataset.keepZero ? value : value.replace(/^0+/, "");
    return `+${option.value} ${national}`;
}

publicWidget.registry.SmartbookBookingPage = publicWidget.Widget.extend({
    selector: ".o_smartbook_book",
    events: {
        "click .o_sb_service": "_onServiceClick",
        "click .o_sb_specialist": "_onSpecialistClick",
        "click .o_sb_back": "_onBackClick",
        "submit .o_sb_form": "_onSubmit",
        "input #o_sb_phone": "_onPhoneInput",
    },

    start() {
        const data = this.el.dataset;
        this.tz = data.tz;
        this.fixedEmployeeId = Number(data.fixedEmployeeId) || null;
        this.employeeId = this.fixedEmployeeId;
        this.picker = new SlotPicker(this.el.querySelector(".o_sb_picker"), {
            tz: this.tz,
            onSlot: (slot, dayLabel) => this._onSlot(slot, dayLabel),
            onError: (refusal) => this._showTimeError(refusal.message),
        });
        this._onPopState = (ev) => this._showStep((ev.state && ev.state.smartbookStep) || "service", false);
        window.addEventListener("popstate", this._onPopState);
        history.replaceState({ ...(history.state || {}), smartbookStep: "service" }, "");
        const preselected =
            data.serviceId &&
            this.el.querySelector(`.o_sb_service[data-service-id="${Number(data.serviceId)}"]`);
        if (preselected) {
            this._selectService(preselected, Number(data.employeeId) || null);
        }
        return this._super(...arguments);
    },

    destroy() {
        window.removeEventListener("popstate", this._onPopState);
        this._super(...arguments);
    },

    //--------------------------------------------------------------------------
    // Steps
    //--------------------------------------------------------------------------

    _showStep(step, push = true) {
        for (const section of this.el.querySelectorAll(".o_sb_step")) {
            section.classList.toggle("d-none", section.dataset.step !== step);
        }
        if (push && (!history.state || history.state.smartbookStep !== step)) {
            history.pushState({ ...(history.state || {}), smartbookStep: step }, "");
        }
        this.step = step;
        for (const name of ["service", "time", "details"]) {
            this.el.classList.toggle(`o_sb_at_${name}`, name === step);
        }
        const top = this.el.getBoundingClientRect().top + window.scrollY - 80;
        if (window.scrollY > top) {
            window.scrollTo({ top: Math.max(top, 0) });
        }
    },

    _selectService(button, employeeId = null) {
        const staff = (button.dataset.staffIds || "").split(",").filter(Boolean).map(Number);
        this.service = {
            id: Number(button.dataset.serviceId),
            name: button.dataset.name,
            isGroup: Boolean(button.dataset.isGroup),
            maxDays: Number(button.dataset.maxDays),
        };
        this.el.querySelector(".o_sb_chosen_service").textContent = this.service.name;
        if (!this.fixedEmployeeId) {
            this.employeeId = staff.includes(employeeId) ? employeeId : null;
            for (const chip of this.el.querySelectorAll(".o_sb_specialist")) {
                const chipId = Number(chip.dataset.employeeId) || null;
                chip.classList.toggle("d-none", chipId !== null && !staff.includes(chipId));
                this._markChip(chip, chipId === this.employeeId);
            }
            // one specialist only: "any" says nothing more
            const specialists = this.el.querySelector(".o_sb_specialists");
            specialists.classList.toggle("d-none", staff.length < 2);
        }
        this._hideTimeError();
        this._showStep("time");
        this._loadTimes();
    },

    _markChip(chip, selected) {
        chip.classList.toggle("active", selected);
        chip.setAttribute("aria-pressed", selected ? "true" : "false");
    },

    _loadTimes() {
        return this.picker.setQuery({
            serviceId: this.service.id,
            employeeId: this.employeeId,
            maxDays: this.service.maxDays,
        });
    },

    _onSlot(slot, dayLabel) {
        this.slot = slot;
        const summary = this.el.querySelector(".o_sb_summary");
        summary.querySelector(".o_sb_summary_service").textContent = this.service.name;
        const when = `${dayLabel}, ${timeOf(slot.start)}–${timeOf(slot.end)}`;
        summary.querySelector(".o_sb_summary_when").textContent = when;
        summary.querySelector(".o_sb_summary_employee").textContent = slot.employee_name
            ? _t("with %s", slot.employee_name)
            : "";
        summary.querySelector(".o_sb_summary_seats").textContent =
            slot.seats_left !== null && slot.seats_left !== undefined
                ? _t("%s seats left", slot.seats_left)
                : "";
        this._hideFormError();
        this._showStep("details");
    },

    //--------------------------------------------------------------------------
    // Messages
    //--------------------------------------------------------------------------

    _showTimeError(message) {
        let alert = this.el.querySelector(".o_sb_time_error");
        if (!alert) {
            alert = document.createElement("div");
            alert.className = "alert alert-warning o_sb_time_error";
            alert.setAttribute("role", "alert");
            this.el.querySelector(".o_sb_picker").before(alert);
        }
        alert.textContent = message;
        alert.classList.remove("d-none");
    },

    _hideTimeError() {
        const alert = this.el.querySelector(".o_sb_time_error");
        if (alert) {
            alert.classList.add("d-none");
        }
    },

    _showFormError(message) {
        const alert = this.el.querySelector(".o_sb_error");
        alert.textContent = message;
        alert.classList.remove("d-none");
        alert.scrollIntoView({ block: "nearest" });
    },

    _hideFormError() {
        this.el.querySelector(".o_sb_error").classList.add("d-none");
        this._setPhoneError("");
    },

    _setPhoneError(message) {
        const input = this.el.querySelector("#o_sb_phone");
        input.classList.toggle("is-invalid", Boolean(message));
        this.el.querySelector(".o_sb_phone_error").textContent = message;
    },

    //--------------------------------------------------------------------------
    // Handlers
    //--------------------------------------------------------------------------

    _onServiceClick(ev) {
        this._selectService(ev.currentTarget);
    },

    _onSpecialistClick(ev) {
        const chip = ev.currentTarget;
        this.employeeId = Number(chip.dataset.employeeId) || null;
        for (const other of this.el.querySelectorAll(".o_sb_specialist")) {
            this._markChip(other, other === chip);
        }
        this._hideTimeError();
        this._loadTimes();
    },

    _onBackClick(ev) {
        const target = ev.currentTarget.dataset.back;
        if (history.state && history.state.smartbookStep === this.step && history.length > 1) {
            history.back();
        } else {
            this._showStep(target);
        }
    },

    _onPhoneInput() {
        this._setPhoneError("");
    },

    async _onSubmit(ev) {
        ev.preventDefault();
        const form = ev.currentTarget;
        if (!form.reportValidity() || !this.slot) {
            return;
        }
        const button = form.querySelector(".o_sb_submit");
        const value = (name) => (form.elements[name].value || "").trim();
        const params = {
            service_id: this.service.id,
            employee_id: this.slot.employee_id,
            start: this.slot.start,
            name: value("name"),
            phone: composePhone(form.querySelector(".o_sb_country"), value("phone")),
            email: value("email"),
            note: value("note"),
            consent_sms: form.elements.consent_sms.checked,
            consent_telegram: form.elements.consent_telegram.checked,
            consent_marketing: form.elements.consent_marketing.checked,
            website: form.elements.website.value,
        };
        if (this.slot.session_id) {
            params.session_id = this.slot.session_id;
        }
        this._hideFormError();
        button.disabled = true;
        let result;
        try {
            result = await rpc("/smartbook/book", params);
        } catch (error) {
            button.disabled = false;
            const refusal = refusalOf(error);
            if (refusal.code === "invalid_phone") {
                this._setPhoneError(refusal.message);
                form.elements.phone.focus();
            } else if (TIME_REFUSALS.includes(refusal.code)) {
                this.slot = null;
                this._showStep("time");
                this._showTimeError(refusal.message);
                this.picker.refresh();
            } else {
                this._showFormError(refusal.message);
            }
            return;
        }
        window.location.assign(
            `/book/confirmed/${encodeURIComponent(result.booking_id)}?access_token=${encodeURIComponent(
                result.access_token
            )}`
        );
    },
});

export default publicWidget.registry.SmartbookBookingPage;
