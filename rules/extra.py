"""Extra items without a module tag."""

import re

from verifier.evidence import Evidence, Location
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


# A plain link to an image file; the link text holds no bracket and the target no closing bracket, so a
# text of `[` or `](` repeated is scanned once.
LINKED_IMAGE = re.compile(
    r"(?<!!)\[[^\[\]]*\]\(\s*<?([^)>\s\]]+\.(?:png|jpe?g|svg|gif|webp|pdf))>?\s*\)", re.IGNORECASE
)

# An image file named by its path in the answer's prose ("see reports/figures/pipeline.png"), not a link:
# a run of path characters ending in an image suffix, not part of a URL or of a longer word.
MENTIONED_IMAGE = re.compile(
    r"(?<![\w/.:-])((?:\.{0,2}/)?(?:[\w.-]+/){0,8}[\w.-]{1,200}\.(?:png|jpe?g|svg|gif|webp))(?![\w/-])",
    re.IGNORECASE,
)


class ArchitectureDiagram(Rule):
    """An image linked from the report's architecture answer (Q29, Q25 in 27-question reports), or named
    by its path in that answer's prose, that exists in the repository and is not the course's example
    figure."""

    id = "extra.architecture-diagram"
    title = "Architectural diagram of the MLOps pipeline"
    texts = ("Create an architectural diagram over your MLOps pipeline",)

    def check(self, repo: Repo) -> Evidence:
        report = repo.report
        if report is None:
            return Evidence.unverifiable(
                "No report was read.", ("the architecture figure linked from the report",)
            )
        answer = report.answer(29) if len(report.answers) > 27 else report.answer(25)
        looked_for = (
            "an image linked from the architecture answer (Q29; Q25 in 27-question reports), or named by its path "
            "there, that exists in the repository",
        )
        if answer is None:
            return Evidence.absent("The architecture answer links no image.", looked_for)
        # A plain link to an image file ([diagram](figures/x.png)) references it as much as embedding it.
        linked = LINKED_IMAGE.findall(answer.text)
        images = list(dict.fromkeys([*answer.images, *linked]))
        base = (repo.report_path or "reports/README.md").rpartition("/")[0]
        if not images:
            # A figure named by its path in the prose is shown to the reader as much as a link; only one
            # that exists counts, looked up as a link from the report's folder or from the repository root.
            images = [
                path
                for mention in dict.fromkeys(MENTIONED_IMAGE.findall(answer.text))
                if (path := _existing_image(repo, mention, base))
            ]
        if not images:
            if re.search(r"```\s*mermaid", answer.text):
                where = Location(
                    repo.report_path or "reports/README.md", answer.line, "mermaid diagram in the answer"
                )
                return Evidence.found("The architecture answer draws a mermaid diagram.", [where])
            return Evidence.absent("The architecture answer links no image.", looked_for)
        found, example, missing, external = [], [], [], []
        for image in images:
            if image.startswith(("http://", "https://")):
                external.append(
                    Location(repo.report_path or "reports/README.md", answer.line, f"external image {image}")
                )
                continue
            path = repo.link_target(image, base)
            if not repo.has(path):
                missing.append(image)
            elif repo.template_match(path):
                example.append(
                    Location(path, None, f"course example figure ({repo.template_match(path).template})")
                )
            else:
                found.append(Location(path, None, f"linked from Question {answer.number}"))
        if found:
            return Evidence.found(f"The architecture answer shows {found[0].path}.", found)
        if example:
            return Evidence.template("The architecture answer shows the course's example figure.", example)
        if external:
            return Evidence.weak(
                "The architecture figure is hosted outside the repository and cannot be checked.", external
            )
        return Evidence.absent(
            f"The linked figure is not in the repository: {', '.join(missing)}.", looked_for
        )


def _existing_image(repo: Repo, mention: str, base: str) -> str | None:
    """The link a mentioned image path stands for: relative to the report's folder (`figures/x.png`) or,
    failing that, to the repository root (`reports/figures/x.png`); None when neither file exists."""
    if repo.has(repo.link_target(mention, base)):
        return mention
    from_root = mention.removeprefix("./")
    if not from_root.startswith("../") and repo.has(from_root):
        return "/" + from_root
    return None


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
    reads_history = True
    title = "All code uploaded to GitHub"
    texts = ("Uploaded all your code to GitHub", "Uploaded all your code to github")

    def check(self, repo: Repo) -> Evidence:
        history = repo.history
        looked_for = ("a github.com remote in the git configuration",)
        if not history.available:
            return Evidence.unverifiable(
                f"No git repository to read remotes from ({history.reason}).", looked_for
            )
        github = {name: url for name, url in history.remotes.items() if "github.com" in url}
        if github:
            name, url = next(iter(github.items()))
            return Evidence.found(
                f"The code is on GitHub ({url}).", [Location(".git/config", None, f"remote {name} = {url}")]
            )
        if history.remotes:
            return Evidence.unverifiable(
                f"The remotes are not on github.com ({', '.join(history.remotes.values())}); it may be a mirror.",
                looked_for,
            )
        return Evidence.unverifiable(
            "The repository has no remote, so where it was pushed cannot be seen.", looked_for
        )


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
