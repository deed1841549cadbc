"""M26 Frontend."""

import re

from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule

WEB_FILES = (
    "*.html",
    "*.htm",
    "*.jinja",
    "*.jinja2",
    "*.j2",
    "*.js",
    "*.mjs",
    "*.cjs",
    "*.jsx",
    "*.ts",
    "*.tsx",
    "*.vue",
    "*.svelte",
)
# Generated pages (Evidently/coverage reports, built docs, vendored bundles) are not a frontend.
NOT_FRONTEND = re.compile(
    r"node_modules|report|htmlcov|(^|/)site/|(^|/)docs?/|\.min\.js$|(^|/)(dist|build|static/vendor)/"
)
PAGE_IN_CODE = re.compile(r"<(script|form)\b", re.IGNORECASE)
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
# A page calls the API from JS (fetch, axios, XMLHttpRequest, jQuery, htmx) or submits a form to it.
JS_CALL = r"\bfetch\(|\baxios[.(]|XMLHttpRequest|\$\.(ajax|post|get|getJSON)\(|\bhx-(post|get)\s*="
FORM_SUBMIT = r"<form\b[^<>]*\b(action\s*=|method\s*=\s*[\"']?post)"
PAGE_CALL = re.compile(f"{JS_CALL}|{FORM_SUBMIT}", re.IGNORECASE)
COMMENT = ("//", "#", "<!--", "*", "/*")


def _page_calls(repo: Repo, path: str, limit: int = 3) -> list[Location]:
    """Lines of a page (read directly: .vue/.svelte/.mjs are no `Repo.search` text suffixes) that call the
    API or submit a form; commented-out lines are skipped."""
    text = repo.read(path) or ""
    hits = []
    for match in PAGE_CALL.finditer(text):
        location = repo.location(path, text.count("\n", 0, match.start()) + 1)
        if not location.snippet.lstrip().startswith(COMMENT):
            hits.append(location)
        if len(hits) >= limit:
            break
    return hits


class Frontend(Rule):
    """A Streamlit, Gradio or HTML/JS frontend that calls the API: a Python app making HTTP calls, a
    page (HTML, Jinja template, JS/TS, Vue, Svelte) that fetches from the API or posts a form to it,
    or such a page embedded in a FastAPI/Flask module. A frontend app that never calls it is weak."""

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
            if not NOT_FRONTEND.search(p) and not repo.is_excluded(p) and repo.size(p) < MAX_PAGE_BYTES
        ]
        # An HTML page held in a Python string and returned by a web app's route.
        servers = sorted({loc.path for loc in repo.imports("fastapi", "flask", "starlette")})
        embedded = [p for p in servers if PAGE_IN_CODE.search(repo.read(p) or "")]
        fetches = [loc for path in web + embedded for loc in _page_calls(repo, path)][:6]
        if calling or fetches:
            return Evidence.found("A frontend calls the API.", calling + fetches)
        if apps:
            return Evidence.weak(
                "A frontend app exists, but no call to an API was found in it.",
                [Location(p, 1, p) for p in apps],
            )
        return Evidence.absent(
            "No frontend was found.",
            (
                "streamlit/gradio apps",
                "HTML/JS/Vue/Svelte pages or templates calling the API or posting a form to it",
            ),
        )
