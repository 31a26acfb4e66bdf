/** @odoo-module **/

import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { _t } from "@web/core/l10n/translation";
import { deserializeDateTime, is24HourFormat, serializeDateTime } from "@web/core/l10n/dates";
import { localization } from "@web/core/l10n/localization";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { FormViewDialog } from "@web/views/view_dialogs/form_view_dialog";

const { DateTime } = luxon;

// Height of one hour on the board: a 15-minute booking is 16px, one readable line.
export const HOUR_HEIGHT = 64;
const PX_PER_MINUTE = HOUR_HEIGHT / 60;
// Clicks on free time book on a half-hour grid; drops snap to a quarter of an hour.
const CELL_MINUTES = 30;
const SNAP_MINUTES = 15;
// Hours shown when nobody works on the days shown.
const DEFAULT_FIRST_HOUR = 8;
const DEFAULT_LAST_HOUR = 21;
const PHONE_QUERY = "(max-width: 768px)";
// A pointer moving less than this is a click, not a drag.
const DRAG_THRESHOLD = 4;

const STATE_LABELS = {
    draft: _t("Draft"),
    confirmed: _t("Confirmed"),
    done: _t("Done"),
    no_show: _t("No-show"),
    cancelled: _t("Cancelled"),
};

/**
 * Lays out overlapping blocks of a column side by side: each block gets a lane
 * and the number of lanes of its group of overlapping blocks.
 */
function layoutLanes(blocks) {
    const sorted = [...blocks].sort((a, b) => a.start - b.start || b.stop - a.stop);
    let group = [];
    let groupEnd = null;
    const closeGroup = () => {
        const lanes = Math.max(1, ...group.map((block) => block.lane + 1));
        for (const block of group) {
            block.lanes = lanes;
        }
        group = [];
    };
    const laneEnds = [];
    for (const block of sorted) {
        if (groupEnd !== null && block.start >= groupEnd) {
            closeGroup();
            laneEnds.length = 0;
            groupEnd = null;
        }
        let lane = laneEnds.findIndex((end) => end <= block.start);
        if (lane === -1) {
            lane = laneEnds.length;
        }
        laneEnds[lane] = block.stop;
        block.lane = lane;
        group.push(block);
        groupEnd = groupEnd === null ? block.stop : DateTime.max(groupEnd, block.stop);
    }
    closeGroup();
    return sorted;
}

export class ScheduleBoard extends Component {
    static template = "smartbook_booking.ScheduleBoard";
    static components = { DateTimeInput };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.dialog = useService("dialog");
        this.notification = useService("notification");
        this.tz = user.tz || luxon.Settings.defaultZone.name;
        this.timeFormat = is24HourFormat() ? "HH:mm" : "h:mm a";
        this.hourHeight = HOUR_HEIGHT;
        this.stateLabels = STATE_LABELS;
        this.phoneQuery = window.matchMedia(PHONE_QUERY);
        this.state = useState({
            mode: "day",
            date: this.today(),
            employeeId: null,
            showCancelled: false,
            isPhone: this.phoneQuery.matches,
            data: null,
            drag: null,
        });
        this.loadToken = 0;
        // Bumped when bookings move in place: the hour range is computed again.
        this.dataVersion = 0;
        this.onMediaChange = (ev) => (this.state.isPhone = ev.matches);
        this.phoneQuery.addEventListener("change", this.onMediaChange);
        this.onPointerMove = this.onPointerMove.bind(this);
        this.onPointerUp = this.onPointerUp.bind(this);
        onWillStart(() => this.load());
        onWillUnmount(() => {
            this.phoneQuery.removeEventListener("change", this.onMediaChange);
            this.stopListening();
        });
    }

    // ------------------------------------------------------------------ dates

    today() {
        return DateTime.now().setZone(this.tz).startOf("day");
    }

    get weekStart() {
        // localization.weekStart: 1 = Monday ... 7 = Sunday, as luxon's weekday
        const first = localization.weekStart || 1;
        const date = this.state.date;
        return date.minus({ days: (date.weekday - first + 7) % 7 }).startOf("day");
    }

    get windowStart() {
        return this.state.mode === "week" ? this.weekStart : this.state.date;
    }

    get windowDays() {
        return this.state.mode === "week" ? 7 : 1;
    }

    get title() {
        if (this.state.mode === "week") {
            const first = this.weekStart;
            const last = first.plus({ days: 6 });
            return `${first.toFormat("d MMM")} – ${last.toFormat("d MMM yyyy")}`;
        }
        return this.state.date.toFormat("cccc d MMMM yyyy");
    }

    get previousLabel() {
        return this.state.mode === "week" ? _t("Previous week") : _t("Previous day");
    }

    get nextLabel() {
        return this.state.mode === "week" ? _t("Next week") : _t("Next day");
    }

    get isToday() {
        return this.state.date.hasSame(this.today(), "day");
    }

    formatTime(moment) {
        return moment.setZone(this.tz).toFormat(this.timeFormat);
    }

    /** Day and time, for what may span several days (a vacation). */
    formatMoment(moment) {
        return `${moment.setZone(this.tz).toFormat("d MMM")} ${this.formatTime(moment)}`;
    }

    parse(value) {
        return deserializeDateTime(value, { tz: this.tz });
    }

    // ------------------------------------------------------------------ data

    async load() {
        const token = ++this.loadToken;
        const start = this.windowStart;
        const stop = start.plus({ days: this.windowDays });
        const data = await this.orm.call("smartbook.booking", "smartbook_board_data", [
            serializeDateTime(start),
            serializeDateTime(stop),
        ]);
        if (token !== this.loadToken) {
            return;
        }
        for (const employee of data.employees) {
            employee.work = employee.work.map(([s, e]) => ({ start: this.parse(s), stop: this.parse(e) }));
            employee.leaves = employee.leaves.map(([s, e]) => ({ start: this.parse(s), stop: this.parse(e) }));
        }
        for (const record of [...data.sessions, ...data.bookings]) {
            record.start = this.parse(record.start);
            record.stop = this.parse(record.stop);
        }
        const ids = data.employees.map((employee) => employee.id);
        if (!ids.includes(this.state.employeeId)) {
            this.state.employeeId = ids[0] || null;
        }
        this.state.data = data;
    }

    setDate(date) {
        if (date) {
            this.state.date = DateTime.fromObject(
                { year: date.year, month: date.month, day: date.day },
                { zone: this.tz }
            );
            this.load();
        }
    }

    onPrevious() {
        this.setDate(this.state.date.minus({ days: this.windowDays }));
    }

    onNext() {
        this.setDate(this.state.date.plus({ days: this.windowDays }));
    }

    onToday() {
        this.setDate(this.today());
    }

    setMode(mode) {
        if (this.state.mode !== mode) {
            this.state.mode = mode;
            this.load();
        }
    }

    selectEmployee(employeeId) {
        this.state.employeeId = employeeId;
    }

    openEmployeeWeek(employeeId) {
        this.state.employeeId = employeeId;
        this.setMode("week");
    }

    openDay(date) {
        this.state.mode = "day";
        this.setDate(date);
    }

    toggleCancelled() {
        this.state.showCancelled = !this.state.showCancelled;
    }

    // ------------------------------------------------------------------ layout

    get employees() {
        return this.state.data ? this.state.data.employees : [];
    }

    get selectedEmployee() {
        return this.employees.find((employee) => employee.id === this.state.employeeId);
    }

    get showSwitcher() {
        return this.employees.length > 1 && (this.state.isPhone || this.state.mode === "week");
    }

    /** One column per specialist (day) or per day of one specialist (week). */
    get columns() {
        if (this.state.mode === "week") {
            const employee = this.selectedEmployee;
            if (!employee) {
                return [];
            }
            const today = this.today();
            return [...Array(7).keys()].map((offset) => {
                const day = this.weekStart.plus({ days: offset });
                return {
                    key: `${employee.id}-${day.toISODate()}`,
                    day,
                    employee,
                    title: day.toFormat("ccc d"),
                    subtitle: day.toFormat("MMMM"),
                    isToday: day.hasSame(today, "day"),
                };
            });
        }
        const shown = this.state.isPhone ? [this.selectedEmployee].filter(Boolean) : this.employees;
        return shown.map((employee) => ({
            key: `${employee.id}-${this.state.date.toISODate()}`,
            day: this.state.date,
            employee,
            title: employee.name,
            subtitle: employee.job_title,
            avatar: employee.avatar_url,
        }));
    }

    /** Hours shown: from the earliest start to the latest end of work (or of what
     * is booked), computed once per state of the board (every block asks for it). */
    get hourRange() {
        const { data, mode, date, showCancelled, isPhone, employeeId } = this.state;
        const key = [data, mode, date.toISODate(), showCancelled, isPhone, employeeId, this.dataVersion];
        if (!this.rangeCache || this.rangeCache.key.some((part, index) => part !== key[index])) {
            this.rangeCache = { key, value: this.computeHourRange() };
        }
        return this.rangeCache.value;
    }

    computeHourRange() {
        const columns = this.columns;
        let first = null;
        let last = null;
        const extend = (day, start, stop) => {
            const dayEnd = day.plus({ days: 1 });
            if (stop <= day || start >= dayEnd) {
                return;
            }
            const from = DateTime.max(start, day).diff(day, "hours").hours;
            const to = DateTime.min(stop, dayEnd).diff(day, "hours").hours;
            first = first === null ? from : Math.min(first, from);
            last = last === null ? to : Math.max(last, to);
        };
        for (const column of columns) {
            for (const interval of column.employee.work) {
                extend(column.day, interval.start, interval.stop);
            }
            for (const record of this.columnRecords(column)) {
                extend(column.day, record.start, record.stop);
            }
        }
        if (first === null) {
            return [DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR];
        }
        first = Math.max(0, Math.floor(first));
        last = Math.min(24, Math.ceil(last));
        return [first, Math.max(last, first + 1)];
    }

    get hours() {
        const [first, last] = this.hourRange;
        const day = this.state.date;
        return [...Array(last - first).keys()].map((index) => ({
            hour: first + index,
            label: this.formatTime(day.set({ hour: first + index })),
        }));
    }

    get gridHeight() {
        const [first, last] = this.hourRange;
        return (last - first) * HOUR_HEIGHT;
    }

    /** The column's time at the top of the grid. */
    columnOrigin(column) {
        // Wall-clock hours: right on the days clocks change too.
        return column.day.set({ hour: this.hourRange[0] });
    }

    /** The column's time at the bottom of the grid. */
    columnEnd(column) {
        const last = this.hourRange[1];
        return last === 24 ? column.day.plus({ days: 1 }) : column.day.set({ hour: last });
    }

    position(column, start, stop) {
        const origin = this.columnOrigin(column);
        const top = Math.max(0, start.diff(origin, "minutes").minutes * PX_PER_MINUTE);
        const bottom = Math.min(this.gridHeight, stop.diff(origin, "minutes").minutes * PX_PER_MINUTE);
        return { top, height: bottom - top };
    }

    style({ top, height }, lane = 0, lanes = 1) {
        const width = 100 / lanes;
        return `top: ${top}px; height: ${height}px; left: calc(${lane * width}% + 1px); width: calc(${width}% - 3px);`;
    }

    inColumn(column, record) {
        return record.start < this.columnEnd(column) && record.stop > this.columnOrigin(column);
    }

    columnRecords(column) {
        const data = this.state.data;
        const employeeId = column.employee.id;
        const dayEnd = column.day.plus({ days: 1 });
        return [...data.sessions, ...data.bookings].filter(
            (record) =>
                record.employee_id === employeeId &&
                record.start < dayEnd &&
                record.stop > column.day &&
                (record.state !== "cancelled" || this.state.showCancelled)
        );
    }

    workBlocks(column) {
        return column.employee.work
            .filter((interval) => this.inColumn(column, interval))
            .map((interval) => this.style(this.position(column, interval.start, interval.stop)));
    }

    leaveBlocks(column) {
        return column.employee.leaves
            .filter((interval) => this.inColumn(column, interval))
            .map((interval) => ({
                style: this.style(this.position(column, interval.start, interval.stop)),
                title: `${_t("Time off")}: ${this.formatMoment(interval.start)} – ${this.formatMoment(interval.stop)}`,
            }));
    }

    /** The current time across today's column. */
    nowLine(column) {
        const now = DateTime.now().setZone(this.tz);
        if (!now.hasSame(column.day, "day")) {
            return null;
        }
        const top = now.diff(this.columnOrigin(column), "minutes").minutes * PX_PER_MINUTE;
        return top >= 0 && top <= this.gridHeight ? `top: ${top}px;` : null;
    }

    cells(column) {
        const origin = this.columnOrigin(column);
        const count = (this.gridHeight / HOUR_HEIGHT) * (60 / CELL_MINUTES);
        return [...Array(count).keys()].map((index) => {
            const start = origin.plus({ minutes: index * CELL_MINUTES });
            return {
                key: index,
                start,
                time: start.toFormat("HH:mm"),
                label: this.formatTime(start),
                style: `top: ${index * CELL_MINUTES * PX_PER_MINUTE}px; height: ${CELL_MINUTES * PX_PER_MINUTE}px;`,
            };
        });
    }

    blocks(column) {
        const drag = this.state.drag;
        const records = this.columnRecords(column).filter((record) => this.inColumn(column, record));
        const blocks = records.map((record) => ({
            record,
            start: record.start,
            stop: record.stop,
            isSession: "capacity" in record,
        }));
        for (const block of layoutLanes(blocks)) {
            const { record } = block;
            const position = this.position(column, record.start, record.stop);
            block.key = `${block.isSession ? "s" : "b"}${record.id}`;
            block.style = this.style(position, block.lane, block.lanes);
            block.short = position.height < 34;
            block.time = `${this.formatTime(record.start)} – ${this.formatTime(record.stop)}`;
            block.dragged = Boolean(drag && drag.moved && !block.isSession && drag.bookingId === record.id);
            if (block.isSession) {
                block.title = `${block.time} ${record.name} (${record.seats_taken}/${record.capacity})`;
            } else {
                block.title = `${block.time} ${record.client} · ${record.service} (${STATE_LABELS[record.state]})`;
            }
        }
        return blocks;
    }

    /** Where the dragged booking would land, drawn in the column under the pointer. */
    ghost(column) {
        const drag = this.state.drag;
        if (!drag || !drag.moved || drag.targetKey !== column.key) {
            return null;
        }
        const { start, stop } = this.dropTimes(drag, column);
        return {
            style: this.style(this.position(column, start, stop)),
            label: `${this.formatTime(start)} – ${this.formatTime(stop)} · ${drag.booking.client}`,
            state: drag.booking.state,
        };
    }

    // ------------------------------------------------------------------ records

    openBooking(bookingId) {
        this.dialog.add(
            FormViewDialog,
            {
                resModel: "smartbook.booking",
                resId: bookingId,
                title: _t("Booking"),
                onRecordSaved: () => this.load(),
            },
            { onClose: () => this.load() }
        );
    }

    onCellClick(column, cell) {
        if (this.justDragged) {
            return;
        }
        this.dialog.add(
            FormViewDialog,
            {
                resModel: "smartbook.booking",
                title: _t("New Booking"),
                context: {
                    default_employee_id: column.employee.id,
                    default_start: serializeDateTime(cell.start),
                    default_channel: "backoffice",
                },
                onRecordSaved: () => this.load(),
            },
            { onClose: () => this.load() }
        );
    }

    onBlockClick(block) {
        if (this.justDragged) {
            return;
        }
        if (block.isSession) {
            this.dialog.add(FormViewDialog, {
                resModel: "smartbook.session",
                resId: block.record.id,
                title: _t("Group Session"),
                onRecordSaved: () => this.load(),
            });
        } else {
            this.openBooking(block.record.id);
        }
    }

    // ------------------------------------------------------------------ drag and drop

    canDrag(block) {
        // On a phone a finger on a booking scrolls the day; moves are made in the form.
        return (
            !this.state.isPhone && !block.isSession && ["draft", "confirmed"].includes(block.record.state)
        );
    }

    onBlockPointerDown(ev, column, block) {
        if (ev.button !== 0 || !this.canDrag(block)) {
            return;
        }
        this.state.drag = {
            bookingId: block.record.id,
            booking: block.record,
            originKey: column.key,
            originDay: column.day,
            targetKey: column.key,
            startX: ev.clientX,
            startY: ev.clientY,
            deltaY: 0,
            moved: false,
        };
        this.justDragged = false;
        window.addEventListener("pointermove", this.onPointerMove);
        window.addEventListener("pointerup", this.onPointerUp);
    }

    stopListening() {
        window.removeEventListener("pointermove", this.onPointerMove);
        window.removeEventListener("pointerup", this.onPointerUp);
    }

    columnUnder(ev) {
        const element = ev.target.closest && ev.target.closest(".o_sb_column[data-column-key]");
        const key = element && element.dataset.columnKey;
        return this.columns.find((column) => column.key === key);
    }

    onPointerMove(ev) {
        const drag = this.state.drag;
        if (!drag) {
            return;
        }
        const deltaY = ev.clientY - drag.startY;
        if (!drag.moved && Math.hypot(ev.clientX - drag.startX, deltaY) < DRAG_THRESHOLD) {
            return;
        }
        drag.moved = true;
        drag.deltaY = deltaY;
        const column = this.columnUnder(ev);
        if (column) {
            drag.targetKey = column.key;
        }
    }

    /** The booking's new start and stop if dropped in ``column``: same time of day
     * shifted by the pointer's move, snapped to a quarter of an hour. */
    dropTimes(drag, column) {
        const booking = drag.booking;
        const minutes = Math.round(drag.deltaY / PX_PER_MINUTE / SNAP_MINUTES) * SNAP_MINUTES;
        const offset = booking.start.diff(drag.originDay, "minutes").minutes;
        const start = column.day.plus({ minutes: offset + minutes });
        return { start, stop: start.plus(booking.stop.diff(booking.start)) };
    }

    async onPointerUp(ev) {
        const drag = this.state.drag;
        this.stopListening();
        if (!drag) {
            return;
        }
        if (!drag.moved) {
            this.state.drag = null;
            return;
        }
        drag.deltaY = ev.clientY - drag.startY;
        const column = this.columnUnder(ev) || this.columns.find((c) => c.key === drag.targetKey);
        // The click that may follow the drop is not a click on the board.
        this.justDragged = true;
        setTimeout(() => (this.justDragged = false), 0);
        if (!column) {
            this.state.drag = null;
            return;
        }
        const { start, stop } = this.dropTimes(drag, column);
        const booking = drag.booking;
        const employeeId = column.employee.id;
        this.state.drag = null;
        if (+start === +booking.start && employeeId === booking.employee_id) {
            return;
        }
        await this.moveBooking(booking, start, stop, employeeId);
    }

    async moveBooking(booking, start, stop, employeeId) {
        const previous = { start: booking.start, stop: booking.stop, employee_id: booking.employee_id };
        // Show it where it was dropped while the server decides.
        const record = this.state.data.bookings.find((b) => b.id === booking.id);
        Object.assign(record, { start, stop, employee_id: employeeId });
        this.dataVersion++;
        try {
            await this.orm.write("smartbook.booking", [booking.id], {
                start: serializeDateTime(start),
                stop: serializeDateTime(stop),
                employee_id: employeeId,
            });
            this.notification.add(_t("Booking moved to %(time)s.", { time: this.formatTime(start) }), {
                type: "success",
            });
        } catch (error) {
            Object.assign(record, previous);
            this.dataVersion++;
            const message = error.data?.message || error.message || String(error);
            this.notification.add(message, {
                title: _t("The booking was not moved"),
                type: "danger",
                className: "o_sb_move_refused",
            });
        }
        await this.load();
    }
}

registry.category("actions").add("smartbook_booking.schedule_board", ScheduleBoard);
