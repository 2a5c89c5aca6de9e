"""Signature packages assembled from the pages of two Typst PDFs, with metadata of their own.

A package is its party's cover, the agreement PDF's own pages and the signature page: Typst
lays the agreement out once a build (the agreement PDF), and every cover and the signature page
once, together, in a second, small document (templates/package.typ). :meth:`LaidOut.package`
keeps the objects that the kept pages and the covers document's catalog reach, from both PDFs,
and writes them again, numbered from 1, under a page tree, page labels, bookmarks (the
agreement's, then the signature page's), document information and XMP metadata of their own;
fonts, contents and the output intent are the documents', untouched, and the agreement's pages
lose their marks into its structure tree (a package is PDF/A-2b, untagged). Written here rather
than with a PDF library (pikepdf): the PDFs it reads are Typst's own (a classic
cross-reference table, dictionaries uncompressed), its output is a pure function of its input,
and it costs nothing to import; the README gives the measurements.

Any other structure is refused with a :class:`RenderError`, never guessed at: a Typst that
writes its PDFs otherwise fails the tests, not a package.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from tymdocs.errors import RenderError


@dataclass(frozen=True)
class Metadata:
    """What an assembled PDF says of itself, in its document information and its XMP alike."""

    title: str
    subject: str
    keywords: tuple[str, ...]


class LaidOut:
    """A Typst PDF, read once, to take pages out of for any number of packages."""

    def __init__(self, pdf: bytes) -> None:
        self.objects = objects = Objects(pdf)
        self.catalog, self._info = objects.trailer_ref(b"Root"), objects.trailer_ref(b"Info")
        catalog = objects.body(self.catalog)
        self.tree = _ref(catalog, b"Pages")
        self.pages = objects.page_objects(nested=False)
        self._labels = _optional_ref(catalog, b"PageLabels")
        self._metadata = _ref(catalog, b"Metadata")
        self.outline = _optional_ref(catalog, b"Outlines")
        self.structure = _optional_ref(catalog, b"StructTreeRoot")
        self._kept: dict[tuple[int, int], dict[int, _Parsed]] = {}

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def outline_pages(self) -> list[int]:
        """The page (0-based) each top-level bookmark leads to, in order."""
        if self.outline is None:
            return []
        objects, at = self.objects, {page: index for index, page in enumerate(self.pages)}
        found, seen, item = [], set(), _optional_ref(objects.body(self.outline), b"First")
        while item is not None:
            if item in seen:
                raise RenderError("unexpected PDF structure: bookmarks that go round")
            seen.add(item)
            body = objects.body(item)
            refs = _refs(objects.body(_ref(body, b"Dest")))  # [page /XYZ left top zoom]
            if not refs or refs[0] not in at:
                raise RenderError("unexpected PDF structure: a bookmark without a page")
            found.append(at[refs[0]])
            item = _optional_ref(body, b"Next")
        return found

    def package(
        self,
        cover: Sequence[int],
        body: LaidOut,
        signatures: Sequence[int],
        prefixes: tuple[str, str],
        metadata: Metadata,
    ) -> bytes:
        """The PDF of this document's ``cover`` pages (0-based), every page of ``body``, and
        this document's ``signatures`` pages, with ``metadata``: the catalog, output intent and
        names this document's, the bookmarks ``body``'s then this one's, and each part's pages
        labelled from 1 (the cover's and the signature page's after ``prefixes``), as their
        footers number them."""
        objects, shift = self.objects, self.objects.size  # body's objects follow this one's
        kept = [self.pages[index] for index in cover]
        kept += [page + shift for page in body.pages]
        kept += [self.pages[index] for index in signatures]
        identifier = hashlib.sha256(
            objects.trailer_id
            + body.objects.trailer_id
            + "\0".join((metadata.title, *metadata.keywords)).encode()
        ).hexdigest()[:32]
        if self._labels is None:
            raise RenderError("unexpected PDF structure: no /PageLabels")
        start, end = len(cover), len(cover) + body.page_count
        replaced = {
            self.tree: b"<</Type/Pages/Count %d/Kids[%s]>>"
            % (len(kept), b" ".join(b"%d 0 R" % page for page in kept)),
            # A page an e-signing service adds after the signature page is numbered as it
            # stands in the file (16, 17), not as a signature page of the package's.
            self._labels: b"<</Nums[0<</S/D/P%s>>%d<</S/D>>%d<</S/D/P%s>>%d<</S/D/St %d>>]>>"
            % (
                _text_string(prefixes[0]),
                start,
                end,
                _text_string(prefixes[1]),
                len(kept),
                len(kept) + 1,
            ),
            self._info: _info(objects.body(self._info), metadata),
            self._metadata: _xmp(objects.body(self._metadata), metadata, len(kept), identifier),
        }
        aliases = self._joined_outlines(body, shift, replaced)
        parsed = body._kept_pages(shift, self.tree) | {
            number: _Parsed(value) for number, value in replaced.items()
        }

        def read(number: int) -> _Parsed:
            if number in parsed:
                return parsed[number]
            if number < shift:
                return objects.parsed(number)
            return body.objects.parsed(number - shift, shift)

        refused = {page for page in self.pages if page not in kept}
        refused |= {body.tree + shift, body.catalog + shift}
        refused |= {body.structure + shift} if body.structure is not None else set()
        reached = _reachable((self.catalog, self._info), read, aliases, refused)
        numbers = {old: new for new, old in enumerate(reached, start=1)}
        numbers |= {alias: numbers[target] for alias, target in aliases.items()}

        out = bytearray(objects.header)
        offsets = []
        for old in reached:
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (numbers[old], read(old).renumbered(numbers))
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(offsets) + 1)
        out += b"".join(b"%010d 00000 n\r\n" % offset for offset in offsets)
        out += b"trailer\n<</Size %d/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]>>\n" % (
            len(offsets) + 1,
            numbers[self.catalog],
            numbers[self._info],
            identifier.upper().encode(),
            identifier.upper().encode(),
        )
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)

    def _kept_pages(self, shift: int, tree: int) -> dict[int, _Parsed]:
        """This document's pages as a package keeps them, its objects numbered after
        ``shift`` and its pages under the page tree ``tree``: without their marks into the
        structure tree (a package is untagged). Made once for every package."""
        key = (shift, tree)
        if key not in self._kept:
            self._kept[key] = {}
            for page in self.pages:
                untagged = re.sub(rb"/StructParents \d+|/Tabs/S", b"", self.objects.body(page))
                renumbered = _Parsed(untagged, shift).renumbered({self.tree + shift: tree}, shift)
                self._kept[key][page + shift] = _Parsed(renumbered)
        return self._kept[key]

    def _joined_outlines(
        self, body: LaidOut, shift: int, replaced: dict[int, bytes]
    ) -> dict[int, int]:
        """``body``'s top-level bookmarks, then this document's, under this document's outline
        root (in ``replaced``, by number after ``shift``); ``body``'s root an alias of it."""
        if body.outline is None or self.outline is None:
            raise RenderError("unexpected PDF structure: no bookmarks")
        objects, theirs = self.objects, body.objects
        root, other = objects.body(self.outline), theirs.body(body.outline)
        first, last = _ref(root, b"First"), _ref(root, b"Last")
        their_first, their_last = _ref(other, b"First") + shift, _ref(other, b"Last") + shift
        count = _count(root) + _count(other)
        replaced[self.outline] = b"<</Type/Outlines/First %d 0 R/Last %d 0 R/Count %d>>" % (
            their_first,
            last,
            count,
        )
        tail = theirs.parsed(their_last - shift, shift).renumbered({}, shift)
        replaced[their_last] = b"<</Next %d 0 R%s" % (first, tail[2:])
        head = objects.body(first)
        replaced[first] = b"<</Prev %d 0 R%s" % (their_last, head[2:])
        return {body.outline + shift: self.outline}


def _reachable(
    roots: tuple[int, ...],
    read: Callable[[int], _Parsed],
    aliases: dict[int, int],
    refused: set[int],
) -> list[int]:
    """Every object that ``roots`` lead to, in order, an alias read as its target; refused
    where that is one of ``refused`` (a page of another cover, the agreement's own tree)."""
    seen: set[int] = set()
    todo = list(roots)
    while todo:
        number = todo.pop()
        number = aliases.get(number, number)
        if number in seen:
            continue
        if number in refused:
            raise RenderError(f"a kept page refers to object {number}, which is left out")
        seen.add(number)
        todo += read(number).refs
    return sorted(seen)


class _Parsed:
    """An object's bytes split at its references, to write it again under other numbers."""

    def __init__(
        self, body: bytes, shift: int = 0, spans: list[tuple[int, int]] | None = None
    ) -> None:
        """``spans``: where the references stand in ``body``, where already known."""
        self.pieces: list[bytes] = []
        self.refs: list[int] = []
        at = 0
        for start, end in _scan(body, 0)[1] if spans is None else spans:
            self.pieces.append(body[at:start])
            self.refs.append(int(body[start:end].split()[0]) + shift)
            at = end
        self.pieces.append(body[at:])

    def renumbered(self, numbers: dict[int, int], shift: int | None = None) -> bytes:
        """The object with each reference's number from ``numbers``; with ``shift``, a number
        that ``numbers`` lacks stays as it is (already moved by ``shift`` when parsed)."""
        out = [self.pieces[0]]
        for ref, piece in zip(self.refs, self.pieces[1:], strict=True):
            number = numbers[ref] if shift is None else numbers.get(ref, ref)
            out += (b"%d 0 R" % number, piece)
        return b"".join(out)


class Objects:
    """A Typst PDF's objects by number, from its cross-reference table, each parsed once: what
    the cutter and the signature-field writer (signing/fields.py) read a PDF of ours with."""

    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf
        found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf[-1024:])
        if found is None:
            raise RenderError("unexpected PDF structure: no startxref at the end")
        self.xref = xref = int(found.group(1))
        section = re.match(rb"xref\n0 (\d+)\r?\n", pdf[xref : xref + 64])
        if section is None:
            raise RenderError("unexpected PDF structure: not one classic cross-reference section")
        count, first = int(section.group(1)), xref + section.end()
        table = pdf[first : first + 20 * count]
        self.offsets = {
            number: int(table[20 * number : 20 * number + 10])
            for number in range(1, count)
            if table[20 * number + 17 : 20 * number + 18] == b"n"
        }
        self.header = pdf[: min(self.offsets.values())]  # "%PDF-1.7" and the binary line
        trailer = re.search(rb"trailer\s*<<(.*?)>>\s*startxref", pdf[first + 20 * count :], re.S)
        if trailer is None:
            raise RenderError("unexpected PDF structure: no trailer")
        self.trailer = trailer.group(1)
        self.size = count
        identifier = re.search(
            rb"/ID\s*\[\s*(<[0-9A-Fa-f\s]*>|\((?:[^()\\]|\\.)*\))", self.trailer, re.S
        )
        self.trailer_id = identifier.group(1) if identifier else b""
        self._parsed: dict[tuple[int, int], _Parsed] = {}

    def trailer_ref(self, key: bytes) -> int:
        return _ref(self.trailer, key)

    def page_objects(self, *, nested: bool = True) -> list[int]:
        """The page objects in order, walking the page tree from the catalog; without
        ``nested``, a tree of more than one level is refused."""

        def walk(node: int) -> list[int]:
            pages: list[int] = []
            for kid in _refs(_entry(self.body(node), b"Kids")):
                if re.search(rb"/Type\s*/Pages\b", self.body(kid)) is None:
                    pages.append(kid)
                elif nested:
                    pages += walk(kid)
                else:
                    raise RenderError("unexpected PDF structure: a nested page tree")
            return pages

        return walk(_ref(self.body(self.trailer_ref(b"Root")), b"Pages"))

    def body(self, number: int) -> bytes:
        """What object ``number`` holds between ``N 0 obj`` and ``endobj``, stream included."""
        start, stop, _ = self._locate(number)
        return self.pdf[start:stop]

    def parsed(self, number: int, shift: int = 0) -> _Parsed:
        """Object ``number``, its references moved by ``shift`` (another PDF's objects after
        these), parsed once."""
        key = (number, shift)
        if key not in self._parsed:
            start, stop, spans = self._locate(number)
            inside = [(begin - start, end - start) for begin, end in spans]
            self._parsed[key] = _Parsed(self.pdf[start:stop], shift, inside)
        return self._parsed[key]

    def _locate(self, number: int) -> tuple[int, int, list[tuple[int, int]]]:
        """Where object ``number`` starts and ends in the PDF, and its references stand."""
        start = self.offsets.get(number)
        header = b"%d 0 obj\n" % number
        if start is None or not self.pdf.startswith(header, start):
            raise RenderError(f"unexpected PDF structure: object {number} not found")
        start += len(header)
        after, spans = _scan(self.pdf, start)
        return start, self._end(start, after), spans

    def _end(self, start: int, after: int) -> int:
        """Where the object from ``start`` ends, its value at ``after``: after its stream's
        /Length bytes, if any."""
        head = self.pdf[start:after]
        if self.pdf.startswith(b"\nstream\n", after):
            length = re.search(rb"/Length (\d+)(?! \d+ R)", head)
            if length is None:
                raise RenderError("unexpected PDF structure: a stream without a direct /Length")
            after += len(b"\nstream\n") + int(length.group(1))
            if not self.pdf.startswith(b"\nendstream", after):
                raise RenderError("unexpected PDF structure: a stream of another length")
            after += len(b"\nendstream")
        if not self.pdf.startswith(b"\nendobj", after):
            raise RenderError("unexpected PDF structure: an object that does not end")
        return after


_NEXT = re.compile(rb"<<|>>|[(<]|(?<![\w.+-])(\d+) \d+ R(?!\w)")
_PARENTHESIS = re.compile(rb"[()\\]")


def _tokens(
    data: bytes, start: int = 0, stop: int | None = None
) -> Iterator[tuple[bytes, int, int]]:
    """What the cutter needs of ``data`` from ``start`` (to ``stop``), in order, as (kind,
    start, end): ``<<`` and ``>>``, a string (``(`` or ``<``), skipped whole whatever it holds,
    and a reference (``R``); the rest passes unread."""
    index, stop = start, len(data) if stop is None else stop
    while (found := _NEXT.search(data, index, stop)) is not None:
        token, begin = found.group(0), found.start()
        if token == b"(":
            index, kind = _literal_end(data, begin), b"("
        elif token == b"<":  # a hex string
            index, kind = data.find(b">", begin) + 1, b"<"
            if index == 0:
                raise RenderError("unexpected PDF structure: an unended hex string")
        else:
            index, kind = found.end(), b"R" if found.group(1) else token
        yield kind, begin, index


def _literal_end(data: bytes, start: int) -> int:
    """Where the literal string at ``start`` ends: its parentheses balanced, as PDF allows
    them unescaped, an escaped character skipped."""
    depth, index = 0, start
    while (found := _PARENTHESIS.search(data, index)) is not None:
        index = found.end()
        match found.group(0):
            case b"\\":
                index += 1
            case b"(":
                depth += 1
            case _:
                depth -= 1
                if depth == 0:
                    return index
    raise RenderError("unexpected PDF structure: an unbalanced string")


def _scan(data: bytes, start: int) -> tuple[int, list[tuple[int, int]]]:
    """Where the value at ``start`` ends, before any stream (a dictionary at its closing
    ``>>``, anything else at ``endobj``), and where each reference in it stands."""
    refs: list[tuple[int, int]] = []
    if not data.startswith(b"<<", start):
        end = data.find(b"\nendobj", start)
        end = len(data) if end < 0 else end
        return end, [(s, e) for kind, s, e in _tokens(data, start, end) if kind == b"R"]
    depth = 0
    for kind, begin, end in _tokens(data, start):
        if kind == b"R":
            refs.append((begin, end))
        elif kind == b"<<":
            depth += 1
        elif kind == b">>":
            depth -= 1
            if depth == 0:
                return end, refs
    raise RenderError("unexpected PDF structure: an unbalanced dictionary")


def _head(data: bytes, start: int) -> bytes:
    """The object's value before any stream: the dictionary, array or plain value."""
    return data[start : _scan(data, start)[0]]


def _refs(value: bytes) -> list[int]:
    """The object numbers ``value`` refers to, in order, strings skipped."""
    return [int(value[start:end].split()[0]) for kind, start, end in _tokens(value) if kind == b"R"]


def _keys(dictionary: bytes) -> bytes:
    """What a key is looked up in: the dictionary (or a trailer's entries) before any stream,
    every string's bytes blanked, so that a bookmark's title such as ``3 Toimialue /Dest 5 0
    R`` is never taken for a key."""
    out, depth = bytearray(dictionary), 0
    for kind, start, end in _tokens(dictionary):
        if kind in (b"(", b"<"):
            out[start:end] = b" " * (end - start)
        elif kind == b"<<":
            depth += 1
        elif kind == b">>":
            depth -= 1
            if depth == 0:
                return bytes(out[:end])
    return bytes(out)


def _ref(dictionary: bytes, key: bytes) -> int:
    found = _optional_ref(dictionary, key)
    if found is None:
        raise RenderError(f"unexpected PDF structure: no /{key.decode()} reference")
    return found


def _count(outline: bytes) -> int:
    found = re.search(rb"/Count (-?\d+)", _keys(outline))
    return int(found.group(1)) if found else 0


def _optional_ref(dictionary: bytes, key: bytes) -> int | None:
    found = re.search(rb"/%s (\d+) 0 R" % key, _keys(dictionary))
    return int(found.group(1)) if found else None


def _entry(dictionary: bytes, key: bytes) -> bytes:
    found = re.search(rb"/%s\s*\[([^\]]*)\]" % key, _keys(dictionary))
    if found is None:
        raise RenderError(f"unexpected PDF structure: no /{key.decode()} array")
    return found.group(1)


def _text_string(text: str) -> bytes:
    """A PDF text string as Typst writes one: printable ASCII as a literal string, anything
    else in UTF-16BE with a byte-order mark, as hex (``verify`` reads the keywords literal)."""
    if text.isascii() and text.isprintable():
        return b"(" + re.sub(rb"([\\()])", rb"\\\1", text.encode()) + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _info(info: bytes, metadata: Metadata) -> bytes:
    """Typst's document information with the title, subject and keywords of ``metadata``."""
    values = {
        b"Title": metadata.title,
        b"Subject": metadata.subject,
        b"Keywords": ", ".join(metadata.keywords),
    }
    if not info.startswith(b"<<"):
        raise RenderError("unexpected PDF structure: document information is not a dictionary")
    kept, at = [b"<<"], 2
    for kind, start, end in _tokens(info, 2):
        key = next((key for key in values if info.endswith(b"/" + key, 0, start)), None)
        if kind in (b"(", b"<") and key is not None:
            kept.append(info[at : start - len(key) - 1])
            at = end
    kept.append(info[at:])
    entries = b"".join(b"/%s%s" % (key, _text_string(value)) for key, value in values.items())
    return kept[0] + entries + b"".join(kept[1:])


_XMP_FIELDS = (
    (rb"(<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">).*?(</rdf:li>)", "title"),
    (rb"(<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">).*?(</rdf:li>)", "subject"),
    (rb"(<pdf:Keywords>).*?(</pdf:Keywords>)", "keywords"),
    (rb"(<xmpTPg:NPages>).*?(</xmpTPg:NPages>)", "pages"),
)


def _xmp(stream: bytes, metadata: Metadata, pages: int, identifier: str) -> bytes:
    """Typst's XMP with the title, subject, keywords, page count and instance of this PDF."""
    head = _head(stream, 0)
    xml = stream[len(head) + len(b"\nstream\n") : -len(b"\nendstream")]
    values = {
        "title": metadata.title,
        "subject": metadata.subject,
        "keywords": ", ".join(metadata.keywords),
        "pages": str(pages),
    }
    for pattern, name in _XMP_FIELDS:
        escaped = html.escape(values[name], quote=False).encode()
        found = re.search(pattern, xml, re.S)
        if found is None:
            raise RenderError(f"unexpected XMP: no {name}")
        xml = xml[: found.end(1)] + escaped + xml[found.start(2) :]
    found = re.search(rb"<xmpMM:InstanceID>(.*?)</xmpMM:InstanceID>", xml)
    if found is None:
        raise RenderError("unexpected XMP: no instance id")
    xml = xml.replace(found.group(1), identifier.encode())
    head = re.sub(rb"/Length \d+", b"/Length %d" % len(xml), head)
    return head + b"\nstream\n" + xml + b"\nendstream"
