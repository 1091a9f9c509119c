"""``nogentech serve``."""

from __future__ import annotations

import argparse
import sys

from ._common import EXIT_ERROR, EXIT_OK, Adder


def run_serve(args: argparse.Namespace) -> int:
    """Serve the feeds over HTTP."""
    from ..web import serve
    from ._stamp import state_path

    stamps = state_path(args.data, args.stamps)
    if stamps is not None and not (args.stamps or args.track_changes or stamps.exists()):
        stamps = None
    if args.track_changes and stamps is None:
        print("error: --track-changes needs --data FILE or --stamps FILE", file=sys.stderr)
        return EXIT_ERROR
    try:
        serve(
            host=args.host,
            port=args.port,
            data=args.data,
            trust_proxy=args.trust_proxy,
            base_url=args.base_url,
            stamps=stamps,
            track_changes=args.track_changes,
            cors_origins=args.cors_origin or ("*",),
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``serve``."""
    p = add("serve", run_serve, "Serve live subscription feeds over HTTP.", lang=False)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="public address of the feeds, used in the links of the page "
        "(for example https://feeds.example.org/nogentech behind a reverse proxy)",
    )
    p.add_argument(
        "--trust-proxy",
        action="store_true",
        help="take the scheme and host of the links from X-Forwarded-Proto and "
        "X-Forwarded-Host, and the client address of the access log from "
        "X-Forwarded-For (only behind a proxy that sets them)",
    )
    p.add_argument(
        "--stamps",
        metavar="FILE",
        help="change-tracking state the feeds are stamped with "
        "(default: the one beside --data, if any)",
    )
    p.add_argument(
        "--track-changes",
        action="store_true",
        help="keep the state current: record what changed at start and at each reload",
    )
    p.add_argument(
        "--cors-origin",
        metavar="ORIGIN",
        action="append",
        help="an origin (scheme://host[:port]) whose pages may read the feeds; repeat it "
        "for more (default: every origin, '*')",
    )
