"""The `spridning` command line: one subcommand per job, each a thin layer over a library call."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from model.reference import ReferenceDataError


class UserError(Exception):
    """Bad input from the user: printed as a one-line message, never a traceback."""


def _municipalities(args: argparse.Namespace) -> None:
    from model.reference import load_municipalities, load_neighbours
    from model.reference.summary import summary_text

    municipalities = load_municipalities()
    neighbours = load_neighbours(municipalities=municipalities)
    print(summary_text(municipalities, neighbours, county=args.county))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spridning",
        description=(
            "Agent-based simulation of how public-sector innovations spread across "
            "Sweden's 290 municipalities, and how state policy changes that spread."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    municipalities = commands.add_parser(
        "municipalities", help="summarise the reference table of municipalities and neighbours"
    )
    municipalities.add_argument(
        "--county", help='only this county, by code (01) or name ("Stockholms län")'
    )
    municipalities.set_defaults(handler=_municipalities)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], None] = args.handler
    try:
        handler(args)
    except (UserError, ReferenceDataError) as error:
        print(f"spridning {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"spridning {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
