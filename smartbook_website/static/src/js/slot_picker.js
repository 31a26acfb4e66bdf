/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { rpc } from "@web/core/network/rpc";

/**
 * The month view and the free times of one day (template smartbook_website.slot_picker).
 *
 * One /smartbook/availability request per month (days with free time only), one
 * /smartbook/slots request for the chosen day. Dates are the business's local dates
 * ("YYYY-MM-DD" in its time zone) and times are shown as the server wrote them in
 * that zone, whatever the device's own time zone. Everything the server sends is
 * written with textContent: nothing is parsed as HTML.
 */

function pad(number) {
    return String(number).padStart(2, "0");
}

export function addDays(isoDate, days) {
    const date = new Date(`${isoDate}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + days);
    return date.toISOString().slice(0, 10);
}

/** Today's date ("YYYY-MM-DD") in the time zone ``tz``. */
export function todayIn(tz) {
    const parts = {};
    for (const part of new Intl.DateTimeFormat("en-US", {
        timeZone: tz,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
    }).formatToParts(new Date())) {
        parts[part.type] = part.value;
    }
    return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Whether the device's clock shows another time than the business's right now. */
export function deviceInOtherZone(tz) {
    const format = (timeZone) =>
        new Intl.DateTimeFormat("en-US", {
            timeZone,
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
        }).format(new Date());
    try {
        return format(tz) !== format(undefined);
    } catch {
        return false;
    }
}

export function pageLocale() {
    const lang = (document.documentElement.getAttribute("lang") || "en-US").replace("_", "-");
    try {
        return Intl.getCanonicalLocales(lang)[0];
    } catch {
        return "en-US";
    }
}

/** "Monday 30 November" for a "YYYY-MM-DD" date, in the page's language. */
export function formatDay(isoDate, locale = pageLocale()) {
    return new Intl.DateTimeFormat(locale, {
        weekday: "long",
        day: "numeric",
        month: "long",
        timeZone: "UTC",
    }).format(new Date(`${isoDate}T00:00:00Z`));
}

/** "10:00" of an ISO 8601 time with offset, as written (the business's local time). */
export function timeOf(isoDateTime) {
    return isoDateTime.slice(11, 16);
}

/** The message of a refused JSON-RPC call, and its contract code. */
export function refusalOf(error) {
    const code = (error && error.data && error.data.code) || null;
    const message =
        (error && error.data && typeof error.data.message === "string" && error.data.message) ||
        (error && error.message) ||
        _t("Something went wrong: please try again.");
    if (!code && error && error.name !== "RPC_ERROR") {
        return { code: null, message: _t("The connection was lost: please check it and try again.") };
    }
    return { code, message };
}

export class SlotPicker {
    /**
     * @param {HTMLElement} el the .o_sb_picker element
     * @param {Object} options
     * @param {string} options.tz the business's time zone
     * @param {Function} options.onSlot called with (slot, dayLabel) when a time is tapped
     * @param {Function} [options.onError] called with a refusal ({code, message})
     */
    constructor(el, { tz, onSlot, onError }) {
        this.el = el;
        this.tz = tz;
        this.onSlot = onSlot;
        this.onError = onError || (() => {});
        this.locale = pageLocale();
        this.cache = new Map();
        this.sequence = 0;
        this.query = null;
        this.days = {};
        this.slots = [];
        this.prevButton = el.querySelector(".o_sb_month_prev");
        this.nextButton = el.querySelector(".o_sb_month_next");
        this.prevButton.addEventListener("click", () => this._shiftMonth(-1));
        this.nextButton.addEventListener("click", () => this._shiftMonth(1));
        el.querySelector(".o_sb_month_grid").addEventListener("click", (ev) => {
            const button = ev.target.closest(".o_sb_day");
            if (button && !button.disabled) {
                this.selectDay(button.dataset.date);
            }
        });
        el.querySelector(".o_sb_slots").addEventListener("click", (ev) => {
            const button = ev.target.closest(".o_sb_slot");
            if (button) {
                this._chooseSlot(Number(button.dataset.index), button);
            }
        });
        const tzNote = el.querySelector(".o_sb_tz_note");
        if (tzNote && deviceInOtherZone(tz)) {
            tzNote.classList.remove("d-none");
        }
    }

    /**
     * Show the free time of a service (and specialist, or any): the first month with
     * free time from today, its first free day selected and that day's times listed.
     */
    setQuery({ serviceId, employeeId, maxDays }) {
        this.query = { serviceId, employeeId: employeeId || null };
        this.today = todayIn(this.tz);
        this.lastDay = addDays(this.today, Math.max(Number(maxDays) || 60, 0));
        const [year, month] = this.today.split("-").map(Number);
        return this._loadMonth(year, month, true);
    }

    /** Forget what was loaded (a time was just taken) and load the current month again. */
    refresh() {
        this.cache.clear();
        if (this.query && this.year) {
            return this._loadMonth(this.year, this.month, false, this.selectedDay);
        }
    }

    _params(extra) {
        const params = { service_id: this.query.serviceId, tz: this.tz, ...extra };
        if (this.query.employeeId) {
            params.employee_id = this.query.employeeId;
        }
        return params;
    }

    _monthWindow(year, month) {
        const first = `${year}-${pad(month)}-01`;
        const next = month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`;
        return { dateFrom: first < this.today ? this.today : first, dateTo: next };
    }

    _fetchMonth(year, month) {
        const { dateFrom, dateTo } = this._monthWindow(year, month);
        const key = `${this.query.serviceId}|${this.query.employeeId || ""}|${dateFrom}`;
        if (!this.cache.has(key)) {
            const promise = rpc(
                "/smartbook/availability",
                this._params({ date_from: dateFrom, date_to: dateTo })
            ).then((result) => result.days || {});
            promise.catch(() => this.cache.delete(key));
            this.cache.set(key, promise);
        }
        return this.cache.get(key);
    }

    _canGo(year, month, step) {
        const { dateTo } = this._monthWindow(year, month);
        if (step > 0) {
            return dateTo <= this.lastDay;
        }
        return `${year}-${pad(month)}-01` > this.today;
    }

    _shiftMonth(step) {
        if (!this.query || !this._canGo(this.year, this.month, step)) {
            return;
        }
        let [year, month] = [this.year, this.month + step];
        if (month === 0) {
            [year, month] = [year - 1, 12];
        } else if (month === 13) {
            [year, month] = [year + 1, 1];
        }
        return this._loadMonth(year, month, false);
    }

    async _loadMonth(year, month, advanceWhenEmpty, preferredDay = null) {
        const sequence = ++this.sequence;
        this._toggle(".o_sb_month_loading", true);
        this._toggle(".o_sb_month_empty", false);
        let days;
        try {
            days = await this._fetchMonth(year, month);
        } catch (error) {
            if (sequence === this.sequence) {
                this._toggle(".o_sb_month_loading", false);
                this.onError(refusalOf(error));
            }
            return;
        }
        if (sequence !== this.sequence) {
            return; // the visitor asked for something else meanwhile
        }
        const freeDays = Object.keys(days).sort();
        if (!freeDays.length && advanceWhenEmpty && this._canGo(year, month, 1)) {
            return this._loadMonth(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, true);
        }
        this._toggle(".o_sb_month_loading", false);
        this.year = year;
        this.month = month;
        this.days = days;
        this._renderMonth();
        this._toggle(".o_sb_month_empty", !freeDays.length);
        if (freeDays.length) {
            await this.selectDay(freeDays.includes(preferredDay) ? preferredDay : freeDays[0]);
        } else {
            this.selectedDay = null;
            this._renderSlots([]);
            this.el.querySelector(".o_sb_day_label").textContent = "";
            this._toggle(".o_sb_slots_empty", false);
        }
    }

    _renderMonth() {
        const label = new Intl.DateTimeFormat(this.locale, {
            month: "long",
            year: "numeric",
            timeZone: "UTC",
        }).format(new Date(Date.UTC(this.year, this.month - 1, 1)));
        this.el.querySelector(".o_sb_month_label").textContent = label;
        this.prevButton.disabled = !this._canGo(this.year, this.month, -1);
        this.nextButton.disabled = !this._canGo(this.year, this.month, 1);
        const grid = this.el.querySelector(".o_sb_month_grid");
        grid.replaceChildren();
        const weekday = new Intl.DateTimeFormat(this.locale, { weekday: "narrow", timeZone: "UTC" });
        // 2024-01-01 was a Monday: weeks start on Monday
        for (let index = 0; index < 7; index++) {
            const head = document.createElement("div");
            head.className = "o_sb_weekday small text-muted text-center";
            head.setAttribute("role", "columnheader");
            head.textContent = weekday.format(new Date(Date.UTC(2024, 0, 1 + index)));
            grid.appendChild(head);
        }
        const first = new Date(Date.UTC(this.year, this.month - 1, 1));
        const blanks = (first.getUTCDay() + 6) % 7;
        for (let index = 0; index < blanks; index++) {
            grid.appendChild(document.createElement("span"));
        }
        const length = new Date(Date.UTC(this.year, this.month, 0)).getUTCDate();
        const dayLabel = new Intl.DateTimeFormat(this.locale, { dateStyle: "full", timeZone: "UTC" });
        for (let day = 1; day <= length; day++) {
            const date = `${this.year}-${pad(this.month)}-${pad(day)}`;
            const button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-sm o_sb_day";
            button.dataset.date = date;
            button.textContent = String(day);
            button.setAttribute("aria-label", dayLabel.format(new Date(`${date}T00:00:00Z`)));
            const free = Boolean(this.days[date] && this.days[date].length);
            button.disabled = !free;
            button.classList.toggle("o_sb_day_free", free);
            button.classList.toggle("o_sb_day_today", date === this.today);
            grid.appendChild(button);
        }
    }

    async selectDay(date) {
        this.selectedDay = date;
        for (const button of this.el.querySelectorAll(".o_sb_day")) {
            const selected = button.dataset.date === date;
            button.classList.toggle("active", selected);
            button.setAttribute("aria-pressed", selected ? "true" : "false");
        }
        this.el.querySelector(".o_sb_day_label").textContent = formatDay(date, this.locale);
        this._toggle(".o_sb_slots_empty", false);
        const sequence = ++this.sequence;
        const slotsEl = this.el.querySelector(".o_sb_slots");
        slotsEl.classList.add("o_sb_loading");
        let slots;
        try {
            const result = await rpc(
                "/smartbook/slots",
                this._params({ date_from: date, date_to: addDays(date, 1) })
            );
            slots = result.slots || [];
        } catch (error) {
            if (sequence === this.sequence) {
                slotsEl.classList.remove("o_sb_loading");
                this.onError(refusalOf(error));
            }
            return;
        }
        if (sequence !== this.sequence) {
            return;
        }
        slotsEl.classList.remove("o_sb_loading");
        this._renderSlots(slots);
        this._toggle(".o_sb_slots_empty", !this.slots.length);
    }

    _renderSlots(slots) {
        // Any specialist: one button per time (the first specialist free then).
        const seen = new Set();
        this.slots = slots.filter((slot) => {
            const key = slot.session_id ? `s${slot.session_id}` : slot.start;
            if (seen.has(key)) {
                return false;
            }
            seen.add(key);
            return true;
        });
        const slotsEl = this.el.querySelector(".o_sb_slots");
        slotsEl.replaceChildren();
        slotsEl.classList.toggle(
            "o_sb_slots_group",
            this.slots.some((slot) => slot.seats_left !== null && slot.seats_left !== undefined)
        );
        this.slots.forEach((slot, index) => {
            const button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-outline-primary o_sb_slot";
            button.dataset.index = String(index);
            button.dataset.start = slot.start;
            const time = document.createElement("span");
            time.className = "o_sb_slot_time";
            time.textContent = timeOf(slot.start);
            button.appendChild(time);
            if (slot.seats_left !== null && slot.seats_left !== undefined) {
                const seats = document.createElement("small");
                seats.className = "d-block o_sb_slot_seats";
                seats.textContent =
                    slot.seats_left === 1 ? _t("1 seat left") : _t("%s seats left", slot.seats_left);
                button.appendChild(seats);
            }
            slotsEl.appendChild(button);
        });
    }

    _chooseSlot(index, button) {
        const slot = this.slots[index];
        if (!slot) {
            return;
        }
        for (const other of this.el.querySelectorAll(".o_sb_slot")) {
            other.classList.toggle("active", other === button);
        }
        this.onSlot(slot, formatDay(this.selectedDay, this.locale));
    }

    _toggle(selector, shown) {
        const el = this.el.querySelector(selector);
        if (el) {
            el.classList.toggle("d-none", !shown);
        }
    }
}
