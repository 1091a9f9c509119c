// The occurrences Mozilla ical.js (Thunderbird's engine) reads in an iCalendar file.
//
//   node ical-events.mjs FILE FROM TO
//
// FROM and TO are UTC instants (2024-01-01T00:00:00Z). Each series is expanded the
// way Thunderbird does it: an ICAL.Event with its RECURRENCE-ID exceptions related
// to it, iterated from DTSTART; every VEVENT's VTIMEZONE is registered first.
// Prints a JSON list of {uid, start, end, allDay, summary, description, location,
// status} for the occurrences starting in [FROM, TO); a timed start or end is a UTC
// instant, an all-day one its date. `orphans` lists the RECURRENCE-ID exceptions
// that match no occurrence of their series.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file, fromText, toText] = process.argv.slice(2);
const from = Date.parse(fromText);
const to = Date.parse(toText);
const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}

function when(time) {
  if (time.isDate) {
    return time.toString();
  }
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function text(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value === null ? null : String(value);
}

function occurrence(item, start, end) {
  return {
    uid: item.uid,
    start: when(start),
    end: when(end),
    allDay: start.isDate,
    summary: text(item.component, "summary"),
    description: text(item.component, "description"),
    location: text(item.component, "location"),
    status: text(item.component, "status"),
  };
}

function starts(time) {
  return time.isDate ? Date.parse(time.toString() + "T00:00:00Z") : time.toUnixTime() * 1000;
}

const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  if (vevent.hasProperty("recurrence-id")) {
    exceptions.push(vevent);
  } else {
    masters.set(vevent.getFirstPropertyValue("uid"), new ICAL.Event(vevent));
  }
}
const used = new Set();
const orphans = [];
for (const vevent of exceptions) {
  const master = masters.get(vevent.getFirstPropertyValue("uid"));
  if (master === undefined) {
    orphans.push(vevent.getFirstPropertyValue("uid"));
    continue;
  }
  master.relateException(vevent);
}

const out = [];
// A moved exception may start far from its RECURRENCE-ID: the rule is run from
// DTSTART to a year past the window, and the start after the move decides.
const margin = 366 * 24 * 3600 * 1000;
for (const event of masters.values()) {
  if (!event.isRecurring()) {
    if (from <= starts(event.startDate) && starts(event.startDate) < to) {
      out.push(occurrence(event, event.startDate, event.endDate));
    }
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    if (starts(next) >= to + margin) {
      break;
    }
    const details = event.getOccurrenceDetails(next);
    if (details.item !== event) {
      used.add(details.item.component);
    }
    const start = starts(details.startDate);
    if (from <= start && start < to) {
      out.push(occurrence(details.item, details.startDate, details.endDate));
    }
  }
}
for (const vevent of exceptions) {
  if (!used.has(vevent) && masters.has(vevent.getFirstPropertyValue("uid"))) {
    const id = vevent.getFirstPropertyValue("recurrence-id");
    orphans.push(`${vevent.getFirstPropertyValue("uid")} ${when(id)}`);
  }
}
process.stdout.write(JSON.stringify({ occurrences: out, orphans }));
