"""The packages' covers laid out ahead of the agreement, while the agreement is laid out.

Every cover lists the agreement's parts at their pages, so the covers wait for the agreement's
layout: a build's longest wait. Where the last build into the same folder left the pages it
found (:mod:`tymdocs.hints`), the build's spare thread lays the covers out with those pages as
soon as it has written the DOCX files, beside the agreement's layout. The packages take that
layout only where the agreement's own pages are the same, so that a package's bytes never
depend on the guess; otherwise they lay the covers out as they would have without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from tymdocs.document import Document, Stamp
from tymdocs.model import Agreement

Laid = tuple[bytes, list[dict[str, Any]], list[dict[str, Any]]]
"""What :func:`~tymdocs.render.typst.render_package_pages` gives: the PDF, the signature
boxes and where each cover starts."""


class CoversAhead:
    """The covers and the signature page laid out once with the parts at ``guess`` (pages
    from 1; None: no guess), by whichever thread gets to them first; ``prepare`` makes the
    packages' data for given pages."""

    def __init__(
        self,
        document: Document,
        stamp: Stamp,
        guess: list[int] | None,
        prepare: Callable[[list[int]], dict[str, Any]],
    ) -> None:
        self._document, self._stamp, self._prepare = document, stamp, prepare
        self.guess = guess
        self._lock = threading.Lock()
        self._laid: Future[Laid] | None = None
        self._data: dict[str, Any] | None = None
        self.found: list[int] | None = None
        """The pages the agreement's layout gave its parts (:meth:`take`): the next build's
        hint."""

    def lay_out(self) -> None:
        """Lay the covers out on this thread, unless there is no guess or the packages'
        thread has begun to, or has found the guess wrong. A failure is kept for the packages'
        thread, which meets it only if the guess was right."""
        with self._lock:
            if self.guess is None or self._laid is not None:
                return
            laid: Future[Laid] = Future()
            self._laid = laid
            self._data = data = self._prepare(self.guess)
        self._run(laid, data)

    def take(self, data: dict[str, Any]) -> Laid | None:
        """The covers laid out for ``data`` (the parts at the pages the agreement's layout
        gives them), where the guess was right and a thread has begun them: waited for.
        Otherwise None, for the caller to lay them out, and from then on none are begun."""
        self.found = [part["page"] for part in data["contents"]]
        with self._lock:
            if self._laid is None:  # no thread has begun: none needs to now
                self._laid = Future()
                self._laid.cancel()
                return None
            if data != self._data:  # a layout begun with a wrong guess runs on, unused
                return None
            laid = self._laid
        return laid.result()

    def _run(self, laid: Future[Laid], data: dict[str, Any]) -> None:
        from tymdocs.render.typst import render_package_pages

        try:
            laid.set_result(render_package_pages(self._document, self._stamp, data))
        except BaseException as exc:
            laid.set_exception(exc)
            if not isinstance(exc, Exception):
                raise


def covers_ahead(
    agreement: Agreement, document: Document, stamp: Stamp, pages: object
) -> CoversAhead:
    """The covers to lay out ahead of the agreement, the parts at ``pages``: a hint, the page
    of each part as the last build found it; no guess where it is not one whole number from 1
    per part. Cheap: what the covers are laid out from is made only when they are."""

    def prepare(guess: list[int]) -> dict[str, Any]:
        from tymdocs.signing.packages import covers_data

        return covers_data(agreement, document, stamp, guess)

    guess: list[int] | None = None
    if isinstance(pages, list) and len(pages) == len(document.parts):
        guess = pages if all(type(page) is int and page >= 1 for page in pages) else None
    return CoversAhead(document, stamp, guess, prepare)
