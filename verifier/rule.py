"""The rule base class: one subclass per checklist item, declared by its id, modules and item texts."""

from __future__ import annotations

import inspect
import re
from enum import Enum
from typing import TYPE_CHECKING, ClassVar

from .evidence import Evidence

if TYPE_CHECKING:
    from .repo import Repo

NOT_IMPLEMENTED = "not implemented yet"
# Each rule's `elsewhere` pattern, compiled when the rule class is defined (the CLI's parent imports the
# rules before it forks a worker per repository): the answers are matched with it in most verifications.
ELSEWHERE: dict[str, re.Pattern[str]] = {}


class Trace(str, Enum):
    """Where the work of a checklist item can live, which decides what the report's answers may settle
    when the repository shows nothing (DESIGN.md, "The answers as a second witness").

    REPOSITORY  the work always leaves files: an empty search means not done; an answer can only deny it.
    CODE        a practice that lives in code or config but can also be run by hand (profiling, coverage,
                TorchServe, GitHub Pages): the answer to its question decides, and silence means absent.
    CONSOLE     work that can be done in a web console or a terminal and leave no file (a bucket, a Cloud
                Run service, a build trigger, alerts, a local docker build): only an artifact in the report
                can support it, and silence leaves it unverifiable.
    """

    REPOSITORY = "repository"
    CODE = "code"
    CONSOLE = "console"


class Rule:
    """Checks one checklist item against a repository.

    Subclasses set:
      id        stable identifier, `m11.hydra` (module number, then a short name)
      modules   course modules the report tags the item with, e.g. ("M11",); () for untagged items
      texts     every wording of the item across course years (matching uses all of them)
      title     one line for `verify --list-rules`
      trace     where the work can live when the repository shows nothing (`Trace`); REPOSITORY unless
                the rule returns unverifiable for an empty search
      reads_history  True for a rule that reads `repo.history`: it runs after the others, so that git
                reads the log while they work instead of being waited for
    and implement `check(repo) -> Evidence`. The class docstring says what counts as evidence; it is
    shown by `--list-rules` and in the documentation, so write it for a student.
    """

    id: ClassVar[str] = ""
    modules: ClassVar[tuple[str, ...]] = ()
    texts: ClassVar[tuple[str, ...]] = ()
    title: ClassVar[str] = ""
    implemented: ClassVar[bool] = True
    trace: ClassVar[Trace] = Trace.REPOSITORY
    reads_history: ClassVar[bool] = False
    # Regex naming the work in the report's answers; an absent finding whose answer also links a URL
    # for it (a frontend on Vercel, docs on github.io) becomes unverifiable: it may live elsewhere.
    elsewhere: ClassVar[str] = ""

    def check(self, repo: Repo) -> Evidence:
        return Evidence.unverifiable(NOT_IMPLEMENTED, details={"implemented": False})

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "").strip()

    @classmethod
    def summary(cls) -> str:
        return cls.docs().split("\n\n")[0].replace("\n", " ")

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.elsewhere:
            ELSEWHERE[cls.elsewhere] = re.compile(cls.elsewhere, re.IGNORECASE)
        if "check" not in cls.__dict__ and "implemented" not in cls.__dict__ and cls.id:
            cls.implemented = False


def checked(rule_class: type[Rule], repo: Repo) -> Evidence:
    """The evidence `rule_class` gives in `repo`, its check run once per repository view (`Repo.rule_evidence`).

    For a rule that builds on a sibling rule's verdict (a wording that asks for two items at once, as
    W&B logging and a sweep; a fallback, as a non-conda environment for the conda wording): the sibling
    is often matched to a checklist item of its own or asked again by the answer checks (`run_rule`),
    and its check is the same work each time. An exception propagates, as from `check` itself, to the
    caller's `run_rule`, which reports it."""
    return _checked_once(rule_class(), repo)


def _checked_once(rule: Rule, repo: Repo) -> Evidence:
    """`rule.check(repo)`, kept in `repo.rule_evidence` by the rule's class (a rule's evidence depends on the
    repository view alone) unless it raised. TypeError for a check that returns no Evidence."""
    kept = repo.rule_evidence
    evidence = kept.get(type(rule))
    if evidence is None:
        evidence = rule.check(repo)
        if not isinstance(evidence, Evidence):
            raise TypeError(f"check() returned {type(evidence).__name__}, not Evidence")
        kept[type(rule)] = evidence
    return evidence


def run_rule(rule: Rule, repo: Repo) -> Evidence:
    """A rule's evidence (its check run once per repository view, `checked`); a rule that raises gives
    unverifiable evidence naming the error (and a warning), so one broken rule never costs the other items.

    A `MemoryError` is not a broken rule but a verification over its memory budget (`verify --max-memory`):
    it propagates, so the repository fails as a whole with "over its memory budget" instead of giving a
    result whose items depend on how much memory was left."""
    try:
        return _checked_once(rule, repo)
    except MemoryError:
        raise
    except Exception as error:
        repo.warn(f"rule {rule.id} failed: {type(error).__name__}: {error}")
        return Evidence.unverifiable(f"the rule failed with {type(error).__name__}: {error}")
