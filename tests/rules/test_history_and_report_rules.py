"""Rules that read git history, remotes or the report itself, and the items no repository can show."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from verifier import templates
from verifier.engine import verify
from verifier.evidence import Evidence, Status
from verifier.repo import Repo

from conftest import FIXTURES, check, git, git_init, write_tree

REPORT = "# Exam\n\n## Overall project checklist\n\n### Week 1\n\n* [x] Create a git repository (M5)\n\n## Group information\n"


def group_repo(tmp_path: Path, authors: list[tuple[str, str]]) -> Path:
    root = git_init(write_tree(tmp_path / "group", {"README.md": "# group\n", "reports/README.md": REPORT}))
    for number, author in enumerate(authors):
        (root / f"file{number}.py").write_text(f"x = {number}\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"work {number}", author=author)
    return root


def test_git_repository_found_with_commit_count(tmp_path: Path) -> None:
    evidence = check("m05.git-repository", Repo(group_repo(tmp_path, [])))
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == ".git" and "1 commits on main" in evidence.locations[0].snippet


def test_git_repository_absent_for_a_plain_directory(tmp_path: Path) -> None:
    evidence = check("m05.git-repository", Repo(write_tree(tmp_path / "plain", {"a.py": "x = 1\n"})))
    assert evidence.status in (Status.ABSENT, Status.UNVERIFIABLE)
    assert evidence.looked_for == (".git at the verified directory's root",)


def test_git_repository_without_commits_is_weak(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "new", {"a.py": "x = 1\n"})
    git(root, "init", "-q", "-b", "main")
    assert check("m05.git-repository", Repo(root)).status is Status.WEAK


def test_write_access_needs_two_humans_with_identities_merged(tmp_path: Path) -> None:
    root = group_repo(
        tmp_path,
        [("Lin Zhu", "lin@example.org"), ("linzhu", "lin.zhu@example.org"), ("Ada", "ada@example.org")],
    )
    evidence = check("m05.write-access", Repo(root))
    assert evidence.status is Status.FOUND
    # "Ada" shares the initial committer's email, "linzhu" is "Lin Zhu" without the space: two people.
    assert evidence.locations[0].snippet in (
        "2 authors: Lin Zhu, Ada Student",
        "2 authors: Ada Student, Lin Zhu",
    )


def test_write_access_single_author_and_bots_is_unverifiable(tmp_path: Path) -> None:
    root = group_repo(tmp_path, [("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")])
    evidence = check("m05.write-access", Repo(root))
    assert evidence.status is Status.UNVERIFIABLE
    assert "Only 1 commit author" in evidence.message and evidence.looked_for


@pytest.mark.parametrize(
    "agent",
    [
        ("Copilot", "198982749+Copilot@users.noreply.github.com"),
        ("Claude", "noreply@anthropic.com"),
        ("copilot-swe-agent[bot]", "198982749+copilot-swe-agent[bot]@users.noreply.github.com"),
    ],
)
def test_a_coding_agent_is_not_a_second_member(tmp_path: Path, agent: tuple[str, str]) -> None:
    evidence = check("m05.write-access", Repo(group_repo(tmp_path, [agent])))
    assert evidence.status is Status.UNVERIFIABLE and "Only 1 commit author" in evidence.message


def test_write_access_without_history_is_unverifiable(tmp_path: Path) -> None:
    evidence = check("m05.write-access", Repo(write_tree(tmp_path / "plain", {"a.py": ""})))
    assert evidence.status is Status.UNVERIFIABLE and "No git history" in evidence.message


def test_code_on_github_reads_the_remote(tmp_path: Path) -> None:
    root = group_repo(tmp_path, [])
    git(root, "remote", "add", "origin", "https://github.com/group/project.git")
    evidence = check("extra.code-on-github", Repo(root))
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].snippet == "remote origin = https://github.com/group/project.git"


@pytest.mark.parametrize("remote", [None, "https://gitlab.com/group/project.git"])
def test_code_on_github_without_github_remote_is_unverifiable(tmp_path: Path, remote: str | None) -> None:
    root = group_repo(tmp_path, [])
    if remote:
        git(root, "remote", "add", "origin", remote)
    evidence = check("extra.code-on-github", Repo(root))
    assert evidence.status is Status.UNVERIFIABLE and evidence.looked_for


@pytest.mark.parametrize(
    ("case", "status", "cited"),
    [
        ("found", Status.FOUND, "reports/figures/pipeline.png"),
        ("absent", Status.ABSENT, None),
        ("external", Status.WEAK, "reports/README.md"),
    ],
)
def test_architecture_diagram_reads_the_report(
    case: str, status: Status, cited: str | None, fixture_repo: Callable[..., Repo]
) -> None:
    repo = fixture_repo(f"rules/extra.architecture-diagram/{case}")
    result = verify(repo, check_answers=False)
    (item,) = result.items
    assert item.rule == "extra.architecture-diagram" and item.evidence.status is status
    if cited:
        assert item.evidence.locations[0].path == cited
    else:
        assert "figures/missing.png" in item.message and item.evidence.looked_for


def test_architecture_diagram_course_example_is_template(
    fixture_repo: Callable[..., Repo], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = fixture_repo("rules/extra.architecture-diagram/course-example")
    blob = repo.blob_id("reports/figures/overview.png")
    table = {
        "blobs": [{"id": blob, "file": "reports/figures/overview.png", "template": "DM example"}],
        "stubs": [],
    }
    monkeypatch.setattr(templates, "_table", lambda: table)
    (item,) = verify(repo, check_answers=False).items
    assert item.evidence.status is Status.TEMPLATE and item.verdict == "template-only"


@pytest.mark.parametrize(
    "rule_id",
    ["extra.revisit-description", "extra.shared-understanding", "extra.presentation", "m20.gcp-project"],
)
def test_items_no_repository_can_show_are_unverifiable(rule_id: str, make_repo: Callable[..., Repo]) -> None:
    evidence = check(rule_id, make_repo({"README.md": "everything, really\n"}, git=True))
    assert evidence.status is Status.UNVERIFIABLE
    assert evidence.message and evidence.looked_for


@pytest.mark.parametrize(
    ("link", "stored"),
    [
        ("figures/MLOps%20diagram.png", "reports/figures/MLOps diagram.png"),
        ("<figures/MLOps diagram.png>", "reports/figures/MLOps diagram.png"),
        ("../docs/images/architecture.png", "docs/images/architecture.png"),
        ("./figures/arch.png", "reports/figures/arch.png"),
        ("/docs/arch.png", "docs/arch.png"),
        ("reports/figures/arch.png", "reports/figures/arch.png"),
    ],
)
def test_architecture_links_resolve_as_github_renders_them(tmp_path: Path, link: str, stored: str) -> None:
    source = FIXTURES / "rules" / "extra.architecture-diagram" / "found" / "reports" / "README.md"
    report = re.sub(r"!\[[^\]]*\]\([^)]*\)", f"![architecture]({link})", source.read_text())
    root = git_init(write_tree(tmp_path / "group", {"reports/README.md": report, stored: "png"}))
    result = verify(Repo(root))
    (item,) = result.items
    assert item.evidence.status is Status.FOUND and item.evidence.locations[0].path == stored
    figures = [a for a in result.answers if a.check == "figure"]
    assert figures and all(f.verdict != "inconsistent" for f in figures), [f.message for f in figures]


def test_a_linked_diagram_counts_like_an_embedded_one(tmp_path: Path) -> None:
    source = FIXTURES / "rules" / "extra.architecture-diagram" / "found" / "reports" / "README.md"
    report = re.sub(r"!\[[^\]]*\]\([^)]*\)", "[Our pipeline](figures/arch.png)", source.read_text())
    root = git_init(
        write_tree(tmp_path / "group", {"reports/README.md": report, "reports/figures/arch.png": "png"})
    )
    (item,) = verify(Repo(root), check_answers=False).items
    assert (
        item.evidence.status is Status.FOUND and item.evidence.locations[0].path == "reports/figures/arch.png"
    )


def test_workflow_commit_identities_are_not_members(tmp_path: Path) -> None:
    root = group_repo(tmp_path, [("GitHub Action", "action@github.com")])
    assert check("m05.write-access", Repo(root)).status is Status.UNVERIFIABLE


def _architecture_answer(tmp_path: Path, answer: str, files: dict[str, str | bytes]) -> Evidence:
    source = FIXTURES / "rules" / "extra.architecture-diagram" / "found" / "reports" / "README.md"
    report = re.sub(r"!\[[^\]]*\]\([^)]*\)", answer, source.read_text())
    root = git_init(write_tree(tmp_path / "group", {"reports/README.md": report, **files}))
    (item,) = verify(Repo(root), check_answers=False).items
    return item.evidence


@pytest.mark.parametrize(
    ("answer", "stored"),
    [
        ("The pipeline is drawn in reports/figures/pipeline.png.", "reports/figures/pipeline.png"),
        ("check figures/pipeline.png", "reports/figures/pipeline.png"),
        ("Our diagram (docs/architecture.svg) shows the services.", "docs/architecture.svg"),
    ],
)
def test_a_diagram_named_by_its_path_in_the_answer_counts(tmp_path: Path, answer: str, stored: str) -> None:
    evidence = _architecture_answer(tmp_path, answer, {stored: "png"})
    assert evidence.status is Status.FOUND and evidence.locations[0].path == stored


def test_a_named_path_that_does_not_exist_or_is_a_url_is_no_diagram(tmp_path: Path) -> None:
    answer = "See figures/pipeline.png and https://example.org/figures/pipeline.png for the diagram."
    evidence = _architecture_answer(tmp_path, answer, {"reports/figures/other.png": "png"})
    assert evidence.status is Status.ABSENT and evidence.message == "The architecture answer links no image."


def test_the_course_example_named_by_its_path_is_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = b"course example figure"
    table = {
        "blobs": [{"id": _blob(example), "file": "reports/figures/overview.png", "template": "DM"}],
        "stubs": [],
    }
    monkeypatch.setattr(templates, "_table", lambda: table)
    evidence = _architecture_answer(
        tmp_path, "check reports/figures/overview.png", {"reports/figures/overview.png": example}
    )
    assert evidence.status is Status.TEMPLATE


def _blob(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def test_a_gh_pages_branch_is_read_when_no_workflow_publishes(tmp_path: Path) -> None:
    """The branches are read only when asked for (`History.branches`): the GitHub Pages rule asks when no
    workflow publishes the documentation, and finds the gh-pages branch."""
    root = group_repo(tmp_path, [])
    repo = Repo(root)
    assert check("m32.github-pages", repo).status is Status.ABSENT
    git(root, "branch", "gh-pages")
    repo = Repo(root)
    assert repo.history._branches is None  # not read with the history
    evidence = check("m32.github-pages", repo)
    assert evidence.status is Status.FOUND and evidence.locations[0].snippet == "branch gh-pages"
    assert repo.history._branches == ["gh-pages", "main"]
