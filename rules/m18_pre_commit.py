"""M18 Pre-commit hooks."""

import re

from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule

SAMPLE_HOOKS = frozenset(
    {"trailing-whitespace", "end-of-file-fixer", "check-yaml", "check-added-large-files"}
)

HOOK_ID_LINE = re.compile(r"^\s*(?:-\s*)?id:", re.IGNORECASE)
# a hook id as written (it comes from the group's file), and not the start of a longer id
HOOK_ID_BEFORE = re.compile(r"id:\s*['\"]?", re.IGNORECASE)
ID_ENDS = re.compile(r"(?![\w-])", re.IGNORECASE)


class PreCommit(Rule):
    """A .pre-commit-config.yaml with hooks beyond `pre-commit sample-config` (e.g. ruff).

    A config that is byte-identical to the template's, or that still has only the four sample hooks
    (whatever their rev, which the template's update bot bumps), is template."""

    id = "m18.pre-commit"
    modules = ("M18",)
    title = "Pre-commit hooks"
    texts = (
        "Add pre-commit hooks to your version control setup",
        "(extra) Implemented pre-commit hooks for your project repository",
    )

    def check(self, repo: Repo) -> Evidence:
        config = repo.precommit
        looked_for = (".pre-commit-config.yaml with hooks beyond the sample config",)
        if config is None:
            return Evidence.absent("No .pre-commit-config.yaml at the repository root.", looked_for)
        path, hooks = config["path"], config["hooks"]
        first = repo.location(path, repo.line_of(path, HOOK_ID_LINE) or 1)
        template = repo.template_match(path)
        if template is not None:
            return Evidence.template(
                f"{path} is the untouched template config ({template.template}).", [first]
            )
        extra = [hook for hook in hooks if hook not in SAMPLE_HOOKS]
        if not extra:
            if not hooks:
                return Evidence.absent(f"{path} defines no hooks.", looked_for)
            return Evidence.template(f"{path} has only the sample hooks: {', '.join(hooks)}.", [first])
        locations = [
            repo.location(path, repo.line_of_value(path, HOOK_ID_BEFORE, hook, ID_ENDS)) for hook in extra[:6]
        ]
        return Evidence.found(f"{path} runs {len(hooks)} hooks, including {', '.join(extra[:5])}.", locations)
