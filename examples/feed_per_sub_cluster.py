"""Write one iCalendar feed per sub-cluster: the meetings and events linked to it.

    python examples/feed_per_sub_cluster.py feeds/
    python examples/feed_per_sub_cluster.py feeds/ --lang en --data my-cluster.toml

Each feed is ``<sub-cluster id>.ics`` in the output directory, made by the
``ics`` exporter with its ``sub_cluster`` option, so it holds only the series
and one-off events that list that sub-cluster. A sub-cluster with nothing
scheduled gets a valid feed without events, ready for subscribers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import nogentech


def write_feeds(cluster: nogentech.Cluster, directory: Path, lang: str) -> list[Path]:
    """Write a feed per sub-cluster of ``cluster`` into ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for sub_cluster in cluster.sub_clusters:
        data = nogentech.export(cluster, "ics", sub_cluster=[sub_cluster.id], lang=lang)
        path = directory / f"{sub_cluster.id}.ics"
        path.write_bytes(data)
        written.append(path)
    return written


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="directory to write the feeds into")
    parser.add_argument("--data", metavar="FILE", help="cluster file (default: built-in data)")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        written = write_feeds(nogentech.load(args.data), args.output, args.lang)
    except nogentech.NogentechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
