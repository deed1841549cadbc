"""M32 Documentation."""

from verifier.rule import Rule


class Documentation(Rule):
    """An mkdocs or sphinx site with pages beyond the template's index, or docstring API pages;
    the untouched template docs are template."""

    id = "m32.documentation"
    modules = ("M32",)
    title = "Documentation for the application"
    texts = ("Write some documentation for your application",)


class GithubPages(Rule):
    """A workflow running `mkdocs gh-deploy`, actions/deploy-pages or an equivalent."""

    id = "m32.github-pages"
    modules = ("M32",)
    title = "Documentation published to GitHub Pages"
    texts = ("Publish the documentation to GitHub Pages",)
