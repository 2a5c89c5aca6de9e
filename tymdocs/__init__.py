"""tymdocs: a TYM cooperation agreement as versioned sources, built into the documents people sign.

The pipeline reads from the module names: ``sources`` (files or a git revision) -> ``model``
(immutable, complete) -> ``document`` (the blocks every renderer walks) -> ``render`` ->
``build`` (outputs and manifest). ``git`` is the only module that talks to git.
"""

__version__ = "0.3.0"
"""Semantic versioning: a new source format or command is a minor release (CHANGELOG.md)."""
