"""M26 Frontend."""

import re

from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule

WEB_FILES = ("*.html", "*.js", "*.jsx", "*.ts", "*.tsx", "*.vue", "*.svelte")
# Generated pages (Evidently/coverage reports, built docs, vendored bundles) are not a frontend.
NOT_FRONTEND = (
    r"node_modules|report|htmlcov|(^|/)site/|(^|/)docs?/|\.min\.js$|(^|/)(dist|build|static/vendor)/"
)
MAX_PAGE_BYTES = 200_000
HTTP_CALLS = (
    "requests.get",
    "requests.post",
    "httpx.get",
    "httpx.post",
    "httpx.Client",
    "httpx.AsyncClient",
    "aiohttp.ClientSession",
    "urllib.request.urlopen",
)


class Frontend(Rule):
    """A Streamlit, Gradio or HTML/JS frontend that calls the API; one that never calls it is weak."""

    id = "m26.frontend"
    elsewhere = r"front-?end|streamlit|gradio|react|vue|svelte|next\.js"
    modules = ("M26",)
    title = "Frontend for the API"
    texts = ("Create a frontend for your API",)

    def check(self, repo: Repo) -> Evidence:
        apps = sorted(
            {loc.path for loc in repo.imports("streamlit", "gradio", "nicegui", "dash", "panel", "flet")}
        )
        calling = [loc for path in apps for loc in repo.call_locations(*HTTP_CALLS, paths=[path])]
        calling += repo.call_locations("mount_gradio_app", "gradio.mount_gradio_app")
        web = [
            p
            for p in repo.glob(*WEB_FILES)
            if not re.search(NOT_FRONTEND, p) and repo.size(p) < MAX_PAGE_BYTES
        ]
        fetches = repo.search(r"\bfetch\(|axios\.|XMLHttpRequest", *web, limit=6) if web else []
        if calling or fetches:
            return Evidence.found("A frontend calls the API.", calling + fetches)
        if apps:
            return Evidence.weak(
                "A frontend app exists, but no call to an API was found in it.",
                [Location(p, 1, p) for p in apps],
            )
        return Evidence.absent(
            "No frontend was found.", ("streamlit/gradio apps", "HTML/JS pages calling the API")
        )
