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
from .batch import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    MEMORY_LIMIT_SUPPORTED,
    Interrupted,
    run_many,
    start_method,
)
from .cache import DB_NAME
from .config import Config, ConfigError, find_config, load_config, repository_root
from .remote import RemoteError, cloned, is_remote
from .report import ReportError
from .results import Verification
from .sanitize import for_text
from .views import SHOW, Failure, plural

if TYPE_CHECKING:
    from .cohort import CohortResult, Progress
    from .render import Entry

# The engine, the rules (entry points), the overrides (YAML) and the renderers are imported where they
# are used, so `verify --version` and `verify --help` load none of them.

EXIT_OK, EXIT_BELOW_MIN, EXIT_USAGE = 0, 1, 2
FORMATS = (
    "text",
    "json",
    "markdown",
    "junit",
    "csv",
    "html",
    "cohort",
    "sarif",
    "gradebook",
    "jsonl",
    "gradescope",
    "dashboard",
)
# The formats of a cohort run (results database, clone cache, group list): each needs the group data.
COHORT_FORMATS = ("gradebook", "jsonl", "gradescope", "dashboard")
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
        "paths",
        nargs="*",
        metavar="PATH",
        help="repository directory or git URL (several allowed; @FILE reads one per line from FILE)",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        default=None,
        help="output format (default: text, or format in [tool.mlops-verifier])",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the output to FILE instead of stdout")
    parser.add_argument(
        "--report",
        metavar="FILE",
        help="the report to read (default: reports/README.md, else the tracked Markdown file that holds the "
        "course checklist or questions; the output names the file used)",
    )
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
        default=None,
        metavar="N",
        help="verify N repositories at once (default: the number of cores)",
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
    _add_cohort_options(parser)
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


def _add_cohort_options(parser: argparse.ArgumentParser) -> None:
    """The options of a cohort run (README, "Grading a cohort"): the group list, the deadline, the results
    database and the clone cache."""
    parser.add_argument(
        "--groups",
        metavar="CSV",
        help="the course's group list (group_nb, student 1..5, github_repo): every group's repository is "
        "verified, its group number and students carried into every output",
    )
    parser.add_argument(
        "--deadline",
        metavar="WHEN",
        help="verify the last commit of each default branch at or before WHEN by committer date, e.g. "
        "'2026-01-23 23:59 Europe/Copenhagen'; every output names the commit and the commits after it",
    )
    parser.add_argument(
        "--db",
        metavar="FILE",
        help=f"the SQLite results database of a cohort run (default: {DB_NAME} beside the output): a "
        "re-run verifies only what changed, and resumes after Ctrl-C",
    )
    parser.add_argument("--no-db", action="store_true", help="keep no results database")
    parser.add_argument(
        "--cache",
        metavar="DIR",
        help="the folder where cloned repositories are kept and updated with git fetch (default: "
        "~/.cache/mlops-verifier/clones)",
    )


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
    if not args.paths and not args.groups:
        here = _current_repository()
        if here is None:
            say("verify: error: give at least one PATH (a repository directory or a git URL) or --groups CSV")
            return EXIT_USAGE
        say(f"verify: no PATH given: verifying the repository {here}")
        args.paths = [str(here)]
    from .cohort import default_jobs
    from .groups import InputError, expand_sources

    try:
        args.paths = expand_sources(args.paths)
        _configure(args)
        args.jobs = args.jobs or default_jobs()
        cohort_problem = _check_cohort_options(args)
    except (ConfigError, InputError) as error:
        say(f"verify: error: {error}")
        return EXIT_USAGE
    if cohort_problem:
        say(f"verify: error: {cohort_problem}")
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
    if args.cohort:
        return _run_cohort(args)
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
    _write(_render(entries, args), args)
    return _exit_code(entries, args)


def _write(output: str, args: argparse.Namespace) -> None:
    if output:
        if args.output:
            Path(args.output).write_text(output, encoding="utf-8")
        else:
            sys.stdout.write(output)


def _exit_code(entries: Sequence[Entry], args: argparse.Namespace) -> int:
    """2 when a repository could not be verified, 1 when a score is below --min-score, else 0."""
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


def _check_cohort_options(args: argparse.Namespace) -> str | None:
    """Settle `args.cohort` (a cohort run: a group list, a deadline, a database or a cohort format) and its
    deadline, database path and targets; the one-line reason when the options do not fit together."""
    args.cohort = bool(args.groups or args.deadline or args.db or args.cache or args.format in COHORT_FORMATS)
    if not args.cohort:
        return None
    if args.ref:
        return "--ref checks out one ref of one URL; a cohort run takes each default branch (use --deadline)"
    if args.db and args.no_db:
        return "--db and --no-db contradict each other"
    if args.format == "gradescope" and not args.output:
        return "-f gradescope writes a results.json per group: give the folder with -o DIR"
    if args.output and args.format != "gradescope" and Path(args.output).is_dir():
        return f"-o {args.output} is a folder; -f {args.format} writes one file"
    from .cohort import DeadlineError, parse_deadline
    from .groups import Target, read_groups

    try:
        args.deadline_at = parse_deadline(args.deadline) if args.deadline else None
    except DeadlineError as error:
        return str(error)
    args.targets = (read_groups(args.groups) if args.groups else []) + [Target(path) for path in args.paths]
    if not args.targets:
        return f"{args.groups} lists no group"
    args.db_path = None if args.no_db else Path(args.db) if args.db else _default_db(args)
    return None


def _default_db(args: argparse.Namespace) -> Path:
    """The database beside the output: in the output file's folder, or beside the -f gradescope folder;
    in the current folder when the output goes to stdout."""
    if not args.output:
        return Path(DB_NAME)
    output = Path(args.output)
    return output.parent / DB_NAME


def _run_cohort(args: argparse.Namespace) -> int:
    """A cohort run: every target through `verify_many`, with a progress line on a terminal, the results
    in the order given (grader overrides applied), written in the chosen format."""
    from .cohort import DeadlineError, verify_many
    from .db import DatabaseError
    from .overrides import apply_overrides, overrides_for

    sources = {target.source for target in args.targets if target.source}
    unused = set(args.loaded_overrides) - {overrides_for(s, args.loaded_overrides)[0] for s in sources}
    for key in sorted(unused):
        say(f"verify: warning: {args.overrides}: {key} matches no repository given")
    show_progress = sys.stderr.isatty()
    results: list[CohortResult] = []
    try:
        runs = verify_many(
            args.targets,
            jobs=args.jobs,
            deadline=args.deadline_at,
            db=args.db_path,
            cache=args.cache,
            report=args.report,
            select=args.selected or None,
            ignore=args.ignored,
            timeout=args.timeout,
            max_memory=args.max_memory if args.max_memory is not None else DEFAULT_MAX_MEMORY,
            measure_coverage=args.measure_coverage,
            include_untracked=args.include_untracked,
            progress=_progress_line if show_progress else None,
        )
        with closing(runs):
            results.extend(runs)
    except Interrupted as interrupt:
        if show_progress:
            sys.stderr.write("\n")
        say(
            f"verify: stopped by {interrupt.signal_name}: {plural(len(results), 'result')} kept"
            + (f" in {args.db_path}; run the same command again to resume" if args.db_path else "")
        )
        return interrupt.exit_code
    except (DatabaseError, DeadlineError) as error:
        say(f"verify: error: {error}")
        return EXIT_USAGE
    if show_progress:
        sys.stderr.write("\n")
    results.sort(key=lambda graded: graded.index)
    for graded in results:
        if isinstance(graded.entry, Failure):
            prefix = f"{graded.target.label}: " if graded.group else ""
            say(f"verify: {prefix}{graded.entry.error}")
            continue
        before = len(graded.entry.warnings)
        apply_overrides(graded.entry, overrides_for(graded.source, args.loaded_overrides)[1])
        for warning in graded.entry.warnings[before:]:
            say(f"verify: warning: {graded.source}: {warning}")
        for warning in graded.deadline_warnings:
            say(f"verify: warning: {graded.target.label}: {warning}")
    if args.format == "gradescope":
        from .exports import write_gradescope

        written = write_gradescope(results, args.output)
        say(f"verify: wrote {plural(len(written), 'results.json file')} under {args.output}")
    else:
        _write(_render_cohort(results, args), args)
    return _exit_code([graded.entry for graded in results], args)


def _progress_line(progress: Progress) -> None:
    sys.stderr.write("\r" + progress.line() + "\x1b[K")
    sys.stderr.flush()


def _render_cohort(results: list[CohortResult], args: argparse.Namespace) -> str:
    from .dashboard import render_dashboard
    from .exports import render_gradebook, render_jsonl
    from .render import render_json

    if args.format == "gradebook":
        return render_gradebook(results)
    if args.format == "jsonl":
        return render_jsonl(results)
    if args.format == "dashboard":
        return render_dashboard(results)
    entries = [graded.entry for graded in results]
    if args.format == "json":
        return render_json(entries[0] if len(entries) == 1 else entries)
    return _render(entries, args)


def _verify_all(args: argparse.Namespace) -> list[Entry]:
    """Every target verified in its own budgeted worker, in the order given; a target that could not be
    verified is a Failure with its one-line reason, also said on stderr."""
    from . import engine  # noqa: F401  (imported here, once: the workers are forked from this process)
    from .overrides import apply_overrides, overrides_for
    from .templates import prepare as prepare_templates
    from .warmup import warm_up

    prepare_templates()  # the fingerprint table, read once here and inherited by every forked worker
    if len(args.paths) > 1 and start_method() == "fork":
        warm_up()  # what every worker would otherwise build again (a single target gains nothing from it)

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


def _current_repository() -> Path | None:
    """The git work tree holding the current folder (`verify` alone, run by a student in their repository,
    verifies it, as `verify .` would), or None outside git, where a PATH must be given."""
    root = repository_root(Path.cwd())
    return root if (root / ".git").exists() else None


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
