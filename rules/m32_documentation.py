"""M32 Documentation."""

import posixpath
import re

from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule, Trace
from verifier.textsearch import prepared

TEMPLATE_INDEX_LINE = re.compile(r"^(#+\s*Documentation|Documentation for .*)$")


def _template_index(text: str) -> bool:
    """The template's docs/source/index.md ("## Documentation" / "Documentation for <project>"), whatever
    the project name: a page with any line beyond those is the group's own."""
    return all(TEMPLATE_INDEX_LINE.match(line.strip()) for line in text.splitlines() if line.strip())


def _docs_folder(repo: Repo, config: str) -> str:
    """The folder holding the pages of an mkdocs or sphinx config: mkdocs' docs_dir (default docs/) next to
    the config, or the sphinx conf.py's own folder."""
    base = config.rpartition("/")[0]
    if config.endswith("conf.py"):
        return f"{base}/" if base else ""
    settings = repo.yaml(config)
    docs_dir = settings.get("docs_dir", "docs") if isinstance(settings, dict) else "docs"
    return posixpath.normpath(posixpath.join(base, str(docs_dir))) + "/"


API_PAGE_DIRECTIVE = prepared(r"^:::\s*\w|automodule::|autofunction::")
MANUAL_GH_DEPLOY = prepared(r"mkdocs\s+gh-deploy")
# A workflow step publishing to GitHub Pages (`Step.runs`: any line of its script, ignoring case).
PAGES_DEPLOY_STEP = prepared(re.compile(r"mkdocs\s+gh-deploy|ghp-import", re.IGNORECASE | re.MULTILINE))


class Documentation(Rule):
    """An mkdocs or sphinx site with pages beyond the template's index, or docstring API pages;
    the untouched template docs are template."""

    id = "m32.documentation"
    elsewhere = r"documentation|\bdocs\b|github\.io|mkdocs"
    modules = ("M32",)
    title = "Documentation for the application"
    texts = ("Write some documentation for your application",)

    def check(self, repo: Repo) -> Evidence:
        configs = repo.glob("mkdocs.yml", "mkdocs.yaml", "conf.py", "docs/mkdocs.yaml", "docs/mkdocs.yml")
        configs = [
            p
            for p in configs
            if p.endswith(("mkdocs.yml", "mkdocs.yaml")) or "sphinx" in (repo.read(p) or "")
        ]
        folders = tuple(_docs_folder(repo, p) for p in configs) or ("docs/",)
        pages = [
            p
            for p in repo.glob("*.md", "*.rst")
            if p.startswith(folders) and not p.endswith("README.md") and not repo.is_excluded(p)
        ]
        own_pages = [
            p for p in pages if repo.template_match(p) is None and not _template_index(repo.read(p) or "")
        ]
        api_pages = repo.search(API_PAGE_DIRECTIVE, *pages, limit=3) if pages else []
        if configs and (own_pages or api_pages):
            return Evidence.found(
                f"A documentation site with {len(pages)} page(s).",
                [Location(configs[0], 1, configs[0])]
                + [Location(p, 1, p) for p in own_pages[:3]]
                + api_pages,
            )
        if configs or pages:
            return Evidence.template(
                "Only the template's documentation skeleton.",
                [Location(p, 1, p) for p in (configs + pages)[:4]],
            )
        return Evidence.absent(
            "No documentation site was found.", ("mkdocs.yml / Sphinx conf.py with pages in docs/",)
        )


class GithubPages(Rule):
    """A workflow running `mkdocs gh-deploy`, actions/deploy-pages or an equivalent."""

    id = "m32.github-pages"
    reads_history = True
    trace = Trace.CODE
    elsewhere = r"documentation|\bdocs\b|github\.io|mkdocs"
    modules = ("M32",)
    title = "Documentation published to GitHub Pages"
    texts = ("Publish the documentation to GitHub Pages",)

    def check(self, repo: Repo) -> Evidence:
        deploys = [
            repo.location(w.path, s.line or None, s.text or s.uses)
            for w in repo.workflows
            for s in w.steps
            if s.runs(PAGES_DEPLOY_STEP)
            or s.uses.split("@")[0]
            in {"actions/deploy-pages", "peaceiris/actions-gh-pages", "JamesIves/github-pages-deploy-action"}
        ]
        if deploys:
            return Evidence.found("A workflow publishes the documentation to GitHub Pages.", deploys)
        branch = [b for b in repo.history.branches if b.split("/")[-1] == "gh-pages"]
        if branch:
            return Evidence.found(
                "A gh-pages branch exists (the documentation was published).",
                [Location(".git", None, f"branch {branch[0]}")],
            )
        manual = repo.search(MANUAL_GH_DEPLOY, "tasks.py", "Makefile", "*.sh", "*.md", limit=3)
        if manual:
            return Evidence.weak("mkdocs gh-deploy is only run by hand; a gh-pages branch may exist.", manual)
        return Evidence.absent(
            "No GitHub Pages publishing was found.",
            ("a workflow running mkdocs gh-deploy or actions/deploy-pages",),
        )
