"""Command line: validate, export and list sources with the same loader as the app.

Errors are reported as one line each; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .citations import to_bibtex, to_csl_json
from .export import FORMATS, to_csv, to_geojson, write_with_gdal
from .loader import load_catalog
from .schema import LAYERS, ORGS
from .selection import ViewFilter


class CliError(Exception):
    """A mistake in the user's input, reported as one line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the shipped data and any extra GeoJSON layer files")
    validate.add_argument("paths", nargs="*", type=Path, help="extra GeoJSON files (user layers)")

    export = commands.add_parser("export", help="the features visible for a filter")
    _add_filter_arguments(export)
    export.add_argument("--format", choices=FORMATS, default="geojson")
    export.add_argument("-o", "--output", type=Path, help="file to write (stdout when omitted; required for kml/gpkg)")

    sources = commands.add_parser("sources", help="the bibliography")
    sources.add_argument("--format", choices=("csl-json", "bibtex"), default="csl-json")
    sources.add_argument("-o", "--output", type=Path)
    return parser


def _add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, help="only what is active in this year")
    parser.add_argument(
        "--org", action="append", choices=sorted(ORGS), metavar="CODE", help=f"one of {', '.join(ORGS)}; repeatable"
    )
    parser.add_argument(
        "--layer", action="append", choices=LAYERS, metavar="NAME", help=f"one of {', '.join(LAYERS)}; repeatable"
    )


def _view(args: argparse.Namespace) -> ViewFilter:
    try:
        return ViewFilter.make(year=args.year, orgs=args.org, layers=args.layer)
    except ValueError as error:
        raise CliError(str(error)) from error


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def run_validate(args: argparse.Namespace) -> int:
    catalog = load_catalog(extra_paths=args.paths)
    for problem in catalog.problems:
        print(problem)
    if catalog.problems:
        print(f"{len(catalog.problems)} problem(s); {len(catalog.features)} valid feature(s)", file=sys.stderr)
        return 1
    counts = ", ".join(f"{layer} {len(catalog.layer(layer))}" for layer in LAYERS)
    print(f"ok: {len(catalog.features)} features ({counts}); {len(catalog.bibliography)} sources")
    return 0


def run_export(args: argparse.Namespace) -> int:
    view = _view(args)
    catalog = load_catalog()
    if args.format in ("kml", "gpkg"):
        if args.output is None:
            raise CliError(f"--format {args.format} needs -o FILE")
        try:
            write_with_gdal(catalog, view, args.output, args.format)
        except ValueError as error:
            raise CliError(str(error)) from error
    else:
        _emit(to_geojson(catalog, view) if args.format == "geojson" else to_csv(catalog, view), args.output)
    return 0


def run_sources(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    entries = list(catalog.bibliography.values())
    if args.format == "bibtex":
        text = to_bibtex(entries)
    else:
        text = json.dumps(to_csl_json(entries), ensure_ascii=False, indent=1) + "\n"
    _emit(text, args.output)
    return 0


COMMANDS = {"validate": run_validate, "export": run_export, "sources": run_sources}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
