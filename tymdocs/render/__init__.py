"""Renderers: each walks the same :class:`~tymdocs.document.Document` and returns bytes."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
"""The templates shipped in the package (Typst's and the DOCX's), files on disk: Typst reads
them by path, and ``importlib.resources`` cost a build 2 ms to find the same folder."""
