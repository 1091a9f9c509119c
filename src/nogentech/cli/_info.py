"""``nogentech info`` and ``nogentech validate``: the cluster as a whole."""

from __future__ import annotations

import argparse

from ..exceptions import DataError
from ._common import EXIT_DATA, EXIT_OK, Adder, load_data


def run_info(args: argparse.Namespace) -> int:
    """Print a summary of the cluster."""
    from ._display import summary

    print(summary(load_data(args), args.lang))
    return EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    """Check a data file; print every problem."""
    from ..loading import load

    try:
        cluster = load(args.file)
    except DataError as exc:
        count = len(exc.problems)
        print(f"{args.file}: {count} problem{'s' if count != 1 else ''}")
        for line in exc.lines():
            print(line)
        return EXIT_DATA
    print(f"{args.file}: valid ({len(cluster.companies)} organisations)")
    return EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``info`` and ``validate``."""
    add("info", run_info, "Print a readable summary of the cluster.")
    p = add(
        "validate",
        run_validate,
        "Check a cluster file and list every problem.",
        data=False,
        lang=False,
    )
    p.add_argument("file", metavar="FILE", help="cluster file to check (TOML or JSON)")
