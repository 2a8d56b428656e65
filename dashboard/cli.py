"""Command line: validate, export, brief, map, diff and sources, with the same loader as the app,
and import-gem, which turns Global Energy Monitor route files into a user layer.

Errors are reported as one line each; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NoReturn

from .citations import to_bibtex, to_csl_json
from .export import FORMATS, to_csv, to_geojson, write_with_gdal
from .loader import load_catalog
from .regions import DEFAULT_REGION, REGIONS
from .schema import LAYERS, ORGS
from .selection import ViewFilter
from .userlayers import UserLayers, load_user_layers


class CliError(Exception):
    """A mistake in the user's input, reported as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse reporting a usage mistake as one line on stderr (exit 2), without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message}\n")


# Shown under each command's --help; tests parse every line.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "validate": (
        "python -m dashboard validate",
        "python -m dashboard validate my-bases.geojson other-layer.geojson",
    ),
    "export": (
        "python -m dashboard export --year 2010 --org CSTO SCO -o view.geojson",
        "python -m dashboard export --org CSTO --org CIS --layer states bases --format csv -o view.csv",
        "python -m dashboard export --year 2022 --layer pipelines --format kml -o pipelines.kml",
    ),
    "brief": (
        "python -m dashboard brief --year 2022 --org CSTO -o brief.pdf",
        "python -m dashboard brief --year 2010 --org CSTO SCO --layer states bases --compare-to 2001 -o brief.pdf",
        "python -m dashboard brief --year 2022 --org CSTO --region central-asia -o central-asia.pdf",
    ),
    "map": (
        "python -m dashboard map --year 2010 --org CSTO -o map.png",
        "python -m dashboard map --year 2022 --org CSTO EAEU --layer states pipelines -o map.svg",
        "python -m dashboard map --year 1995 --org CSTO --region south-caucasus -o caucasus-1995.png",
    ),
    "html": (
        "python -m dashboard html --year 2010 --org CSTO -o map.html",
        "python -m dashboard html --year 1995 --org CSTO CIS --layer states bases -o csto-1995.html",
        "python -m dashboard html --year 2022 --region central-asia -o central-asia.html",
    ),
    "diff": (
        "python -m dashboard diff --from 2001 --to 2022",
        "python -m dashboard diff --from 1999 --to 2012 --org CSTO GUAM --format json -o changes.json",
    ),
    "sources": (
        "python -m dashboard sources -o bibliography.json",
        "python -m dashboard sources --format bibtex -o bibliography.bib",
        "python -m dashboard sources --report",
    ),
    "import-gem": (
        "python -m dashboard import-gem ../shared/data/gem-pipeline-routes -o gem-routes.geojson",
        "python -m dashboard import-gem routes/P0644.geojson routes/gas-pipelines -o my-pipelines.geojson",
    ),
}


def _examples(lines: tuple[str, ...]) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _command(commands: argparse._SubParsersAction, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with its examples."""
    return commands.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=_examples(EXAMPLES[name]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; tests parse the help examples with it."""
    parser = _Parser(
        prog="python -m dashboard",
        description=__doc__,
        epilog=_examples((EXAMPLES["export"][0], "python -m dashboard COMMAND --help    # more examples, per command")),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = _command(commands, "validate", "check the shipped data and any extra GeoJSON layer files")
    validate.add_argument("paths", nargs="*", type=Path, help="extra GeoJSON files (user layers)")
    _add_user_layers_argument(validate)

    export = _command(commands, "export", "the features visible for a filter")
    _add_filter_arguments(export)
    export.add_argument("--format", choices=FORMATS, default="geojson")
    export.add_argument("-o", "--output", type=Path, help="file to write (stdout when omitted; required for kml/gpkg)")
    _add_user_layers_argument(export)

    brief = _command(commands, "brief", "a briefing PDF: map, feature table, changes and footnoted sources")
    _add_filter_arguments(brief, year_required=True)
    brief.add_argument("--compare-to", type=int, metavar="YEAR", help="also list what changed since this year")
    brief.add_argument("-o", "--output", type=Path, required=True, help="the PDF to write")
    _add_region_argument(brief)
    _add_user_layers_argument(brief)

    static_map = _command(commands, "map", "a static map of a view (format from the suffix: .png or .svg)")
    _add_filter_arguments(static_map, year_required=True)
    static_map.add_argument("-o", "--output", type=Path, required=True, help="map.png or map.svg")
    _add_region_argument(static_map)
    _add_user_layers_argument(static_map)

    html_map = _command(commands, "html", "the interactive map of a view as one self-contained HTML file")
    _add_filter_arguments(html_map)
    html_map.add_argument("-o", "--output", type=Path, required=True, help="map.html (opens from disk, no requests)")
    _add_region_argument(html_map)

    diff = _command(commands, "diff", "what changed between two years")
    diff.add_argument("--from", dest="year_from", type=int, required=True, metavar="YEAR")
    diff.add_argument("--to", dest="year_to", type=int, required=True, metavar="YEAR")
    _add_org_argument(diff)
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.add_argument("-o", "--output", type=Path, help="file to write (stdout when omitted)")

    sources = _command(commands, "sources", "the bibliography")
    sources.add_argument("--format", choices=("csl-json", "bibtex"), default="csl-json")
    sources.add_argument(
        "--report",
        action="store_true",
        help="instead: the entries by kind, the undated ones, and the facts resting on encyclopedias alone",
    )
    sources.add_argument("-o", "--output", type=Path)

    gem = _command(commands, "import-gem", "Global Energy Monitor pipeline route files as one user layer (GeoJSON)")
    gem.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="FILE_OR_DIR",
        help="GEM route files (<ProjectID>.geojson), or folders searched for *.geojson",
    )
    gem.add_argument("-o", "--output", type=Path, required=True, help="the user layer to write (GeoJSON)")
    return parser


def _add_list_argument(parser: argparse.ArgumentParser, flag: str, choices: tuple[str, ...], metavar: str) -> None:
    """A flag taking one or several values, also repeated: `--org CSTO SCO`, `--org CSTO --org SCO`, or both."""
    parser.add_argument(
        flag,
        action="extend",
        nargs="+",
        choices=choices,
        metavar=metavar,
        help=f"one or more of {', '.join(choices)}; the flag may be repeated",
    )


def _add_org_argument(parser: argparse.ArgumentParser) -> None:
    _add_list_argument(parser, "--org", tuple(ORGS), "CODE")


def _add_filter_arguments(parser: argparse.ArgumentParser, year_required: bool = False) -> None:
    parser.add_argument("--year", type=int, required=year_required, help="only what is active in this year")
    _add_org_argument(parser)
    _add_list_argument(parser, "--layer", tuple(LAYERS), "NAME")


def _add_region_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--region",
        choices=tuple(REGIONS),
        default=DEFAULT_REGION,
        help=f"the frame, as the map's region views: {', '.join(f'{code} ({r.title})' for code, r in REGIONS.items())}; "
        f"default {DEFAULT_REGION}",
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
    print(
        f"ok: {len(catalog.features)} features ({counts}); {len(catalog.places)} label places; "
        f"{len(catalog.bibliography)} sources{yours}"
    )
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
    if args.report:
        from .sources import source_report

        text = source_report(catalog).text()
    elif args.format == "bibtex":
        text = to_bibtex(entries)
    else:
        text = json.dumps(to_csl_json(entries), ensure_ascii=False, indent=1) + "\n"
    _emit(text, args.output)
    return 0


def run_brief(args: argparse.Namespace) -> int:
    from .briefing_pack import build_briefing_pdf

    view = _view(args)
    if args.output.suffix.lower() != ".pdf":
        raise CliError(f"brief writes a PDF: {args.output} should end in .pdf")
    if args.compare_to is not None and args.compare_to > args.year:
        raise CliError(f"--compare-to {args.compare_to} is after --year {args.year}")
    build_briefing_pdf(
        load_catalog(),
        view,
        args.output,
        compare_to=args.compare_to,
        user_layers=_user_layers(args),
        region=args.region,
    )
    return 0


def run_map(args: argparse.Namespace) -> int:
    from .static_map import render_static_map

    view = _view(args)
    fmt = args.output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise CliError(f"map writes .png or .svg (from the file name): {args.output}")
    render_static_map(load_catalog(), view, args.output, fmt, user_layers=_user_layers(args), region=args.region)
    return 0


def run_html(args: argparse.Namespace) -> int:
    from .canvas import standalone_map

    view = _view(args)
    if args.output.suffix.lower() not in (".html", ".htm"):
        raise CliError(f"html writes an .html file: {args.output}")
    args.output.write_text(standalone_map(load_catalog(), view, region=args.region), encoding="utf-8")
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


def run_import_gem(args: argparse.Namespace) -> int:
    from .gem import import_routes, route_files

    try:
        paths = route_files(args.inputs, exclude=args.output)
    except ValueError as error:
        raise CliError(str(error)) from error
    result = import_routes(paths)
    for problem in result.errors:
        print(problem, file=sys.stderr)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if not result.features:
        print(f"{len(result.rejected)} file(s) rejected, none converted: {args.output} not written", file=sys.stderr)
        return 1
    _emit(json.dumps(result.collection(), ensure_ascii=False) + "\n", args.output)
    summary = f"{len(result.features)} route(s) written to {args.output}"
    if result.rejected:
        print(f"{summary}; {len(result.rejected)} file(s) rejected", file=sys.stderr)
        return 1
    print(summary)
    return 0


COMMANDS = {
    "validate": run_validate,
    "export": run_export,
    "brief": run_brief,
    "map": run_map,
    "html": run_html,
    "diff": run_diff,
    "sources": run_sources,
    "import-gem": run_import_gem,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
