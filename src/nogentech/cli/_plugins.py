"""``nogentech plugins``: the installed plugins, what each provides, and those not loaded."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ._common import EXIT_OK, Adder, print_json


def plugin_records() -> list[dict[str, Any]]:
    """Every installed plugin: loaded, disabled or broken, with what it provides or why not.

    Read from the plugin manager's own listing (its plugins and their hook
    implementations, and the distributions it knows of), the registered formats
    and :func:`~nogentech.plugins.plugin_failures`.
    """
    from ..plugins import (
        DISABLE_ENV,
        distribution_of,
        formats,
        get_plugin_manager,
        installed_plugins,
        plugin_failures,
    )

    pm = get_plugin_manager()
    dists = {
        name: dist for name in installed_plugins() if (dist := distribution_of(name)) is not None
    }
    for plugin, facade in pm.list_plugin_distinfo():
        name = pm.get_name(plugin)
        if name is not None:
            dists[name] = (facade.project_name, facade.version)
    provided: dict[str, list[str]] = {}
    for info in formats():
        provided.setdefault(info.plugin, []).append(info.name)
    failed = {f.plugin: f.error for f in plugin_failures()}
    records: list[dict[str, Any]] = []

    def record(name: str, status: str, **more: Any) -> dict[str, Any]:
        dist = dists.get(name)
        return {
            "name": name,
            "distribution": dist[0] if dist else None,
            "version": dist[1] if dist else None,
            "status": status,
            **more,
        }

    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked: listed below
            continue
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or ())
        status = "broken" if name in failed else "loaded"
        extra = {"error": failed[name]} if name in failed else {}
        records.append(record(name, status, formats=provided.get(name, []), hooks=hooks, **extra))
    seen = {r["name"] for r in records}
    for name in installed_plugins():
        if name not in seen and pm.is_blocked(name):
            why = f"disabled by {DISABLE_ENV}={os.environ.get(DISABLE_ENV, '')}"
            records.append(record(name, "disabled", formats=[], hooks=[], error=why))
            seen.add(name)
    for name, error in failed.items():
        if name not in seen:
            records.append(record(name, "broken", formats=[], hooks=[], error=error))
            seen.add(name)
    return records


def run_plugins(args: argparse.Namespace) -> int:
    """List the installed plugins."""
    records = plugin_records()
    if args.json:
        print_json(records)
        return EXIT_OK
    for r in records:
        source = f"{r['distribution']} {r['version']}" if r["distribution"] else "(no package)"
        print(f"{r['name']}  {source}  [{r['status']}]")
        if r["status"] == "loaded" or r["formats"] or r["hooks"]:
            print(f"  formats: {', '.join(r['formats']) or '-'}")
            print(f"  hooks: {', '.join(r['hooks']) or '-'}")
        if r.get("error"):
            print(f"  why: {r['error']}")
    return EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``plugins``."""
    p = add(
        "plugins",
        run_plugins,
        "List the installed plugins: version, formats and hooks; disabled and broken ones "
        "with why.",
        data=False,
        lang=False,
    )
    p.add_argument("--json", action="store_true", help="print a JSON list of the plugins")
