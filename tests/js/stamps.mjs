// Reads an iCalendar feed on standard input with Mozilla's ical.js (the engine of
// Thunderbird) and prints, as JSON, what a subscriber's client keeps of it: every
// VEVENT's UID, RECURRENCE-ID, SEQUENCE, DTSTAMP and LAST-MODIFIED, and every
// occurrence of every series expanded with its exceptions up to the date given as
// the first argument (YYYY-MM-DD), start and end as UTC instants (dates for all-day ones).
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const until = process.argv[2];
const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
// A date (an all-day event) stays a date; a time becomes a UTC instant.
const utc = (time) => (time ? (time.isDate ? time.toString() : time.toJSDate().toISOString()) : null);
const components = [];
const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  components.push({
    uid: event.uid,
    recurrence_id: utc(event.recurrenceId),
    sequence: event.sequence,
    dtstamp: utc(vevent.getFirstPropertyValue("dtstamp")),
    last_modified: utc(vevent.getFirstPropertyValue("last-modified")),
    summary: event.summary,
  });
  if (event.isRecurrenceException()) exceptions.push(vevent);
  else masters.set(event.uid, event);
}
for (const vevent of exceptions) {
  const master = masters.get(vevent.getFirstPropertyValue("uid"));
  if (master) master.relateException(vevent);
}
const end = ICAL.Time.fromDateString(until);
const occurrences = [];
for (const event of masters.values()) {
  const it = event.iterator();
  for (let next = it.next(); next && next.compare(end) < 0; next = it.next()) {
    const details = event.getOccurrenceDetails(next);
    occurrences.push({
      uid: event.uid,
      start: utc(details.startDate),
      end: utc(details.endDate),
      summary: details.item.summary,
      status: details.item.component.getFirstPropertyValue("status"),
      sequence: details.item.sequence,
    });
  }
}
process.stdout.write(JSON.stringify({ components, occurrences }));
