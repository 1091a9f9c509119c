"""The feed server's HTML index page: every feed with its subscription links.

Each calendar is offered in every variant its exporter supports (language,
sub-cluster, commission) with a ``webcal://`` link, an ``https://`` link, one-click
"add to" links for Google, Outlook, Microsoft 365 and Apple, and the address to
paste into Thunderbird. The links' scheme, host and path prefix come from
:func:`_base`: a fixed ``base_url`` or the headers of a trusted proxy. Otherwise
the page never repeats the request's ``Host``: its links are relative, and a small
inline script (allowed by the page's Content-Security-Policy, like its style)
builds the absolute ``webcal://`` and one-click links from the address the browser
itself used.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

    from ..cluster import Cluster
    from ..plugins import ExporterInfo, Option

_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


def _parse_base_url(url: str) -> tuple[str, str]:
    """``https://host[:port][/prefix]`` → (scheme, host and prefix); ValueError otherwise."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not _HOST.match(parts.netloc):
        raise ValueError(f"base_url must be http(s)://host[:port][/prefix] (got {url!r})")
    if parts.query or parts.fragment:
        raise ValueError(f"base_url must have no query or fragment (got {url!r})")
    return scheme, parts.netloc + quote(parts.path.rstrip("/"), safe="/%")


def _base(
    environ: WSGIEnvironment, *, base_url: tuple[str, str] | None, trust_proxy: bool
) -> tuple[str | None, str]:
    """(scheme, host and path prefix) of the URLs as the client sees them.

    ``base_url`` (parsed by :func:`_parse_base_url`) wins; behind a trusted proxy,
    ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` (else the ``Host`` the proxy
    passed on) with ``SCRIPT_NAME``. Otherwise the scheme is None and only the
    prefix is given: a ``Host`` header is the client's word, and a page cached
    with one client's host must not send others elsewhere.
    """
    if base_url is not None:
        return base_url
    prefix = str(environ.get("SCRIPT_NAME", "")).rstrip("/")
    try:
        prefix = quote(prefix.encode("latin-1"))
    except UnicodeEncodeError:
        prefix = quote(prefix)
    if not trust_proxy:
        return None, prefix
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    host = str(environ.get("HTTP_HOST", ""))
    proto = _first(environ.get("HTTP_X_FORWARDED_PROTO")).lower()
    scheme = proto if proto in ("http", "https") else scheme
    forwarded = _first(environ.get("HTTP_X_FORWARDED_HOST"))
    host = forwarded if _HOST.match(forwarded) else host
    if not _HOST.match(host):
        port = str(environ.get("SERVER_PORT", ""))
        default = {"http": "80", "https": "443"}.get(scheme)
        host = str(environ.get("SERVER_NAME", "localhost"))
        host += "" if port in ("", default) else f":{port}"
    return scheme, host + prefix


def _root(
    environ: WSGIEnvironment, *, base_url: tuple[str, str] | None, trust_proxy: bool
) -> tuple[str, str | None]:
    """What links start with, and the host and prefix for ``webcal://`` (None: unknown).

    ``("https://feeds.example.org/prefix", "feeds.example.org/prefix")`` when the
    address is known (see :func:`_base`), else ``("/prefix", None)``: links relative
    to the server, completed in the browser.
    """
    scheme, base = _base(environ, base_url=base_url, trust_proxy=trust_proxy)
    return (f"{scheme}://{base}", base) if scheme else (base, None)


_WORDS = {
    "fr": {
        "title": "Flux d'abonnement",
        "intro": "Abonnez-vous à un calendrier : il se mettra à jour tout seul.",
        "calendars": "Calendriers",
        "other": "Autres formats",
        "all": "Toutes les rencontres",
        "lang-fr": "en français",
        "lang-en": "en anglais",
        "add": "Ajouter à :",
        "paste": "Thunderbird (Nouvel agenda › Sur le réseau), adresse à coller :",
        "switch": "English",
        "format-json": "Tout le cluster en JSON, pour les applications et les sites.",
        "format-vcard": "Les organisations, les personnes et les groupes en vCard, "
        "à importer dans un carnet d’adresses.",
        "format-meetings-json": "Les rencontres d’une période en JSON, dates déjà calculées, "
        "pour les sites et les applications.",
        "format-meetings-atom": "Les prochaines rencontres en flux Atom, pour les lecteurs "
        "de flux.",
        "format-jcal": "Le calendrier en jCal (RFC 7265), le même flux en JSON.",
        "format-jcard": "Les fiches vCard en jCard (RFC 7095), en JSON.",
        "format-jsonld": "Le cluster, ses rencontres et ses événements en JSON-LD "
        "schema.org, pour les moteurs de recherche.",
    },
    "en": {
        "title": "Subscription feeds",
        "intro": "Subscribe to a calendar and it will keep itself up to date.",
        "calendars": "Calendars",
        "other": "Other formats",
        "all": "All meetings",
        "lang-fr": "in French",
        "lang-en": "in English",
        "add": "Add to:",
        "paste": "Thunderbird (New Calendar › On the Network), address to paste:",
        "switch": "Français",
        "format-json": "The whole cluster as JSON, for applications and web sites.",
        "format-vcard": "Organisations, people and groups as vCards, "
        "to import into an address book.",
        "format-meetings-json": "The meetings of a period as JSON, dates already worked out, "
        "for web sites and applications.",
        "format-meetings-atom": "The upcoming meetings as an Atom feed, for feed readers.",
        "format-jcal": "The calendar as jCal (RFC 7265), the same feed in JSON.",
        "format-jcard": "The vCards as jCard (RFC 7095), in JSON.",
        "format-jsonld": "The cluster, its meetings and events as schema.org JSON-LD, "
        "for search engines.",
    },
}
"""The page's words in each of its languages (the ``lang`` query parameter)."""
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}li{margin-bottom:1rem}code{word-break:break-all}"
)


def _variants(
    cluster: Cluster, options: Mapping[str, Option], lang: str
) -> list[tuple[str, dict[str, str]]]:
    """(label, query) of each calendar offered: one per language, sub-cluster and commission.

    A sub-cluster or commission is offered only when a meeting series or an event
    is linked to it (organised by it, or listing it), so that nobody subscribes to
    a calendar that can only be empty.
    """
    words = _WORDS[lang]
    linked: set[str] = set()
    for series in cluster.meeting_series:
        linked.update(series.sub_clusters, series.commissions, series.organisers)
    for event in cluster.events:
        linked.update(event.sub_clusters, event.commissions, event.organisers)
    choices = options["lang"].choices if "lang" in options else ()
    base = {"lang": lang} if lang in choices else {}
    out = [(f"{words['all']} ({words.get('lang-' + c, c)})", {"lang": c}) for c in choices]
    out = out or [(words["all"], {})]
    if "sub_cluster" in options:
        out += [
            (s.name, {**base, "sub_cluster": s.id}) for s in cluster.sub_clusters if s.id in linked
        ]
    if "commission" in options:
        out += [
            (c.name.get(lang), {**base, "commission": c.id})
            for c in cluster.commissions
            if c.id in linked
        ]
    return out


_SCRIPT = """(function () {
  var host = location.host, root = location.protocol + "//" + host;
  document.querySelectorAll("[data-feed]").forEach(function (item) {
    var path = item.getAttribute("data-feed");
    var url = root + path, webcal = "webcal://" + host + path;
    var query = "url=" + encodeURIComponent(url) + "&name=" +
      encodeURIComponent(item.getAttribute("data-name") || "");
    var links = {
      url: url, webcal: webcal,
      google: "https://calendar.google.com/calendar/r?cid=" + encodeURIComponent(webcal),
      outlook: "https://outlook.live.com/calendar/0/addfromweb?" + query,
      office: "https://outlook.office.com/calendar/0/addfromweb?" + query
    };
    item.querySelectorAll("[data-link]").forEach(function (node) {
      var value = links[node.getAttribute("data-link")];
      if (node.tagName === "A") { node.href = value; }
      if (node.hasAttribute("data-text")) { node.textContent = value; }
    });
    item.querySelectorAll("[hidden]").forEach(function (node) { node.hidden = false; });
  });
})();"""
"""Fills in the absolute links of a page served without a trusted address."""
_INLINE = re.compile(r"<(style|script)(\s[^>]*)?>(.*?)</\1>", re.S)


def _content_security_policy(page: str) -> str:
    """The page's Content-Security-Policy: nothing from anywhere, but its own inline
    style and script (by their SHA-256), so that injected markup could load or run nothing."""
    allowed: dict[str, set[str]] = {"style": set(), "script": set()}
    for tag, attributes, body in _INLINE.findall(page):
        if "src=" not in (attributes or ""):
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            allowed[tag].add(f"'sha256-{digest}'")
    parts = ["default-src 'none'"]
    parts += [f"{tag}-src {' '.join(sorted(found))}" for tag, found in allowed.items() if found]
    parts += ["base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]
    return "; ".join(parts)


def _links(url: str, webcal: str, title: str) -> dict[str, str]:
    """The absolute addresses of one calendar: its own two and the one-click ones."""
    query = urlencode({"url": url, "name": title})
    return {
        "url": url,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?" + query,
        "office": "https://outlook.office.com/calendar/0/addfromweb?" + query,
    }


def _anchor(kind: str, links: Mapping[str, str] | None, text: str | None = None) -> str:
    """A link to ``links[kind]`` (shown as ``text``, else as the address itself); without
    ``links``, an empty one that the page's script fills in."""
    e = html.escape
    if links is not None:
        return f'<a href="{e(links[kind])}">{e(text or links[kind])}</a>'
    return f'<a data-link="{kind}"{"" if text else " data-text"}>{e(text or "")}</a>'


def _address(path: str, links: Mapping[str, str] | None) -> str:
    """The https:// link itself: relative (and rewritten by the script) without ``links``."""
    if links is not None:
        return _anchor("url", links)
    e = html.escape
    return f'<a href="{e(path)}" data-link="url" data-text>{e(path)}</a>'


def _calendar_item(
    title: str, label: str, path: str, links: Mapping[str, str] | None, lang: str
) -> str:
    """One calendar's list item: its two addresses and the one-click subscription links.

    Without ``links`` the item carries its path, and the parts that need an absolute
    address stay hidden until the page's script has filled them in.
    """
    e = html.escape
    words = _WORDS[lang]
    head = "<li>" if links else f'<li data-feed="{e(path)}" data-name="{e(title)}">'
    hidden = "" if links else " hidden"
    code = e(links["url"]) if links else ""
    code_tag = "<code>" if links else '<code data-link="url" data-text>'
    return (
        f"{head}<strong>{e(label)}</strong><br>\n"
        f"<span{hidden}>{_anchor('webcal', links)}<br>\n</span>{_address(path, links)}<br>\n"
        f"<span{hidden}>{words['add']} {_anchor('google', links, 'Google')}"
        f" · {_anchor('outlook', links, 'Outlook')}"
        f" · {_anchor('office', links, 'Outlook (Microsoft 365)')}"
        f" · {_anchor('webcal', links, 'Apple')}<br>\n"
        f"{words['paste']} {code_tag}{code}</code></span></li>"
    )


def _page_html(
    cluster: Cluster,
    feeds: list[tuple[ExporterInfo, str]],
    root: str,
    host: str | None,
    lang: str,
    *,
    before: str = "",
    after: str = "",
    head: str = "",
    style: str = "",
) -> str:
    """The index page: every feed with its links, all text escaped, no external assets.

    ``root`` starts every link (``https://host/prefix``, or only the prefix when
    ``host`` is None: the links are then relative and completed by a script).
    ``before`` and ``after`` are HTML put above and below the feeds, ``head`` lines of
    the ``<head>`` and ``style`` rules added to the page's style sheet (see
    :mod:`nogentech.web._home`).
    """
    e = html.escape
    words = _WORDS[lang]
    calendars: list[str] = []
    others: list[str] = []
    for info, path in feeds:
        if info.media_type.split(";")[0].strip().lower() != "text/calendar":
            url = root + path
            # The built-in formats have their words in the page's language; a
            # plugin's format shows the description its plugin gives.
            builtin = info.plugin.startswith("nogentech.exporters.")
            text = words.get("format-" + info.name) if builtin else None
            link = _anchor("url", {"url": url}) if host else _address(url, None)
            item = "<li>" if host else f'<li data-feed="{e(url)}">'
            others.append(
                f"{item}{link}<br>\n{e(text or info.description)} "
                f"<small>({e(info.media_type)})</small></li>"
            )
            continue
        for label, query in _variants(cluster, {o.name: o for o in info.options}, lang):
            tail = path + ("?" + urlencode(query) if query else "")
            title = f"{cluster.name} — {label}"
            links = _links(root + tail, f"webcal://{host}{tail}", title) if host else None
            calendars.append(_calendar_item(title, label, root + tail, links, lang))
    other_lang = "en" if lang == "fr" else "fr"
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(cluster.name)} — {words['title']}</title>\n<style>{_STYLE}{style}</style>\n"
        f"{head}</head>\n<body>\n<main>\n<h1>{e(cluster.name)} — {words['title']}</h1>\n"
        f'<p>{words["intro"]} <a href="?lang={other_lang}">{words["switch"]}</a></p>\n{before}'
    ]
    if calendars:
        parts.append(f"<h2>{words['calendars']}</h2>\n<ul>\n" + "\n".join(calendars) + "\n</ul>\n")
    if others:
        parts.append(f"<h2>{words['other']}</h2>\n<ul>\n" + "\n".join(others) + "\n</ul>\n")
    parts.append(f"{after}</main>\n")
    if not host:
        parts.append(f"<script>{_SCRIPT}</script>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)
