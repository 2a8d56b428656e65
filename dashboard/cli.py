"""Command line: validate, export, brief, map, diff and sources, with the same loader as the app.

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
from .userlayers import UserLayers, load_user_layers


class CliError(Exception):
    """A mistake in the user's input, reported as one line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the shipped data and any extra GeoJSON layer files")
    validate.add_argument("paths", nargs="*", type=Path, help="extra GeoJSON files (user layers)")
    _add_user_layers_argument(validate)

    export = commands.add_parser("export", help="the features visible for a filter")
    _add_filter_arguments(export)
    export.add_argument("--format", choices=FORMATS, default="geojson")
    export.add_argument("-o", "--output", type=Path, help="file to write (stdout when omitted; required for kml/gpkg)")
    _add_user_layers_argument(export)

    brief = commands.add_parser("brief", help="a briefing PDF: map, feature table, changes and footnoted sources")
    _add_filter_arguments(brief, year_required=True)
    brief.add_argument("--compare-to", type=int, metavar="YEAR", help="also list what changed since this year")
    brief.add_argument("-o", "--output", type=Path, required=True, help="the PDF to write")
    _add_user_layers_argument(brief)

    static_map = commands.add_parser("map", help="a static map of a view (format from the suffix: .png or .svg)")
    _add_filter_arguments(static_map, year_required=True)
    static_map.add_argument("-o", "--output", type=Path, required=True, help="map.png or map.svg")
    _add_user_layers_argument(static_map)

    diff = commands.add_parser("diff", help="what changed between two years")
    diff.add_argument("--from", dest="year_from", type=int, required=True, metavar="YEAR")
    diff.add_argument("--to", dest="year_to", type=int, required=True, metavar="YEAR")
    diff.add_argument(
        "--org", action="append", choices=sorted(ORGS), metavar="CODE", help=f"one of {', '.join(ORGS)}; repeatable"
    )
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.add_argument("-o", "--output", type=Path, help="file to write (stdout when omitted)")

    sources = commands.add_parser("sources", help="the bibliography")
    sources.add_argument("--format", choices=("csl-json", "bibtex"), default="csl-json")
    sources.add_argument("-o", "--output", type=Path)
    return parser


def _add_filter_arguments(parser: argparse.ArgumentParser, year_required: bool = False) -> None:
    parser.add_argument("--year", type=int, required=year_required, help="only what is active in this year")
    parser.add_argument(
        "--org", action="append", choices=sorted(ORGS), metavar="CODE", help=f"one of {', '.join(ORGS)}; repeatable"
    )
    parser.add_argument(
        "--layer", action="append", choices=LAYERS, metavar="NAME", help=f"one of {', '.join(LAYERS)}; repeatable"
    )


def _add_user_layers_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user-layers",
        type=Path,
        metavar="DIR",
        help="a folder of your own GeoJSON layers (*.geojson, *.json), shown apart from the curated data",
    )


def _user_layers(args: argparse.Namespace, report: bool = True) -> UserLayers | None:
    """The layers --user-layers names; their problems go to stderr, one line each, and the
    valid rest is used."""
    if args.user_layers is None:
        return None
    if not args.user_layers.exists():
        raise CliError(f"--user-layers {args.user_layers}: no such folder")
    layers = load_user_layers([args.user_layers])
    if report:
        for problem in layers.problems:
            print(problem, file=sys.stderr)
    return layers


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
    """A file named after a built-in layer (bases.geojson) gets the curated checks; any
    other is a user layer and gets the light schema."""
    curated = [path for path in args.paths if path.stem in LAYERS and not path.is_dir()]
    user = _user_layers(args, report=False) or UserLayers()
    user.add_paths(path for path in args.paths if path not in curated)
    catalog = load_catalog(extra_paths=curated)
    problems = catalog.problems + user.problems
    for problem in problems:
        print(problem)
    for note in user.notes:
        print(f"note: {note}")
    valid = len(catalog.features) + len(user.features)
    if problems:
        print(f"{len(problems)} problem(s); {valid} valid feature(s)", file=sys.stderr)
        return 1
    counts = ", ".join(f"{layer} {len(catalog.layer(layer))}" for layer in LAYERS)
    yours = "".join(f"; your layer {layer.name}: {len(layer.features)} features" for layer in user.layers)
    print(f"ok: {len(catalog.features)} features ({counts}); {len(catalog.bibliography)} sources{yours}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    view = _view(args)
    catalog = load_catalog()
    user = _user_layers(args)
    if args.format in ("kml", "gpkg"):
        if args.output is None:
            raise CliError(f"--format {args.format} needs -o FILE")
        try:
            write_with_gdal(catalog, view, args.output, args.format, user)
        except ValueError as error:
            raise CliError(str(error)) from error
    else:
        _emit(to_geojson(catalog, view, user) if args.format == "geojson" else to_csv(catalog, view, user), args.output)
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


def run_brief(args: argparse.Namespace) -> int:
    from .briefing import build_briefing_pdf

    view = _view(args)
    if args.output.suffix.lower() != ".pdf":
        raise CliError(f"brief writes a PDF: {args.output} should end in .pdf")
    if args.compare_to is not None and args.compare_to > args.year:
        raise CliError(f"--compare-to {args.compare_to} is after --year {args.year}")
    build_briefing_pdf(load_catalog(), view, args.output, compare_to=args.compare_to, user_layers=_user_layers(args))
    return 0


def run_map(args: argparse.Namespace) -> int:
    from .briefing import render_static_map

    view = _view(args)
    fmt = args.output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise CliError(f"map writes .png or .svg (from the file name): {args.output}")
    render_static_map(load_catalog(), view, args.output, fmt, user_layers=_user_layers(args))
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from .compare import compare_years

    try:
        comparison = compare_years(load_catalog(), args.year_from, args.year_to, args.org)
    except ValueError as error:
        raise CliError(str(error)) from error
    if args.format == "json":
        text = json.dumps(comparison.to_dict(), ensure_ascii=False, indent=1) + "\n"
    else:
        text = comparison.summary_text() + "\n"
    _emit(text, args.output)
    return 0


COMMANDS = {
    "validate": run_validate,
    "export": run_export,
    "brief": run_brief,
    "map": run_map,
    "diff": run_diff,
    "sources": run_sources,
}


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
