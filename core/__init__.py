"""The base every app builds on: model constraints, domain errors and the REST framework pieces.

core imports no app of the project; the apps import it (see the import-linter contract in pyproject.toml).
"""
