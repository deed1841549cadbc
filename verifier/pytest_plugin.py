"""pytest plugin: a group's report checked as tests (`pytest --verify-report`). Inert unless asked.

The repository's `[tool.mlops-verifier]` table (report, select, ignore) applies as it does to `verify .`:
an ignored item is skipped with its reason. With the flag (or `verify_report = true` in the ini), the
report becomes one test item per checklist
line, `reports/README.md::m17.ci`, and one per answer finding, `reports/README.md::answers::Q8::coverage`.
The repository is verified once per process, at collection, and every item reads that one result;
under pytest-xdist the controller and each worker verify once each (a verification costs well under a
second, and re-verifying reads the work tree as it is, which a cache keyed on HEAD would not).

Outcomes: a ticked item whose evidence is absent or only the template's fails; weak evidence passes
with a `WeakEvidenceWarning` (fails with `--verify-strict`); an item the repository cannot show, or
that matches no rule, is skipped with the reason; everything else passes. Every report item carries the
`verify_report` marker (`-m verify_report`). The terminal summary gives score, honesty, the counts per
verdict and the evidence found for boxes that were not ticked.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from . import engine
from .config import Config, ConfigError, find_config
from .config import repository_root as _repository_root
from .discovery import Found, find_report
from .engine import DEFAULT_REPORT, ItemResult, Verification
from .registry import all_rules, unknown_keys
from .repo import Repo
from .report import ReportError
from .sanitize import for_text

MARKER = "verify_report"
FAILING = frozenset({"unsupported", "contradicted", "template-only"})
SKIPPED = frozenset({"unverifiable", "unknown", "skipped"})


class WeakEvidenceWarning(UserWarning):
    """A ticked item whose only support is a weak trace; `--verify-strict` makes it a failure."""


class IncompleteAnswerWarning(UserWarning):
    """An answer left unanswered, or outside its recommended length or image count: a note, not a failure."""


class ReportItemFailure(Exception):
    """A report item that the repository does not support; the text is the whole failure report."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("verifier", "mlops-verifier: check reports/README.md against the repository")
    group.addoption(
        "--verify-report", action="store_true", default=False, help="check the exam report as tests"
    )
    group.addoption(
        "--verify-report-path",
        metavar="FILE",
        default=None,
        help=f"the report to check (default: {DEFAULT_REPORT} of the repository holding the rootdir)",
    )
    group.addoption(
        "--verify-strict",
        action="store_true",
        default=False,
        help="fail ticked items that have only weak evidence",
    )
    parser.addini("verify_report", type="bool", default=False, help="check the exam report as tests")
    parser.addini(
        "verify_report_path", type="string", default="", help="the report to check, relative to the ini file"
    )
    parser.addini(
        "verify_strict", type="bool", default=False, help="fail ticked items that have only weak evidence"
    )


class ReportSession:
    """The one verification of this pytest process, computed on first use and shared by all items."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.enabled: bool = bool(config.getoption("verify_report") or config.getini("verify_report"))
        self.strict: bool = bool(config.getoption("verify_strict") or config.getini("verify_strict"))
        self.root = repository_root(_absolute(config.rootpath))
        self._result: Verification | None = None
        self._error: str | None = None
        self._discovered: tuple[Repo, Found] | None = (
            None  # the report found when reports/README.md is missing
        )
        try:
            self.settings = find_config(_absolute(config.rootpath))
        except ConfigError as error:
            self.settings, self._error = Config(), str(error)

    @cached_property
    def _located(self) -> tuple[Path, bool]:
        """(the report file, whether it was named): the one named by an option, the ini file or the
        configuration, else `reports/README.md`, else the file `verify` would find (verifier.discovery);
        looked for on first use."""
        return self._report_path()

    @property
    def path(self) -> Path:
        return self._located[0]

    @property
    def explicit(self) -> bool:
        """The report was named (option, ini file or configuration), not found."""
        return self._located[1]

    def _report_path(self) -> tuple[Path, bool]:
        option = self.config.getoption("verify_report_path")
        if option:
            return _absolute(self.config.invocation_params.dir / option), True
        ini = self.config.getini("verify_report_path")
        if ini:
            base = self.config.inipath.parent if self.config.inipath else self.root
            return _absolute(base / ini), True
        if self.settings.report and self.settings.source:
            return _absolute(self.root / self.settings.report), True
        default = self.root / DEFAULT_REPORT
        if default.is_file():
            return default, False
        try:
            repo = Repo(self.root)
            found = find_report(repo)
        except (ReportError, OSError):
            return default, False  # verification then says what was searched
        self._discovered = (repo, found)  # verified as found: the engine does not look a second time
        return self.root / found.path, False

    @property
    def shown(self) -> str:
        """The report path as users see it: relative to the repository root when inside it."""
        try:
            return self.path.relative_to(self.root).as_posix()
        except ValueError:
            return str(self.path)

    def verification(self) -> Verification:
        """Verify the repository against the report once; `ReportError` (one line) when there is no report."""
        if self._result is None and self._error is None:
            try:
                self._result = self._verify()
            except ReportError as error:
                self._error = str(error)
        if self._error is not None:
            raise ReportError(self._error)
        assert self._result is not None
        return self._result

    def _verify(self) -> Verification:
        settings = self.settings
        if self.explicit:
            if not self.path.is_file():
                raise ReportError(
                    f"no exam report at {self.shown} (from --verify-report-path, verify_report_path or report in "
                    "[tool.mlops-verifier]): write one, or point at it with --verify-report-path FILE"
                )
            shown = self.shown
            # The engine reads a relative report path from the working directory first, then the repo root.
            relative = shown if _absolute(Path(shown)) == self.path or not Path(shown).exists() else None
            report: str | None = relative or str(self.path)
        else:
            report = None  # as `verify`: reports/README.md, else the report discovery finds
        if (
            report is None
            and not (self.root / DEFAULT_REPORT).is_file()
            and self.path == self.root / DEFAULT_REPORT
        ):
            raise ReportError(
                f"no exam report at {DEFAULT_REPORT} in the repository {self.root}: write one, or point at it with "
                "--verify-report-path FILE (no other tracked Markdown file holds the course checklist or questions)"
            )
        target: Path | Repo = self.root
        given: str | Found | None = report
        if report is None and self._discovered is not None:
            target, given = self._discovered
            self._discovered = None  # the Repo holds the files it read: dropped once verified
        try:
            result = engine.verify(target, report=given, select=settings.select, ignore=settings.ignore)
        except ReportError as error:  # the command line's advice, in the plugin's words
            advice = str(error).replace("use --report FILE", "use --verify-report-path FILE")
            raise ReportError(advice) from None
        # the configuration's own problems, shown in the summary like the repository's warnings
        result.warnings += list(settings.warnings)
        for name, keys in (("select", settings.select or ()), ("ignore", settings.ignore)):
            result.warnings += [
                f"{settings.shown} {name}: {key} names no rule id, id prefix or module"
                for key in unknown_keys(all_rules(), list(keys))
            ]
        return result

    # Collection: the report is added at the session level, so it is checked whatever the test paths
    # are; named on the command line (`pytest reports/README.md::m17.ci`) it is collected as a file.
    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Iterator[None]:
        outcome = yield
        if not isinstance(collector, pytest.Session):
            return
        report = outcome.get_result()
        if report.passed and not collector.isinitpath(self.path):
            report.result.append(ReportFile.from_parent(collector, path=self.path, nodeid=self.shown))

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> ReportFile | None:
        if _absolute(file_path) == self.path and parent.session.isinitpath(file_path):
            return ReportFile.from_parent(parent, path=file_path)
        return None

    def pytest_report_header(self, config: pytest.Config) -> str:
        strict = ", strict" if self.strict else ""
        return f"mlops-verifier: checking {self.shown} against {self.root}{strict}"

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        try:
            result = self.verification()
        except ReportError:
            return
        terminalreporter.section("mlops-verifier")
        for line in summary_lines(result, self.shown):
            terminalreporter.write_line(line)


def repository_root(rootdir: Path) -> Path:
    """The git work tree holding the pytest rootdir (a group may keep its pytest config in a
    subfolder), or the rootdir itself outside git."""
    return _repository_root(rootdir)


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def answer_dicts(result: Verification) -> list[dict[str, Any]]:
    """The answer findings as plain dicts (objects with to_dict() or dicts already)."""
    return [a.to_dict() if hasattr(a, "to_dict") else dict(a) for a in result.answers]


def summary_lines(result: Verification, shown: str) -> list[str]:
    """Score, honesty and counts per verdict; then the evidence found for boxes left unticked."""
    shown = for_text(shown)
    counts = ", ".join(f"{n} {verdict}" for verdict, n in result.counts.items() if n)
    lines = [f"{shown}: score {_fmt(result.score)}, honesty {_fmt(result.honesty)}; {counts or 'no items'}"]
    answers = Counter(for_text(a.get("verdict")) for a in answer_dicts(result))
    if answers:
        lines.append("answers: " + ", ".join(f"{n} {verdict}" for verdict, n in sorted(answers.items())))
    unclaimed = [r for r in result.items if r.verdict == "unclaimed"]
    if unclaimed:
        lines.append("unclaimed evidence (box not ticked, but the repository shows it):")
        for r in unclaimed:
            where = for_text(r.evidence.locations[0]) if r.evidence and r.evidence.locations else ""
            lines.append(f"  {shown}:{r.item.line} {for_text(r.rule)}: {where}")
    for warning in result.warnings:
        lines.append(f"warning: {for_text(warning)}")
    return lines


class ReportFile(pytest.File):
    """The exam report: one item per checklist line, then one per answer finding."""

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        self.add_marker(MARKER)
        session: ReportSession = self.config.stash[SESSION]
        try:
            result = session.verification()
        except ReportError as error:
            raise self.CollectError(f"mlops-verifier: {for_text(error)}") from None
        used: set[str] = set()
        for index, result_item in enumerate(result.items):
            name = _unique(
                result_item.rule or "unknown", result_item.item.line, used, result_item.rule is None
            )
            yield ChecklistTest.from_parent(self, name=name, index=index)
        if result.answers:
            yield AnswerGroup.from_parent(self, name="answers")


def _unique(base: str, line: int, used: set[str], always_suffix: bool = False) -> str:
    name = f"{base}-line-{line}" if always_suffix or base in used else base
    used.add(name)
    return name


class ChecklistTest(pytest.Item):
    """One checklist line of the report, judged from the session's shared verification."""

    def __init__(self, *, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index
        self.result: ItemResult = self.config.stash[SESSION].verification().items[index]
        self.user_properties += [
            ("rule", self.result.rule or ""),
            ("verdict", str(self.result.verdict)),
            ("line", self.result.item.line),
        ]
        if self.result.verdict in SKIPPED:
            reason = f"line {self.result.item.line} {self.name}, {self.result.verdict}: {for_text(self.result.message)}"
            self.add_marker(pytest.mark.skip(reason=reason))

    def runtest(self) -> None:
        verdict, strict = self.result.verdict, self.config.stash[SESSION].strict
        if verdict in FAILING or (verdict == "weakly-supported" and strict):
            raise ReportItemFailure(self._explain())
        if verdict == "weakly-supported":
            warnings.warn_explicit(
                WeakEvidenceWarning(f"{self.name}: weak evidence: {for_text(self.result.message)}"),
                WeakEvidenceWarning,
                str(self.path),
                self.result.item.line,
            )

    def _explain(self) -> str:
        r = self.result
        evidence = r.evidence.status.value if r.evidence else "none"
        strict = " (failed by --verify-strict)" if r.verdict == "weakly-supported" else ""
        lines = [
            f"{for_text(self.config.stash[SESSION].shown)}:{r.item.line}: ticked '{for_text(r.item.text)}'",
            f"rule {for_text(r.rule)}: {r.verdict}{strict}, evidence {evidence}",
            for_text(r.message),
        ]
        if r.evidence and r.evidence.looked_for:
            lines.append("looked for: " + "; ".join(map(for_text, r.evidence.looked_for)))
        if r.evidence and r.evidence.locations:
            lines += ["found only:"] + [f"  {for_text(location)}" for location in r.evidence.locations]
        return "\n".join(lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, (ReportItemFailure, WeakEvidenceWarning)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.result.item.line - 1, f"{self.name} ({self.result.verdict})"


class AnswerGroup(pytest.Collector):
    """The answer findings, one `Q<n>` collector per question."""

    def collect(self) -> Iterator[pytest.Collector]:
        findings = answer_dicts(self.config.stash[SESSION].verification())
        numbers = list(dict.fromkeys(_question_number(f) for f in findings))
        for number in numbers:
            mine = [f for f in findings if _question_number(f) == number]
            yield QuestionGroup.from_parent(self, name=f"Q{number}", number=number, findings=mine)


def _question_number(finding: dict[str, Any]) -> str:
    return str(finding.get("question", "?")).strip().lstrip("Qq") or "?"


class QuestionGroup(pytest.Collector):
    def __init__(self, *, number: str, findings: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.number, self.findings = number, findings

    def collect(self) -> Iterator[pytest.Item]:
        used: set[str] = set()
        for finding in self.findings:
            base = str(finding.get("check") or "check")
            name, n = base, 1
            while name in used:
                n += 1
                name = f"{base}-{n}"
            used.add(name)
            yield AnswerTest.from_parent(self, name=name, finding=finding, number=self.number)


class AnswerTest(pytest.Item):
    """One check of an answer against the repository: consistent passes, inconsistent fails, incomplete
    passes with a warning, and unverifiable is skipped with its reason."""

    def __init__(self, *, finding: dict[str, Any], number: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.finding, self.number = finding, number
        result = self.config.stash[SESSION].verification()
        answer = result.report.answer(int(number)) if result.report and number.isdigit() else None
        self.line: int | None = answer.line if answer else None
        verdict = str(finding.get("verdict"))
        self.user_properties += [("check", self.name), ("verdict", verdict)]
        if verdict not in ("consistent", "inconsistent", "incomplete"):
            reason = f"Question {number} {self.name}, {verdict}: {for_text(finding.get('message', ''))}"
            self.add_marker(pytest.mark.skip(reason=reason))

    def runtest(self) -> None:
        verdict = self.finding.get("verdict")
        if verdict == "inconsistent":
            raise ReportItemFailure(self._explain())
        if verdict == "incomplete":
            warnings.warn_explicit(
                IncompleteAnswerWarning(
                    f"Question {self.number}: {for_text(self.finding.get('message', ''))}"
                ),
                IncompleteAnswerWarning,
                str(self.path),
                self.line or 0,
            )

    def _explain(self) -> str:
        f = self.finding
        shown = for_text(self.config.stash[SESSION].shown)
        where = f"{shown}:{self.line}" if self.line else "the report"
        lines = [f"{where}: the answer to Question {self.number} does not match the repository ({self.name})"]
        lines.append(for_text(f.get("message", "")))
        if f.get("claim") is not None:
            lines.append(f"claimed:  {for_text(f['claim'])}")
        if f.get("observed") is not None:
            lines.append(f"observed: {for_text(f['observed'])}")
        for location in f.get("locations") or ():
            if isinstance(location, dict):
                line = f":{location['line']}" if location.get("line") else ""
                snippet = for_text(location.get("snippet") or "")
                lines.append(f"  at {for_text(location.get('path'))}{line}  {snippet}".rstrip())
            else:
                lines.append(f"  at {for_text(location)}")
        return "\n".join(lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, (ReportItemFailure, WeakEvidenceWarning)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.line - 1 if self.line else None
        return self.path, line, f"answers::Q{self.number}::{self.name} ({self.finding.get('verdict')})"


SESSION = pytest.StashKey[ReportSession]()


def pytest_configure(config: pytest.Config) -> None:
    session = ReportSession(config)
    config.stash[SESSION] = session
    if session.enabled:
        config.addinivalue_line("markers", f"{MARKER}: an item of the exam report (mlops-verifier)")
        config.pluginmanager.register(session, "verifier-report")


@pytest.fixture(scope="session")
def verification(request: pytest.FixtureRequest) -> Verification:
    """The Verification of this repository against its report, computed once per session.

    Works without `--verify-report` too (then the report is verified when a test first asks for it).
    """
    try:
        return request.config.stash[SESSION].verification()
    except ReportError as error:
        message = str(error)
    pytest.fail(f"mlops-verifier: {message}", pytrace=False)
