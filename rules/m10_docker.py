"""M10 Docker: the group's Dockerfiles and whether they are built."""

from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule

DOCKERFILE_NAMES = ("Dockerfile", "Dockerfile.*", "*.dockerfile", "*.Dockerfile")


class Dockerfiles(Rule):
    """Dockerfile, Dockerfile.* or *.dockerfile files with a FROM instruction anywhere in the
    repository. Files that are untouched copies of the template's dockerfiles are template."""

    id = "m10.dockerfiles"
    modules = ("M10",)
    title = "One or more Dockerfiles"
    texts = ("Construct one or multiple docker files for your code",)

    def check(self, repo: Repo) -> Evidence:
        real = [d for d in repo.dockerfiles if d.get("FROM")]
        if not real:
            return Evidence.absent(
                "No Dockerfile with a FROM instruction was found.",
                looked_for=DOCKERFILE_NAMES,
            )
        own = [d for d in real if repo.template_match(d.path) is None]
        locations = [repo.location(d.path, d.get("FROM")[0][0]) for d in (own or real)]
        if not own:
            return Evidence.template("Only the template's untouched Dockerfiles were found.", locations)
        names = ", ".join(d.path for d in own[:4])
        return Evidence.found(f"{len(own)} Dockerfile(s): {names}.", locations)


class DockerBuild(Rule):
    """A build wired somewhere that runs: a workflow or Cloud Build step building the Dockerfile,
    docker-compose, or a task. Instructions only are weak; local builds leave no trace otherwise."""

    id = "m10.docker-build"
    modules = ("M10",)
    title = "Docker images built and working"
    texts = ("Build the docker files locally and make sure they work as intended",)
