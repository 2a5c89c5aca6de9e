"""Renderers: each walks the same :class:`~tymdocs.document.Document` and returns bytes."""
