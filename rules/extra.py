"""Extra items without a module tag."""

from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule


class RevisitDescription(Rule):
    """Whether the project turned out as wanted is a reflection, not an artefact: unverifiable."""

    id = "extra.revisit-description"
    title = "Revisit the initial project description"
    texts = ("Revisit your initial project description. Did the project turn out as you wanted?",)

    def check(self, repo: Repo) -> Evidence:
        return Evidence.unverifiable(
            "A reflection on the project description cannot be checked in a repository.",
            looked_for=("nothing: this item is a reflection",),
        )


class ArchitectureDiagram(Rule):
    """An image linked from the report's architecture answer (Q29, Q25 in 27-question reports) that
    exists under reports/ and is not the course's example figure."""

    id = "extra.architecture-diagram"
    title = "Architectural diagram of the MLOps pipeline"
    texts = ("Create an architectural diagram over your MLOps pipeline",)


class SharedUnderstanding(Rule):
    """What every member understands cannot be read from a repository: unverifiable."""

    id = "extra.shared-understanding"
    title = "All members understand all parts of the project"
    texts = (
        "Make sure all group members have an understanding about all parts of the project",
        "Make sure all group members have a understanding about all parts of the project",
    )

    def check(self, repo: Repo) -> Evidence:
        return Evidence.unverifiable(
            "What every group member understands cannot be checked in a repository.",
            looked_for=("nothing: this item is about the group, not the code",),
        )


class CodeOnGithub(Rule):
    """A github.com remote in the repository's git config, or a clone made from GitHub."""

    id = "extra.code-on-github"
    title = "All code uploaded to GitHub"
    texts = ("Uploaded all your code to GitHub", "Uploaded all your code to github")


class Presentation(Rule):
    """2022 wording "Create a presentation explaining your project": given at the exam, unverifiable."""

    id = "extra.presentation"
    title = "Presentation of the project (2022 wording)"
    texts = ("Create a presentation explaining your project",)

    def check(self, repo: Repo) -> Evidence:
        return Evidence.unverifiable(
            "A presentation is given at the exam; the repository cannot show it.",
            looked_for=("nothing: this item cannot be checked from the repository",),
        )
