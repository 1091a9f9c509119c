// The vCards Mozilla ical.js (Thunderbird's address book) reads in files.
//
//   node ical-cards.mjs FILE...
//
// Prints, as JSON, one list per file, one entry per card: its properties in order,
// each as [name, values], the values as ical.js's getValues() gives them (a
// structured value as a list of its parts, a part with several values as a list),
// date-times as their ISO text.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function plain(value) {
  if (Array.isArray(value)) {
    return value.map(plain);
  }
  if (value !== null && typeof value === "object") {
    return value.toString();
  }
  return value;
}

function cards(file) {
  let parsed = ICAL.parse(readFileSync(file, "utf8"));
  if (parsed.length > 0 && typeof parsed[0] === "string") {
    parsed = [parsed]; // one card
  }
  return parsed.map((jcard) =>
    new ICAL.Component(jcard)
      .getAllProperties()
      .map((prop) => [prop.name, plain(prop.getValues())]),
  );
}

process.stdout.write(JSON.stringify(process.argv.slice(2).map(cards)));
