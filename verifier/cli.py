"""`verify PATH [PATH ...]`: check exam reports against their repositories from the command line."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .batch import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, MEMORY_LIMIT_SUPPORTED, Interrupted, run_many
from .config import Config, ConfigError, find_config, load_config, repository_root
from .remote import RemoteError, cloned, is_remote
from .report import ReportError
from .results import Verification
from .sanitize import for_text
from .views import SHOW, Failure

if TYPE_CHECKING:
    from .render import Entry

# The engine, the rules (entry points), the overrides (YAML) and the renderers are imported where they
# are used, so `verify --version` and `verify --help` load none of them.

EXIT_OK, EXIT_BELOW_MIN, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "markdown", "junit", "csv", "html", "cohort", "sarif")
# The formats that --show problems shortens; the others are data for programs and always complete.
SHOWN_FORMATS = ("text", "markdown", "html")
EXPECTED_ERRORS = (ReportError, RemoteError, NotADirectoryError, FileNotFoundError)


class UsageError(Exception):
    """A mistake on the command line; the message is the one line printed after "verify: error: "."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line (`UsageError`), not as usage text plus exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def say(message: str) -> None:
    """One line on stderr, with repository text in it made safe (credentials redacted, no control
    character, no line break)."""
    print(for_text(message), file=sys.stderr)


def _split(values: Sequence[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="verify",
        description="Check a DTU 02476 MLOps exam report (reports/README.md) against the group's repository.",
        epilog="Exit codes: 0 ok, 1 a score below --min-score, 2 usage error or missing/unreadable report.",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="repository directory or git URL (several allowed)"
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        default=None,
        help="output format (default: text, or format in [tool.mlops-verifier])",
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
        "--min-score",
        type=_bounded(float, low=0.0, high=1.0),
        metavar="X",
        help="exit 1 if a consistency score is below X (0 to 1)",
    )
    parser.add_argument("--ref", metavar="REF", help="branch, tag or commit to check out when PATH is a URL")
    parser.add_argument(
        "--jobs",
        "-j",
        type=_bounded(int, low=1),
        default=1,
        metavar="N",
        help="verify N repositories at once",
    )
    parser.add_argument(
        "--timeout",
        type=_bounded(float, low=0.0, low_open=True),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"wall-time budget per repository, the clone included (default: {DEFAULT_TIMEOUT:g}); a "
        "repository over it becomes an error row",
    )
    parser.add_argument(
        "--max-memory",
        type=_bounded(int, low=1),
        default=None,
        metavar="MB",
        help=f"memory (address-space) budget per repository (default: {DEFAULT_MAX_MEMORY}; not enforced on "
        "Windows); a repository over it becomes an error row",
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
    _add_view_options(parser)
    parser.add_argument("--version", action="version", version=f"mlops-verifier {__version__}")
    return parser


def _add_view_options(parser: argparse.ArgumentParser) -> None:
    """--show and the [tool.mlops-verifier] options (README, "Configuration")."""
    parser.add_argument(
        "--show",
        choices=SHOW,
        default="all",
        help="problems: only the ticks that need a look (unsupported, contradicted, template-only, weakly "
        "supported) and the answers' problems, in the text, markdown and html formats (default: all)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="read [tool.mlops-verifier] from FILE (default: the first pyproject.toml with that table from "
        "the current folder up to its repository root)",
    )
    parser.add_argument("--no-config", action="store_true", help="read no [tool.mlops-verifier] table at all")


def _bounded(
    kind: type[int] | type[float], *, low: float, high: float | None = None, low_open: bool = False
) -> Callable[[str], float]:
    """An argparse type: a number of `kind` in [low, high] ((low, high] when `low_open`)."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"not a{'n integer' if kind is int else ' number'}: {text!r}")
        too_low = value <= low if low_open else value < low
        if too_low or (high is not None and value > high):
            bound = f"above {low:g}" if low_open else f"at least {low:g}"
            if high is not None:
                bound = f"between {low:g} and {high:g}"
            raise argparse.ArgumentTypeError(f"must be {bound}, not {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def list_rules() -> str:
    from .registry import all_rules

    lines = []
    for rule in sorted(all_rules(), key=lambda r: (r.id.startswith("extra."), r.id)):
        status = "" if rule.implemented else "  [not implemented yet]"
        modules = "+".join(rule.modules) or "-"
        lines.append(f"{rule.id:<30} {modules:<8} {rule.title}{status}")
        if rule.summary():
            lines.append(f"{'':<40}{rule.summary()}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class VerifyJob:
    """What a worker needs to verify one target: the options of the command line that reach the engine."""

    report: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: dict[str, str] = field(default_factory=dict)  # rule id, prefix or module -> the reason, or ""
    ref: str | None = None
    measure_coverage: bool = False
    include_untracked: bool = False
    timeout: float = DEFAULT_TIMEOUT


def verify(path: str | Path, **options: object) -> Verification:
    """`verifier.engine.verify`, imported on the first verification (a name of this module, so that tests
    can stand in for it)."""
    from .engine import verify as verify_path

    return verify_path(path, **options)  # type: ignore[arg-type]


def verify_target(target: str, job: VerifyJob) -> Verification:
    """Verify one directory or URL (cloned into the worker's temporary folder). Runs in a worker process;
    raises one of EXPECTED_ERRORS with a one-line message when there is nothing to verify."""
    context = cloned(target, job.ref, timeout=job.timeout) if is_remote(target) else nullcontext(Path(target))
    with context as path:
        if not Path(path).is_dir():
            raise ReportError(f"{target}: not a directory")
        if job.ref and not is_remote(target):
            raise ReportError(
                f"{target}: --ref works with git URLs only; check out the ref in the directory instead"
            )
        result = verify(
            path,
            report=job.report,
            select=job.select,
            ignore=job.ignore,
            measure_coverage=job.measure_coverage,
            include_untracked=job.include_untracked,
        )
        result.repo = target
        return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        say(f"verify: error: {error} (see verify --help)")
        return EXIT_USAGE
    if args.list_rules:
        sys.stdout.write(list_rules())
        return EXIT_OK
    if not args.paths:
        say("verify: error: give at least one PATH (a repository directory or a git URL)")
        return EXIT_USAGE
    try:
        _configure(args)
    except ConfigError as error:
        say(f"verify: error: {error}")
        return EXIT_USAGE
    from .overrides import OverridesError, load_overrides, overrides_for
    from .registry import all_rules, unknown_keys

    try:
        args.loaded_overrides = load_overrides(args.overrides) if args.overrides else {}
    except OverridesError as error:
        say(f"verify: {error}")
        return EXIT_USAGE
    if args.output and not Path(args.output).parent.is_dir():
        say(f"verify: error: cannot write {args.output}: no folder {Path(args.output).parent}")
        return EXIT_USAGE
    if args.max_memory is not None and not MEMORY_LIMIT_SUPPORTED:
        say("verify: warning: --max-memory is not enforced on this system (no RLIMIT_AS)")
    for option, value in (("--select", args.select), ("--ignore", args.ignore)):
        for name in unknown_keys(all_rules(), _split(value)):
            say(f"verify: warning: {option} {name} names no rule id, id prefix or module")
    if args.show != "all" and args.format not in SHOWN_FORMATS:
        say(
            f"verify: warning: --show {args.show} shortens {', '.join(SHOWN_FORMATS)} only; -f {args.format} is complete"
        )
    unused = set(args.loaded_overrides) - {overrides_for(t, args.loaded_overrides)[0] for t in args.paths}
    for key in sorted(unused):
        say(f"verify: warning: {args.overrides}: {key} matches no repository given")
    try:
        entries = _verify_all(args)
    except Interrupted as interrupt:
        say(
            f"verify: stopped by {interrupt.signal_name}: the running verifications were ended and their "
            "temporary folders removed"
        )
        return interrupt.exit_code
    output = _render(entries, args)
    if output:
        if args.output:
            Path(args.output).write_text(output, encoding="utf-8")
        else:
            sys.stdout.write(output)
    if any(isinstance(entry, Failure) for entry in entries):
        return EXIT_USAGE
    # A repository without any scorable item fails the gate too: its checklist may not have been read.
    results = [entry for entry in entries if isinstance(entry, Verification)]
    below = [
        r for r in results if args.min_score is not None and (r.score is None or r.score < args.min_score)
    ]
    for result in below:
        score = (
            f"score {result.score:.4f} is" if result.score is not None else "no item could be scored (n/a),"
        )
        say(f"verify: {result.repo}: {score} below --min-score {args.min_score}")
    if below:
        return EXIT_BELOW_MIN
    return EXIT_OK


def _verify_all(args: argparse.Namespace) -> list[Entry]:
    """Every target verified in its own budgeted worker, in the order given; a target that could not be
    verified is a Failure with its one-line reason, also said on stderr."""
    from . import engine  # noqa: F401  (imported here, once: the workers are forked from this process)
    from .overrides import apply_overrides, overrides_for

    job = VerifyJob(
        report=args.report,
        select=args.selected,
        ignore=args.ignored,
        ref=args.ref,
        measure_coverage=args.measure_coverage,
        include_untracked=args.include_untracked,
        timeout=args.timeout,
    )
    outcomes = run_many(
        partial(verify_target, job=job),
        args.paths,
        jobs=args.jobs,
        timeout=args.timeout,
        max_memory=args.max_memory if args.max_memory is not None else DEFAULT_MAX_MEMORY,
        expected=EXPECTED_ERRORS,
    )
    entries: list[Entry] = []
    with closing(outcomes):  # an exception here (Interrupted) stops the workers before it goes on
        for target, outcome in zip(args.paths, outcomes, strict=True):
            if outcome.value is None:
                error = outcome.error or "no result"
                error = error if target in error else f"{target}: {error}"
                say(f"verify: {error}")
                entries.append(Failure(target, error))
                continue
            result = outcome.value
            before = len(result.warnings)
            apply_overrides(result, overrides_for(target, args.loaded_overrides)[1])
            for warning in result.warnings[before:]:  # visible in every format, csv and junit included
                say(f"verify: warning: {target}: {warning}")
            entries.append(result)
    return entries


def _render(entries: list[Entry], args: argparse.Namespace) -> str:
    from .render import (
        render_cohort,
        render_csv,
        render_html_pages,
        render_json,
        render_junit,
        render_markdown,
        render_sarif,
        render_text,
    )

    if args.format == "json":
        return render_json(entries[0] if len(args.paths) == 1 else entries)
    if args.format == "junit":
        return render_junit(entries)
    if args.format == "csv":
        return render_csv(entries)
    if args.format == "cohort":
        return render_cohort(entries)
    if args.format == "sarif":
        return render_sarif(entries)
    if args.format == "html":
        return render_html_pages(entries, show=args.show)
    if args.format == "markdown":
        return "\n".join(render_markdown(entry, show=args.show) for entry in entries)
    colour = not args.no_color and not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return "\n".join(
        render_text(entry, colour=colour, verbose=args.verbose, show=args.show) for entry in entries
    )


def _configure(args: argparse.Namespace) -> None:
    """Settle every option the command line leaves open from `[tool.mlops-verifier]` (the command line
    wins, key by key), and replace a current folder that is a subfolder of a repository by that
    repository's root. Sets `args.selected` and `args.ignored` (key -> reason) for the workers; warns
    on stderr about unknown keys and ids. ConfigError for a configuration that cannot be used."""
    from .registry import all_rules, unknown_keys

    config = _read_config(args)
    for warning in config.warnings:
        say(f"verify: warning: {warning}")
    if config.keys:
        say(f"verify: settings from {config.shown}: {', '.join(config.keys)}")
    for name, keys in (("select", config.select or ()), ("ignore", config.ignore)):
        for key in unknown_keys(all_rules(), list(keys)):
            say(f"verify: warning: {config.shown} {name}: {key} names no rule id, id prefix or module")
    args.format = args.format or config.format or "text"
    args.report = args.report or config.report
    args.min_score = args.min_score if args.min_score is not None else config.min_score
    args.selected = _split(args.select) if args.select else list(config.select or ())
    args.ignored = dict.fromkeys(_split(args.ignore), "") if args.ignore else dict(config.ignore)
    args.paths = [_root_of_current_folder(target, args.report) for target in args.paths]


def _read_config(args: argparse.Namespace) -> Config:
    if args.no_config:
        return Config()
    if args.config:
        config = load_config(Path(args.config), FORMATS)
        if config.source is None:
            raise ConfigError(f"{args.config}: no [tool.mlops-verifier] table")
        return config
    return find_config(Path.cwd(), FORMATS)


def _root_of_current_folder(target: str, report: str | None) -> str:
    """`target`, or the root of its git work tree when `target` is the current folder, a subfolder of a
    repository, and holds no report itself (`verify .` in `src/`). Any other folder is verified as given: a
    grader's folder of clones may sit inside the grader's own repository."""
    from .discovery import DEFAULT_REPORT

    if is_remote(target) or not Path(target).is_dir():
        return target
    here = Path.cwd()
    wanted = Path(report or DEFAULT_REPORT)
    if not Path(target).samefile(here) or wanted.is_absolute() or (here / wanted).is_file():
        return target
    root = repository_root(here)
    if root == Path(os.path.abspath(here)):
        return target
    say(f"verify: {target} is a folder of the repository {root}: verifying the repository")
    return str(root)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
