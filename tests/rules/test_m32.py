"""M32 documentation: the template's index page versus the group's own text in it."""

from __future__ import annotations

from collections.abc import Callable

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check

MKDOCS = "site_name: digits\ndocs_dir: source\n"


def test_own_text_in_the_template_index_page_is_found(make_repo: Callable[..., Repo]) -> None:
    index = "# Digits\n\nHow to train the model and call the API:\n\n    uv run train\n"
    repo = make_repo({"docs/mkdocs.yaml": MKDOCS, "docs/source/index.md": index})
    evidence = check("m32.documentation", repo)
    assert evidence.status is Status.FOUND
    assert any(loc.path == "docs/source/index.md" for loc in evidence.locations)


def test_the_template_index_with_any_project_name_is_template(make_repo: Callable[..., Repo]) -> None:
    index = "## Documentation\n\nDocumentation for digit_classifier\n"
    repo = make_repo({"docs/mkdocs.yaml": MKDOCS, "docs/source/index.md": index})
    assert check("m32.documentation", repo).status is Status.TEMPLATE


def test_a_site_outside_docs_is_read_where_its_config_points(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            "website/mkdocs.yml": "site_name: p\ndocs_dir: pages\n",
            "website/pages/usage.md": "# Usage\n\nRun the API.\n",
        }
    )
    evidence = check("m32.documentation", repo)
    assert evidence.status is Status.FOUND and any(
        loc.path == "website/pages/usage.md" for loc in evidence.locations
    )
