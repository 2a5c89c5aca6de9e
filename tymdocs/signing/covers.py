"""The packages' covers and signature page, laid out from what they say of their own layout,
and ahead of the agreement, while the agreement is laid out.

A cover names each signature field's page of the signature page, and numbers its own pages
(``Kansilehti 1/1``). Typst could find both itself, but every pass that changed them would lay
every cover out again; given as inputs (``settled``), they stay the same between its passes,
and :func:`lay_out_covers` lays the covers out again only where the layout put a box or a
cover's end elsewhere than they say, until the two agree. What they say then is the layout's
alone (the signature page's boxes do not depend on the covers, and a cover's length only on its
words), so the bytes are the same whatever they were laid out from first.

Every cover also lists the agreement's parts at their pages, so the covers wait for the
agreement's layout: a build's longest wait. Where the last build into the same folder left what
it found (:mod:`tymdocs.hints`), the build's spare thread lays the covers out with those pages as
soon as it has written the DOCX files, beside the agreement's layout (:class:`CoversAhead`). The
packages take that layout only where the agreement's own pages are the same; otherwise they lay
the covers out as they would have without it.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from tymdocs.document import Document, Stamp
from tymdocs.errors import RenderError
from tymdocs.hints import read_hint, write_hint
from tymdocs.model import Agreement

Laid = tuple[bytes, list[dict[str, Any]], list[dict[str, Any]]]
"""What :func:`~tymdocs.render.typst.render_package_pages` gives: the PDF, the signature
boxes and where each cover and the signature page start."""

_PASSES = 4
"""Layouts of the covers before they are taken not to settle: the first guess, the boxes'
pages, the covers' lengths, and one to spare."""


def lay_out_covers(
    document: Document, stamp: Stamp, data: dict[str, Any], settled: object = None
) -> Laid:
    """The covers and the signature page of ``data`` (package.typ's), laid out from what
    they say of their own layout: ``settled`` (a hint, from an earlier layout) where it fits
    ``data``, else every field on the signature page's first page and every cover one page
    long; laid out again from what the layout gave while the two differ. A hint that Typst
    cannot take (a number past what its JSON reads) is dropped for the first guess."""
    fields = [slot["field"] for slot in data["shared"]["expected"]]
    first = {"boxes": dict.fromkeys(fields, 1), "covers": [1] * len(data["parties"])}
    if _fits(settled, fields, len(data["parties"])) and settled != first:
        try:
            return _settle(document, stamp, data, settled)
        except RenderError:
            pass
    return _settle(document, stamp, data, first)


def _settle(document: Document, stamp: Stamp, data: dict[str, Any], said: object) -> Laid:
    """The covers of ``data`` laid out from ``said``, then from what each layout gave, until
    the two agree."""
    from tymdocs.render.typst import render_package_pages

    for _ in range(_PASSES):
        laid = render_package_pages(document, stamp, data | {"settled": said})
        found = settled_of(laid)
        if found == said:
            return laid
        said = found
    raise RenderError("the covers' layout does not settle: their fields' pages keep moving")


def settled_of(laid: Laid) -> dict[str, Any]:
    """What a layout of the covers gives for what they say of it: each field's page of the
    signature page (from 1), and each cover's length in pages."""
    _, boxes, marks = laid
    first = marks[-1]["page"]
    return {
        "boxes": {box["field"]: box["page"] - first + 1 for box in boxes},
        "covers": [after["page"] - start["page"] for start, after in itertools.pairwise(marks)],
    }


def _fits(settled: object, fields: list[str], covers: int) -> bool:
    """``settled`` is what the covers of ``fields`` and ``covers`` could say: a page from 1
    for each field, a length from 1 for each cover, nothing else."""
    if not isinstance(settled, dict) or set(settled) != {"boxes", "covers"}:
        return False
    boxes, lengths = settled["boxes"], settled["covers"]
    return (
        isinstance(boxes, dict)
        and sorted(boxes) == sorted(fields)
        and isinstance(lengths, list)
        and len(lengths) == covers
        and all(type(n) is int and n >= 1 for n in [*boxes.values(), *lengths])
    )


class CoversAhead:
    """The covers laid out once with the parts at ``hint["contents"]`` (pages from 1; no
    hint: none laid out ahead), by the thread that gets to them first; ``prepare`` makes the
    packages' data for given pages; what they were found to say is kept in ``kept_in``."""

    def __init__(
        self,
        document: Document,
        stamp: Stamp,
        hint: dict[str, Any] | None,
        prepare: Callable[[list[int]], dict[str, Any]],
        kept_in: Path | None = None,
    ) -> None:
        self._document, self._stamp, self._prepare = document, stamp, prepare
        self.hint, self._kept_in = hint, kept_in
        self._lock = threading.Lock()
        self._laid: Future[Laid] | None = None
        self._data: dict[str, Any] | None = None
        self.found: dict[str, Any] | None = None
        """What the covers the packages took say (:meth:`covers`): the next build's hint."""

    def lay_out(self) -> None:
        """Lay the covers out on this thread, unless there is no hint or the packages'
        thread has asked for them already. A failure, an interruption too, is kept for the
        packages' thread, which meets it only if the hint was right, and never waits for a
        layout that will not come."""
        laid: Future[Laid] | None = None
        try:
            with self._lock:
                if self.hint is None or self._laid is not None:
                    return
                laid = self._laid = Future()
                self._data = data = self._prepare(self.hint["contents"])
            laid.set_result(lay_out_covers(self._document, self._stamp, data, self._settled()))
        except BaseException as exc:
            if laid is not None and not laid.done():
                laid.set_exception(exc)
            if not isinstance(exc, Exception):
                raise

    def covers(self, data: dict[str, Any]) -> Laid:
        """The covers of ``data`` (the parts at the pages the agreement's layout gives them):
        those laid out ahead where they were begun for the same data (waited for), else laid
        out here; from then on, none are begun ahead."""
        with self._lock:
            if self._laid is None:
                self._laid = Future()
                self._laid.cancel()
            ahead = self._laid if data == self._data else None
        laid = (
            ahead.result()
            if ahead is not None
            else lay_out_covers(self._document, self._stamp, data, self._settled())
        )
        self.found = {"contents": [part["page"] for part in data["contents"]], **settled_of(laid)}
        return laid

    def keep(self) -> None:
        """Keep what the covers the packages took say, for the next build, where it is not
        what the hint said already."""
        if self.found is not None and self.found != self.hint:
            write_hint(self._kept_in, self.found)

    def _settled(self) -> dict[str, Any] | None:
        """What the hint says the covers said: the start for their layout."""
        if self.hint is None:
            return None
        return {"boxes": self.hint.get("boxes"), "covers": self.hint.get("covers")}


def covers_ahead(
    agreement: Agreement, document: Document, stamp: Stamp, kept_in: Path | None
) -> CoversAhead:
    """The covers to lay out ahead of the agreement, from the hint in ``kept_in``, what the
    last build's covers said (:attr:`CoversAhead.found`); none where its parts' pages are not
    one whole number from 1 per part. Cheap: what the covers are laid out from is made only
    when they are."""

    def prepare(pages: list[int]) -> dict[str, Any]:
        from tymdocs.signing.packages import covers_data

        return covers_data(agreement, document, stamp, pages)

    hint = read_hint(kept_in)
    pages = hint.get("contents") if isinstance(hint, dict) else None
    if not isinstance(pages, list) or len(pages) != len(document.parts):
        return CoversAhead(document, stamp, None, prepare, kept_in)
    if not all(type(page) is int and page >= 1 for page in pages):
        return CoversAhead(document, stamp, None, prepare, kept_in)
    assert isinstance(hint, dict)
    return CoversAhead(document, stamp, hint, prepare, kept_in)
