"""``nogentech info`` and ``nogentech validate``: the cluster as a whole."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..exceptions import DataError, Problem
from ._common import EXIT_DATA, EXIT_OK, Adder, lang_of, load_data, print_json, text_width

STDIN = "-"
"""The file name that stands for standard input."""


def run_info(args: argparse.Namespace) -> int:
    """Print a summary of the cluster."""
    lang = lang_of(args)
    cluster = load_data(args)
    if args.json:
        from ._records import cluster_record

        print_json(cluster_record(cluster, lang))
        return EXIT_OK
    from ._display import summary

    print(summary(cluster, lang, text_width()))
    return EXIT_OK


def _check(name: str) -> tuple[Any, tuple[Problem, ...]]:
    """The cluster in the file ``name`` (``-``: standard input), or the problems found."""
    from ..files import read_at_most
    from ..limits import MAX_FILE_SIZE
    from ..loading import load, loads

    try:
        if name == STDIN:
            # At most the size of a data file, whatever a pipe goes on giving.
            data = read_at_most(sys.stdin.buffer, MAX_FILE_SIZE)
            if len(data) > MAX_FILE_SIZE:
                message = f"the data is longer than {MAX_FILE_SIZE} bytes; no more is read"
                raise DataError([Problem("", message)], "<stdin>")
            return loads(data, source="<stdin>"), ()
        return load(name), ()
    except DataError as exc:
        return None, exc.problems


def run_validate(args: argparse.Namespace) -> int:
    """Check data files; print every problem of each."""
    if args.file.count(STDIN) > 1:
        from ._common import UsageError

        raise UsageError("standard input ('-') can be read only once")
    results = [(name, *_check(name)) for name in args.file]
    if args.json:
        from ._records import problem_records

        print_json(
            [
                {
                    "file": name,
                    "valid": not problems,
                    "organisations": len(cluster.companies) if cluster is not None else None,
                    "problems": problem_records(problems),
                }
                for name, cluster, problems in results
            ]
        )
    else:
        for name, cluster, problems in results:
            if problems:
                count = len(problems)
                print(f"{name}: {count} problem{'s' if count != 1 else ''}")
                for problem in problems:
                    print(problem)
            else:
                count = len(cluster.companies)
                print(f"{name}: valid ({count} organisation{'s' if count != 1 else ''})")
    return EXIT_DATA if any(problems for _, _, problems in results) else EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``info`` and ``validate``."""
    p = add("info", run_info, "Print a readable summary of the cluster.")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p = add(
        "validate",
        run_validate,
        "Check cluster files and list every problem (exit status 2 if any file has one).",
        data=False,
        lang=False,
    )
    p.add_argument(
        "file",
        metavar="FILE",
        nargs="+",
        help="cluster file to check (TOML or JSON); '-' reads standard input",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list: for each file, whether it is valid and its problems "
        "(objects with path and message)",
    )
