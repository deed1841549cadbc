"""A rule's check runs once per repository view (`rule.checked`), whether the engine, a rule that builds on
it or an answer check asks for its evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from verifier.evidence import Evidence, Location, Status
from verifier.repo import Repo
from verifier.rule import Rule, checked, run_rule

from conftest import check


class Counted(Rule):
    id = "test.counted"
    calls = 0
    fail = False

    def check(self, repo: Repo) -> Evidence:
        type(self).calls += 1
        if type(self).fail:
            raise RuntimeError("broken")
        return Evidence.found("found", [Location("a.py", 1, "a")])


class BuildsOnCounted(Rule):
    id = "test.builds-on-counted"

    def check(self, repo: Repo) -> Evidence:
        return checked(Counted, repo)


@pytest.fixture
def counted() -> Iterator[type[Counted]]:
    Counted.calls, Counted.fail = 0, False
    yield Counted


def test_a_rule_asked_again_in_the_same_view_is_checked_once(
    make_repo: Callable[..., Repo], counted: type[Counted]
) -> None:
    repo = make_repo({"a.py": "a = 1\n"})
    first = run_rule(BuildsOnCounted(), repo)
    assert run_rule(Counted(), repo) is first and checked(Counted, repo) is first
    assert counted.calls == 1


def test_another_view_checks_the_rule_again(make_repo: Callable[..., Repo], counted: type[Counted]) -> None:
    repo = make_repo({"a.py": "a = 1\n", "b/c.py": "c = 1\n"})
    run_rule(Counted(), repo)
    run_rule(Counted(), repo.project_view("b"))
    run_rule(Counted(), make_repo({"a.py": "a = 1\n"}))
    assert counted.calls == 3


def test_a_rule_that_raised_is_checked_again_and_reported_each_time(
    make_repo: Callable[..., Repo], counted: type[Counted]
) -> None:
    repo = make_repo({"a.py": "a = 1\n"})
    counted.fail = True
    assert run_rule(BuildsOnCounted(), repo).status is Status.UNVERIFIABLE
    assert "rule test.builds-on-counted failed: RuntimeError: broken" in repo.warnings
    assert run_rule(Counted(), repo).status is Status.UNVERIFIABLE
    assert "rule test.counted failed: RuntimeError: broken" in repo.warnings
    assert counted.calls == 2


def test_naming_the_reports_files_forgets_the_evidence_kept(
    make_repo: Callable[..., Repo], counted: type[Counted]
) -> None:
    repo = make_repo({"a.py": "a = 1\n"})
    run_rule(Counted(), repo)
    repo.report_files = {"reports/README.md"}
    run_rule(Counted(), repo)
    assert counted.calls == 2


def test_a_check_returning_no_evidence_is_not_kept(make_repo: Callable[..., Repo]) -> None:
    class Broken(Rule):
        id = "test.broken"

        def check(self, repo: Repo) -> Evidence:
            return "found"  # type: ignore[return-value]

    repo = make_repo({"a.py": "a = 1\n"})
    assert run_rule(Broken(), repo).status is Status.UNVERIFIABLE
    assert Broken not in repo.rule_evidence


def test_the_composite_wordings_give_what_their_parts_give(make_repo: Callable[..., Repo]) -> None:
    """m14.wandb-sweep and the older m02/m28 wordings take their parts' verdicts from the same view."""
    code = "import wandb\n\nwandb.init(project='p')\nwandb.log({'loss': 1.0})\n"
    repo = make_repo({"src/p/train.py": code})
    wandb = check("m14.wandb", repo)
    both = check("m14.wandb-sweep", repo)
    assert wandb.status is Status.FOUND and both.status is Status.WEAK
    assert both.locations[: len(wandb.locations)] == wandb.locations
    assert check("m14.wandb", repo) is wandb
