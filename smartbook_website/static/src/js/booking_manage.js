/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { rpc } from "@web/core/network/rpc";
import publicWidget from "@web/legacy/js/public/public_widget";

import { SlotPicker, refusalOf, timeOf } from "./slot_picker";

/**
 * The manage page of one booking (/my/bookings/<id>): cancel with an optional
 * reason, or move it to another free time of the same specialist. Both go through
 * the public JSON-RPC routes with the booking's token; the server applies the
 * business's deadline and answers ``too_late`` (with its phone) after it.
 */
publicWidget.registry.SmartbookBookingManage = publicWidget.Widget.extend({
    selector: ".o_smartbook_manage",
    events: {
        "click .o_sb_cancel_open": "_onCancelOpen",
        "click .o_sb_reschedule_open": "_onRescheduleOpen",
        "submit .o_sb_cancel": "_onCancelSubmit",
        "click .o_sb_reschedule_submit": "_onRescheduleSubmit",
    },

    start() {
        const data = this.el.dataset;
        this.bookingId = Number(data.bookingId);
        this.accessToken = data.accessToken;
        return this._super(...arguments);
    },

    _toggle(selector, shown) {
        const el = this.el.querySelector(selector);
        if (el) {
            el.classList.toggle("d-none", !shown);
        }
        return el;
    },

    _showError(message) {
        const alert = this._toggle(".o_sb_error", true);
        alert.textContent = message;
        alert.scrollIntoView({ block: "nearest" });
    },

    _showDone(message) {
        this._toggle(".o_sb_error", false);
        const alert = this._toggle(".o_sb_done", true);
        alert.textContent = message;
        alert.scrollIntoView({ block: "nearest" });
    },

    _onCancelOpen() {
        this._toggle(".o_sb_reschedule", false);
        const form = this.el.querySelector(".o_sb_cancel");
        form.classList.toggle("d-none");
        if (!form.classList.contains("d-none")) {
            form.scrollIntoView({ block: "nearest" });
            form.querySelector("textarea").focus({ preventScroll: true });
        }
    },

    _onRescheduleOpen() {
        this._toggle(".o_sb_cancel", false);
        const card = this.el.querySelector(".o_sb_reschedule");
        card.classList.toggle("d-none");
        if (!this.picker && !card.classList.contains("d-none")) {
            const data = this.el.dataset;
            this.picker = new SlotPicker(card.querySelector(".o_sb_picker"), {
                tz: data.tz,
                onSlot: (slot, dayLabel) => this._onSlot(slot, dayLabel),
                onError: (refusal) => this._showError(refusal.message),
            });
            this.picker.setQuery({
                serviceId: Number(data.serviceId),
                employeeId: Number(data.fixedEmployeeId),
                maxDays: Number(data.maxDays),
            });
        }
    },

    _onSlot(slot, dayLabel) {
        this.slot = slot;
        this._toggle(".o_sb_reschedule_confirm", true);
        this.el.querySelector(".o_sb_reschedule_when").textContent = `${dayLabel}, ${timeOf(slot.start)}`;
    },

    async _call(route, params, button, doneMessage) {
        button.disabled = true;
        try {
            await rpc(route, { booking_id: this.bookingId, access_token: this.accessToken, ...params });
        } catch (error) {
            button.disabled = false;
            const refusal = refusalOf(error);
            this._showError(refusal.message);
            if (this.picker && refusal.code === "slot_taken") {
                this._toggle(".o_sb_reschedule_confirm", false);
                this.slot = null;
                this.picker.refresh();
            }
            return;
        }
        this._showDone(doneMessage);
        window.location.reload();
    },

    _onCancelSubmit(ev) {
        ev.preventDefault();
        const form = ev.currentTarget;
        return this._call(
            "/smartbook/booking/cancel",
            { reason: form.elements.reason.value.trim() },
            form.querySelector(".o_sb_cancel_submit"),
            _t("Your booking is cancelled.")
        );
    },

    _onRescheduleSubmit(ev) {
        if (!this.slot) {
            return;
        }
        return this._call(
            "/smartbook/booking/reschedule",
            { start: this.slot.start },
            ev.currentTarget,
            _t("Your booking is moved.")
        );
    },
});

export default publicWidget.registry.SmartbookBookingManage;
