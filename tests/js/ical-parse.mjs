// Prints, as one JSON array, what Mozilla ical.js's ICAL.parse makes of each file
// named on the command line (iCalendar or vCard text): the jCal or jCard arrays.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const parsed = process.argv.slice(2).map((path) => ICAL.parse(readFileSync(path, "utf8")));
process.stdout.write(JSON.stringify(parsed));
