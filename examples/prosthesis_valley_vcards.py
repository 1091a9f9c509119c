"""Export the members of a sub-cluster (by default Prosthesis Valley) as vCards.

    python examples/prosthesis_valley_vcards.py out/
    python examples/prosthesis_valley_vcards.py out/ --sub-cluster flaamm --lang en

Writes ``<sub-cluster id>.vcf`` in the output directory: one card per member
organisation, ready to import into an address book. It is the ``vcard``
exporter with its ``sub_cluster`` option, leaving out the cards of people and
of the groups themselves.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import nogentech

DEFAULT_SUB_CLUSTER = "prosthesis-valley"


def export_members(
    cluster: nogentech.Cluster, sub_cluster: str, directory: Path, lang: str
) -> tuple[Path, int]:
    """Write the vCards of ``sub_cluster``'s members; the file and the number of members."""
    members = cluster.members_of(sub_cluster)  # KeyError for an unknown sub-cluster
    data = nogentech.export(
        cluster, "vcard", sub_cluster=[sub_cluster], people=False, groups=False, lang=lang
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{sub_cluster}.vcf"
    path.write_bytes(data)
    return path, len(members)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="directory to write the .vcf file into")
    parser.add_argument(
        "--sub-cluster",
        default=DEFAULT_SUB_CLUSTER,
        metavar="ID",
        help=f"sub-cluster id (default: {DEFAULT_SUB_CLUSTER})",
    )
    parser.add_argument("--data", metavar="FILE", help="cluster file (default: built-in data)")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        cluster = nogentech.load(args.data)
    except nogentech.NogentechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        path, count = export_members(cluster, args.sub_cluster, args.output, args.lang)
    except KeyError:
        known = ", ".join(s.id for s in cluster.sub_clusters) or "none"
        print(f"error: no sub-cluster {args.sub_cluster!r} (known: {known})", file=sys.stderr)
        return 1
    except nogentech.NogentechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{path}: {count} card{'s' if count != 1 else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
