// Lists the next meetings of a nogentech feed server, read from its /meetings.json.
//
// The page's address may give ?api=<server address>, ?lang=fr|en and ?n=<how many>;
// otherwise the server is the one named in <meta name="nogentech-api">, the language
// the browser's, and five meetings are shown. Dates and times are written by the
// browser (Intl.DateTimeFormat) in the reader's language, in each meeting's own zone.
// Every text goes through textContent: nothing from the data is read as HTML.

const WORDS = {
  fr: {
    title: "Prochaines rencontres",
    loading: "Chargement…",
    none: "Aucune rencontre prévue.",
    failed: "Les rencontres n’ont pas pu être lues",
    speakers: "Intervenants : ",
    testimonies: "Témoignages : ",
    venue: "Lieu : ",
    cancelled: "Annulée",
    add: "Ajouter à mon agenda",
    shown: (n) => `${n} rencontre${n > 1 ? "s" : ""} à venir.`,
  },
  en: {
    title: "Upcoming meetings",
    loading: "Loading…",
    none: "No meeting is planned.",
    failed: "The meetings could not be read",
    speakers: "Speakers: ",
    testimonies: "Testimonies: ",
    venue: "Venue: ",
    cancelled: "Cancelled",
    add: "Add to my calendar",
    shown: (n) => `${n} upcoming meeting${n > 1 ? "s" : ""}.`,
  },
};

function settings() {
  const query = new URLSearchParams(window.location.search);
  const meta = document.querySelector('meta[name="nogentech-api"]');
  const api = (query.get("api") || (meta && meta.content) || "").replace(/\/+$/, "");
  const browser = (navigator.language || "fr").slice(0, 2);
  const lang = ["fr", "en"].includes(query.get("lang")) ? query.get("lang")
    : (["fr", "en"].includes(browser) ? browser : "fr");
  const n = Math.max(1, Math.min(50, parseInt(query.get("n") || "5", 10) || 5));
  return { api, lang, n };
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function when(meeting, lang) {
  const start = new Date(meeting.start);
  const end = new Date(meeting.end);
  const zone = { timeZone: meeting.timezone };
  if (meeting.all_day) {
    return new Intl.DateTimeFormat(lang, { dateStyle: "full", ...zone }).format(start);
  }
  const day = new Intl.DateTimeFormat(lang, { dateStyle: "full", ...zone }).format(start);
  const time = new Intl.DateTimeFormat(lang, { timeStyle: "short", ...zone });
  return `${day}, ${time.format(start)}–${time.format(end)}`;
}

function card(meeting, api, lang) {
  const words = WORDS[lang];
  const item = element("li", undefined, "meeting");
  item.id = `meeting-${meeting.id}`;
  const heading = element("h2");
  const time = element("time", when(meeting, lang));
  time.dateTime = meeting.start;
  heading.append(time);
  item.append(heading);
  if (meeting.status === "cancelled") item.append(element("p", words.cancelled, "cancelled"));
  const title = element("p");
  title.append(element("strong", meeting.topic || meeting.title));
  if (meeting.topic) title.append(element("br"), meeting.title);
  item.append(title);
  for (const key of ["speakers", "testimonies"]) {
    if (meeting[key].length) {
      item.append(element("p", words[key] + meeting[key].map((w) => w.name).join(", ")));
    }
  }
  if (meeting.venue) {
    const place = meeting.venue.place ? `, ${meeting.venue.place.name}` : "";
    item.append(element("p", words.venue + meeting.venue.name + place, "venue"));
  }
  const link = element("a", words.add, "add");
  link.href = `${api}/meetings/${meeting.id}.ics?lang=${lang}`;
  const label = `${words.add} — ${meeting.topic || meeting.title}, ${when(meeting, lang)}`;
  link.setAttribute("aria-label", label);
  item.append(link);
  return item;
}

async function show() {
  const { api, lang, n } = settings();
  const words = WORDS[lang];
  document.documentElement.lang = lang;
  document.title = words.title;
  document.getElementById("title").textContent = words.title;
  const status = document.getElementById("status");
  status.textContent = words.loading;
  try {
    const response = await fetch(`${api}/meetings.json?lang=${lang}`);
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    const doc = await response.json();
    if (doc.schema_version !== 1) throw new Error(`schema_version ${doc.schema_version}`);
    // The window starts today: leave out what is already over.
    const now = Date.now();
    const shown = doc.meetings.filter((m) => new Date(m.end).getTime() > now).slice(0, n);
    const list = document.getElementById("meetings");
    list.replaceChildren(...shown.map((m) => card(m, api, lang)));
    status.textContent = shown.length ? words.shown(shown.length) : words.none;
    status.dataset.state = "done";
  } catch (error) {
    status.textContent = `${words.failed} (${error.message}).`;
    status.dataset.state = "failed";
  }
}

show();
