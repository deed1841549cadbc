"""M5 Git: the repository itself and the group's write access."""

from pathlib import Path

from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule


class GitRepository(Rule):
    """The verified directory is the root of a git repository with at least one commit.

    A plain directory is absent; a directory nested inside another repository's work tree cannot
    show its own history, so it is unverifiable (verify the repository root instead). So is a .git that
    git could not or would not read: one that points outside the directory, another user's repository
    (dubious ownership) or a damaged one, with the reason."""

    id = "m05.git-repository"
    reads_history = True
    modules = ("M5",)
    title = "A git repository"
    texts = ("Create a git repository",)

    def check(self, repo: Repo) -> Evidence:
        history = repo.history
        looked_for = (".git at the verified directory's root",)
        if history.available and history.commits:
            branch = f" on {history.branch}" if history.branch else ""
            snippet = f"{len(history.commits)}{'+' if history.truncated else ''} commits{branch}, HEAD {history.head[:10]}"
            return Evidence.found(f"A git repository with {snippet}.", [Location(".git", None, snippet)])
        if history.unreadable:
            # A .git is there, but git could not or would not read it (refused, another user's, damaged).
            return Evidence.unverifiable(f"A .git is there, but {history.reason}.", looked_for)
        if history.available:
            return Evidence.weak("A git repository without commits.", [Location(".git", None, "no commits")])
        parent = next((p for p in repo.root.parents if (p / ".git").exists()), None)
        if parent is not None:
            return Evidence.unverifiable(
                f"The directory is inside the git work tree of {Path(parent)}, not a repository root of its own.",
                looked_for,
            )
        return Evidence.absent(
            "No git repository: there is no .git at the verified directory's root.", looked_for
        )


class WriteAccess(Rule):
    """At least two human authors in the git history (bots excluded, identities merged by name and
    email). GitHub's access settings are not visible, so a single author is unverifiable."""

    id = "m05.write-access"
    reads_history = True
    modules = ("M5",)
    title = "All members have write access to the GitHub repository"
    texts = (
        "Make sure that all team members have write access to the GitHub repository",
        "Make sure that all team members have write access to the github repository",
    )

    def check(self, repo: Repo) -> Evidence:
        history = repo.history
        looked_for = ("two or more human commit authors in the git history",)
        if not history.available or not history.commits:
            return Evidence.unverifiable(
                f"No git history to read ({history.reason or 'no commits'}).", looked_for
            )
        authors = history.authors()
        names = ", ".join(author.names[0] for author in authors[:6])
        if len(authors) >= 2:
            snippet = f"{len(authors)} authors: {names}"
            return Evidence.found(
                f"{len(authors)} people committed ({names}).", [Location(".git", None, snippet)]
            )
        return Evidence.unverifiable(
            f"Only {len(authors)} commit author ({names or 'none'}); GitHub's access settings cannot be seen.",
            looked_for,
        )
