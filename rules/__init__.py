"""Built-in rules, one file per course module and one class per checklist item.

Installed, this folder is the package `verifier.rules` (see pyproject.toml): there is no top-level
`rules` import name.
"""
