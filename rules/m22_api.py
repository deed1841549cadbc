"""M22 Requests and APIs: a FastAPI inference app."""

from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule

ROUTES = ("get", "post", "put", "websocket", "api_route")
MODEL_USE = (
    "torch.load",
    "load_state_dict",
    "load_from_checkpoint",
    "from_pretrained",
    "InferenceSession",
    "joblib.load",
    "pickle.load",
    "predict",
    "forward",
    "pipeline",
    "jit.load",
    "eval",
    "no_grad",
    "inference_mode",
)


def _route_lines(repo: Repo, path: str) -> list[Location]:
    """Route decorators on an object (`@app.post`, `@router.get`) in a Python file."""
    return [
        repo.location(path, line)
        for name, line in repo.python(path).decorators
        if "." in name and name.rsplit(".", 1)[-1] in ROUTES
    ]


def _linked_app_modules(repo: Repo) -> dict[str, list[str]]:
    """Modules with route decorators but no FastAPI()/APIRouter() of their own, mapped to the modules
    creating a FastAPI app that they import (`from app import app`) or that import them (`register(app)`)."""
    app_files = _calling(repo, "fastapi.FastAPI")
    creators = [p for p in repo.code_files if p in app_files]
    app_or_router_files = _calling(repo, "fastapi.FastAPI", "fastapi.APIRouter")
    linked: dict[str, list[str]] = {}
    for path in repo.code_files:
        if path in app_or_router_files or not _route_lines(repo, path):
            continue
        imported = imported_own_modules(repo, path)
        apps = [c for c in creators if c in imported or path in imported_own_modules(repo, c)]
        if apps:
            linked[path] = apps
    return linked


def fastapi_apps(repo: Repo) -> list[tuple[str, list[Location]]]:
    """(path, route locations) of modules that create a FastAPI app (or APIRouter) and define routes, and
    of route modules wired to an app created in another own module."""
    creating = _calling(repo, "fastapi.FastAPI", "fastapi.APIRouter")
    apps = [(path, _route_lines(repo, path)) for path in repo.code_files if path in creating]
    apps += [(path, _route_lines(repo, path)) for path in _linked_app_modules(repo)]
    return apps


def _calling(repo: Repo, *names: str) -> set[str]:
    """The Python files calling one of `names`, from the repository's index of calls (one look-up, not one
    per file)."""
    return {path for path, _ in repo.calls(*names)}


def module_files(repo: Repo, module: str, path: str) -> list[str]:
    """The group's own files an import of `module` in `path` may resolve to: a package is its
    __init__.py, `from pkg.mod import name` is pkg/mod.py, and `from . import x` is looked up beside `path`."""
    level = len(module) - len(module.lstrip("."))
    dotted = module.lstrip(".").replace(".", "/")
    if level:
        base = "/".join(path.split("/")[:-level])
        dotted = f"{base}/{dotted}".strip("/") if base else dotted
        exact = [f"{dotted}.py", f"{dotted}/__init__.py"]
        if found := [p for p in exact if p in repo.code_files and p != path]:
            return found
    if not dotted:
        return []
    # Only a file whose path holds `dotted` can be the module: the listing's substring search finds those
    # few (in C), instead of a pass over every code file for each import of each module asked about.
    found = [
        candidate
        for candidate in repo.paths_containing(dotted)
        if candidate != path
        and candidate in repo.code_files
        and (
            (stem := (candidate[:-3] if candidate.endswith(".py") else candidate).removesuffix("/__init__"))
            == dotted
            or stem.endswith("/" + dotted)
        )
    ]
    if not found and "/" in dotted:
        return module_files(repo, module.rsplit(".", 1)[0], path)
    return found


def imported_own_modules(repo: Repo, path: str) -> list[str]:
    """Paths of the group's own modules that the Python file `path` imports (absolute or relative)."""
    found: list[str] = []
    for module, _ in repo.python(path).imports:
        found += [m for m in module_files(repo, module, path) if m not in found]
    return found


def _calls_model(repo: Repo, path: str, skip: frozenset[str]) -> bool:
    """Model calls, or an import of own package code other than the modules in `skip`."""
    facts = repo.python(path)
    if facts.calls_to(*MODEL_USE):
        return True
    own = {p.rsplit("/", 1)[-1] for p in repo.package_dirs} | {"src", "models", "model"}
    return any(
        (module.lstrip(".").split(".")[0] in own or module.startswith("."))
        and not ((files := set(module_files(repo, module, path))) and files <= skip)
        for module, _ in facts.imports
    )


def uses_model(repo: Repo, path: str, skip: frozenset[str] = frozenset()) -> bool:
    """The module loads or runs a model, or imports the group's own package code, or imports an own
    helper module that loads or runs one (`from inference import Predictor`). Imports of the modules in
    `skip` (the other half of a split app) do not count as model use."""
    return _calls_model(repo, path, skip) or any(
        _calls_model(repo, m, frozenset()) for m in imported_own_modules(repo, path) if m not in skip
    )


# Other frameworks a group may serve its model with instead of FastAPI (import name -> shown name).
OTHER_SERVING = {
    "flask": "Flask",
    "streamlit": "Streamlit",
    "gradio": "Gradio",
    "bentoml": "BentoML",
    "litserve": "LitServe",
    "django": "Django",
}


def other_serving_apps(repo: Repo) -> list[tuple[str, Location]]:
    """(framework, import location) of the group's modules that import another web framework than FastAPI
    and load or run the model (a Streamlit page classifying uploads, a Flask app with a predict route)."""
    found = []
    for module, shown in OTHER_SERVING.items():
        for location in repo.imports(module):
            if location.path in repo.code_files and uses_model(repo, location.path):
                found.append((shown, location))
    return found


class FastApiApp(Rule):
    """A FastAPI app with a route that runs the group's model, wherever it lives (api/, app/,
    src/<pkg>/), also when FastAPI() and the routes sit in two own modules that import each other, and
    when the model is loaded or called in an own helper module the app imports. An app without model
    use is weak; so is the model served with another framework instead (Flask, Streamlit, Gradio,
    BentoML: real inference, but not the FastAPI the item asks for); the empty template api.py is
    template."""

    id = "m22.fastapi"
    modules = ("M22",)
    title = "FastAPI application doing inference"
    texts = ("Create a FastAPI application that can do inference using your model",)

    def check(self, repo: Repo) -> Evidence:
        apps = [(path, routes) for path, routes in fastapi_apps(repo) if routes]
        linked = _linked_app_modules(repo)
        serving = [
            (path, routes)
            for path, routes in apps
            for group in [frozenset([path, *linked.get(path, ())])]
            if any(uses_model(repo, p, group) for p in group)
        ]
        if serving:
            return Evidence.found(
                f"A FastAPI app serves the model ({', '.join(p for p, _ in serving[:3])}).",
                [r for _, routes in serving for r in routes],
            )
        if apps:
            return Evidence.weak(
                "A FastAPI app exists, but its module loads or calls no model.",
                [r for _, routes in apps for r in routes],
            )
        empty = [
            Location(p, None, "empty file") for p in repo.glob("api.py") if not (repo.read(p) or "").strip()
        ]
        if empty:
            return Evidence.template("Only the template's empty api.py.", empty)
        others = other_serving_apps(repo)
        if others:
            names = sorted({name for name, _ in others})
            return Evidence.weak(
                f"No FastAPI app, but the model is served with {' and '.join(names)} instead "
                f"({', '.join(sorted({loc.path for _, loc in others})[:3])}); the item asks for FastAPI.",
                [loc for _, loc in others],
            )
        return Evidence.absent(
            "No FastAPI app was found.", ("FastAPI() with @app.get/@app.post routes in the code",)
        )
