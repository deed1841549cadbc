"""`verify PATH [PATH ...]`: check exam reports against their repositories from the command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from functools import partial
from pathlib import Path

from . import __version__
from .engine import Verification, verify
from .overrides import OverridesError, apply_overrides, load_overrides, overrides_for
from .registry import all_rules, unknown_keys
from .remote import RemoteError, cloned, is_remote
from .render import (
    render_cohort,
    render_csv,
    render_html_pages,
    render_json,
    render_junit,
    render_markdown,
    render_text,
)
from .report import ReportError

EXIT_OK, EXIT_BELOW_MIN, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "markdown", "junit", "csv", "html", "cohort")


def _split(values: Sequence[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verify",
        description="Check a DTU 02476 MLOps exam report (reports/README.md) against the group's repository.",
        epilog="Exit codes: 0 ok, 1 a score below --min-score, 2 usage error or missing/unreadable report.",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="repository directory or git URL (several allowed)"
    )
    parser.add_argument(
        "--format", "-f", choices=FORMATS, default="text", help="output format (default: text)"
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the output to FILE instead of stdout")
    parser.add_argument("--report", metavar="FILE", help="the report to read (default: reports/README.md)")
    parser.add_argument(
        "--select", action="append", metavar="IDS", help="only these rule ids or modules (e.g. m17,M21)"
    )
    parser.add_argument(
        "--ignore", action="append", metavar="IDS", help="skip these rule ids or modules (e.g. M21)"
    )
    parser.add_argument(
        "--min-score", type=float, metavar="X", help="exit 1 if a consistency score is below X"
    )
    parser.add_argument("--ref", metavar="REF", help="branch, tag or commit to check out when PATH is a URL")
    parser.add_argument(
        "--jobs", "-j", type=int, default=1, metavar="N", help="verify N repositories at once"
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="show every location and consistent item"
    )
    parser.add_argument("--no-color", action="store_true", help="never colour the text output")
    parser.add_argument(
        "--measure-coverage",
        action="store_true",
        help="RUNS THE GROUP'S TEST SUITE under coverage (executes their code, with a time limit) "
        "to compare with the coverage claimed in Question 8",
    )
    parser.add_argument(
        "--include-untracked",
        action="store_true",
        help="also check files not committed yet (those .gitignore does not exclude); a grader sees only "
        "what is committed",
    )
    parser.add_argument(
        "--overrides",
        metavar="FILE",
        help="a YAML file of grader decisions per repository (item, verdict, reason), applied after the "
        "automatic evidence and shown with their reason",
    )
    parser.add_argument(
        "--list-rules", action="store_true", help="list every rule with its modules and title"
    )
    parser.add_argument("--version", action="version", version=f"mlops-verifier {__version__}")
    return parser


def list_rules() -> str:
    lines = []
    for rule in sorted(all_rules(), key=lambda r: (r.id.startswith("extra."), r.id)):
        status = "" if rule.implemented else "  [not implemented yet]"
        modules = "+".join(rule.modules) or "-"
        lines.append(f"{rule.id:<30} {modules:<8} {rule.title}{status}")
        if rule.summary():
            lines.append(f"{'':<40}{rule.summary()}")
    return "\n".join(lines) + "\n"


def _verify_one(target: str, args: argparse.Namespace) -> Verification:
    select, ignore = _split(args.select), _split(args.ignore)
    context = cloned(target, args.ref) if is_remote(target) else nullcontext(Path(target))
    with context as path:
        if not Path(path).is_dir():
            raise ReportError(f"{target}: not a directory")
        if args.ref and not is_remote(target):
            raise ReportError(
                f"{target}: --ref works with git URLs only; check out the ref in the directory instead"
            )
        options = {"measure_coverage": args.measure_coverage, "include_untracked": args.include_untracked}
        result = verify(path, report=args.report, select=select, ignore=ignore, **options)
        result.repo = target
        before = len(result.warnings)
        apply_overrides(result, overrides_for(target, args.loaded_overrides)[1])
        for warning in result.warnings[before:]:  # visible in every format, csv and junit included
            print(f"verify: warning: {target}: {warning}", file=sys.stderr)
        return result


def _attempt(target: str, args: argparse.Namespace) -> Verification | str:
    """The verification of one target, or the one-line error to print for it."""
    try:
        return _verify_one(target, args)
    except (ReportError, RemoteError, NotADirectoryError, FileNotFoundError) as error:
        return f"verify: {error}" if target in str(error) else f"verify: {target}: {error}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_rules:
        sys.stdout.write(list_rules())
        return EXIT_OK
    if not args.paths:
        parser.print_usage(sys.stderr)
        print("verify: error: give at least one PATH (a repository directory or a git URL)", file=sys.stderr)
        return EXIT_USAGE
    try:
        args.loaded_overrides = load_overrides(args.overrides) if args.overrides else {}
    except OverridesError as error:
        print(f"verify: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.output and not Path(args.output).parent.is_dir():
        print(
            f"verify: error: cannot write {args.output}: no folder {Path(args.output).parent}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    for option, value in (("--select", args.select), ("--ignore", args.ignore)):
        for name in unknown_keys(all_rules(), _split(value)):
            print(f"verify: warning: {option} {name} names no rule id, id prefix or module", file=sys.stderr)
    unused = set(args.loaded_overrides) - {overrides_for(t, args.loaded_overrides)[0] for t in args.paths}
    for key in sorted(unused):
        print(f"verify: warning: {args.overrides}: {key} matches no repository given", file=sys.stderr)
    results: list[Verification] = []
    failed = False
    if args.jobs > 1 and len(args.paths) > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            outcomes = list(pool.map(partial(_attempt, args=args), args.paths))
    else:
        outcomes = [_attempt(target, args) for target in args.paths]
    failures: list[tuple[str, str]] = []
    for target, outcome in zip(args.paths, outcomes, strict=True):
        if isinstance(outcome, str):
            print(outcome, file=sys.stderr)
            failures.append((target, outcome.removeprefix("verify: ")))
            failed = True
        else:
            results.append(outcome)
    output = _render(results, args, failures)
    if output:
        if args.output:
            Path(args.output).write_text(output, encoding="utf-8")
        else:
            sys.stdout.write(output)
    if failed:
        return EXIT_USAGE
    # A repository without any scorable item fails the gate too: its checklist may not have been read.
    below = [
        r for r in results if args.min_score is not None and (r.score is None or r.score < args.min_score)
    ]
    for result in below:
        score = (
            f"score {result.score:.4f} is" if result.score is not None else "no item could be scored (n/a),"
        )
        print(f"verify: {result.repo}: {score} below --min-score {args.min_score}", file=sys.stderr)
    if below:
        return EXIT_BELOW_MIN
    return EXIT_OK


def _render(
    results: list[Verification], args: argparse.Namespace, failures: Sequence[tuple[str, str]] = ()
) -> str:
    if not results and not (failures and args.format == "csv"):
        return ""
    if args.format == "json":
        return render_json(results[0] if len(args.paths) == 1 else results)
    if args.format == "junit":
        return render_junit(results)
    if args.format == "csv":
        return render_csv(results, failures)
    if args.format == "cohort":
        return render_cohort(results)
    if args.format == "html":
        return render_html_pages(results)
    if args.format == "markdown":
        return "\n".join(render_markdown(r) for r in results)
    colour = not args.no_color and not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return "\n".join(render_text(r, colour=colour, verbose=args.verbose) for r in results)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
