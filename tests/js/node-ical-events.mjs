// The occurrences node-ical (the engine of many web front-ends) reads in an iCalendar file.
//
//   node node-ical-events.mjs FILE FROM TO
//
// FROM and TO are UTC instants. A series is expanded with node-ical's own
// expandRecurringEvent (RRULE, EXDATE and its RECURRENCE-ID overrides); a VEVENT
// without RRULE is one occurrence. Prints the same JSON as ical-events.mjs: the
// occurrences starting in [FROM, TO), a timed start or end as a UTC instant, an
// all-day one as its date; `orphans` lists the overrides that replace no occurrence.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ical = require("node-ical");

const [file, fromText, toText] = process.argv.slice(2);
const from = new Date(fromText);
const to = new Date(toText);
const data = ical.sync.parseFile(file);

function pad(number) {
  return String(number).padStart(2, "0");
}

function when(date, allDay) {
  if (allDay) {
    // node-ical gives an all-day date as local midnight of the machine's zone
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }
  return date.toISOString().replace(".000Z", "Z");
}

function text(value) {
  if (value === undefined || value === null) {
    return null;
  }
  return typeof value === "object" && "val" in value ? String(value.val) : String(value);
}

function occurrence(event, start, end, allDay) {
  return {
    uid: event.uid,
    start: when(start, allDay),
    end: when(end, allDay),
    allDay,
    summary: text(event.summary),
    description: text(event.description),
    location: text(event.location),
    status: text(event.status),
  };
}

function starts(date, allDay) {
  return allDay ? Date.parse(when(date, true) + "T00:00:00Z") : date.getTime();
}

const out = [];
const orphans = [];
// A moved override may start far from its RECURRENCE-ID: the series is expanded a
// year either side of the window, the start after the move decides.
const margin = 366 * 24 * 3600 * 1000;
for (const event of Object.values(data)) {
  if (!event || event.type !== "VEVENT") {
    continue;
  }
  if (!event.rrule) {
    const allDay = event.datetype === "date";
    const start = starts(event.start, allDay);
    if (from.getTime() <= start && start < to.getTime()) {
      out.push(occurrence(event, event.start, event.end, allDay));
    }
    continue;
  }
  const instances = ical.expandRecurringEvent(event, {
    from: new Date(from.getTime() - margin),
    to: new Date(to.getTime() + margin),
  });
  const used = new Set();
  for (const instance of instances) {
    if (instance.isOverride) {
      used.add(instance.event);
    }
    const start = starts(instance.start, instance.isFullDay);
    if (from.getTime() <= start && start < to.getTime()) {
      out.push(occurrence(instance.event, instance.start, instance.end, instance.isFullDay));
    }
  }
  for (const [key, override] of Object.entries(event.recurrences || {})) {
    if (key.includes("T") && !used.has(override)) {
      orphans.push(`${event.uid} ${key}`);
    }
  }
}
process.stdout.write(JSON.stringify({ occurrences: out, orphans }));
