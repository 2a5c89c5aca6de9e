"""Document -> DOCX: the shipped template (made by ``tools/make_docx_template.py``) with its
tags filled and a body written as WordprocessingML.

The body is XML text written here rather than built through python-docx's objects, which look
up a style by name for every paragraph, and the template is filled by replacing its few tags
rather than through docxtpl: both cost time linear in the text and no library import. Every
character of agreement text is escaped, so text never becomes markup. OOXML stays inside this
module. Zip entries carry the commit's time, so the same commit gives the same bytes anywhere.

A signature package for Word is the same template around a cover, the agreement and a
signature page with lines to sign: the body is written once for every party, and the template's
entries are compressed once for every package.

A redline's marks become Word's own tracked changes (``w:ins``, ``w:del``), so a reviewer can
accept or reject them in Word or LibreOffice: accepting all gives the newer text, rejecting all
the older, paragraph and table structure and paragraph styles included. Each part's changes
carry the author and date of the record that made them. Which paragraph marks are tracked is
decided with each paragraph's neighbours in view (:func:`_paragraph_marks`). A block moved
is tracked as Word tracks a move (``w:moveFrom``, ``w:moveTo`` and their named ranges,
:func:`_word_moves`). A redline opens with the HTML redline's summary, untracked, in a content
control of its own above the title.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar, assert_never

from tymdocs.characters import xml_safe
from tymdocs.document import Document, Part, Stamp
from tymdocs.locale import capitalise, label, speaking, speaking_through
from tymdocs.model import (
    Block,
    Blocks,
    Heading,
    Inline,
    Inlines,
    LineBreak,
    ListBlock,
    ListItem,
    Mark,
    Paragraph,
    Span,
    Table,
    inline_text,
)
from tymdocs.redline import Unit, as_shown, moved_units
from tymdocs.render import TEMPLATES, zips
from tymdocs.render.spacing import keep_section_numbers

if TYPE_CHECKING:
    from tymdocs.changes import Change, Report

_PAGE_MARK = "\x00"
_STYLES = (*(f"Heading {level}" for level in range(1, 10)), "List Paragraph", "Table Grid")


def render_docx(document: Document, stamp: Stamp, authors: tuple[str, ...] = ()) -> bytes:
    """The agreement as a DOCX, byte-identical for the same document and stamp."""
    with speaking(document.language):
        return _render(document, stamp, authors=authors)


def render_redline_docx(report: Report, stamp: Stamp) -> bytes:
    """The report's redline as a DOCX with tracked changes: B's text with A's marked, on the
    agreement's template. A part's changes carry its ``author`` and ``date`` where it has them,
    the others (and the title's) ``report.author`` and ``report.date``. It opens with the
    summary the HTML redline opens with, on a page of its own above the agreement's title, as
    one content control without tracked changes: accepting every change gives exactly B's
    text after it and rejecting every change exactly A's."""
    tracking = _Tracking(report.author, report.date)
    # The document's properties cannot be tracked: they name the report and its two versions,
    # neither A's title nor B's, so that accepting or rejecting leaves none of them wrong.
    # The title in the body and the header is tracked like the text.
    with speaking(report.redline.language):
        return _render(
            report.redline,
            stamp,
            authors=(report.author,),
            tracking=tracking,
            properties_title=report.title,
            subject=f"{report.a_label} \u2192 {report.b_label}",
            summary=report,
        )


@dataclass(frozen=True)
class SignatureLine:
    """A signatory on the signature page; an empty ``name`` leaves a line to write it on."""

    name: str
    title: str


@dataclass(frozen=True)
class SigningParty:
    """A party's block on the signature page: its heading and a line per signatory."""

    name: str
    represented_by: str
    signatories: tuple[SignatureLine, ...]


@dataclass(frozen=True)
class PackageSheet:
    """What every party's DOCX package shows beyond the agreement, every word in Finnish."""

    facts: tuple[tuple[str, str], ...]
    """The cover's facts: label and value (version, effective date, commit, fingerprint), a
    value of more than one line with a newline between them."""
    signatories: tuple[str, ...]
    """Every signatory of every party, as the cover lists them."""
    round: str
    """How many signatures the round needs, and who signs where."""
    instructions: tuple[str, ...]
    """How to sign, step by step."""
    paper: str
    """The alternative: print, sign by hand, scan and return."""
    statement: str
    """What the signatories accept, above the signature lines."""
    parties: tuple[SigningParty, ...]


@dataclass(frozen=True)
class PackageCover:
    """What one party's package has of its own: its name on the cover, and properties."""

    party: str
    title: str
    subject: str
    keywords: tuple[str, ...]


def render_docx_packages(
    document: Document,
    stamp: Stamp,
    sheet: PackageSheet,
    covers: tuple[PackageCover, ...],
    authors: tuple[str, ...] = (),
) -> Iterator[bytes]:
    """A DOCX signature package per cover, on the agreement's template: a cover, the
    agreement with every annex, and a signature page with lines to sign, each party's kept
    on one page. The body is written once and shared; only the party's name on the cover
    and the document properties differ. Byte-identical for the same arguments; in the
    document's language."""
    return speaking_through(
        document.language, _render_docx_packages(document, stamp, sheet, covers, authors)
    )


def _render_docx_packages(
    document: Document,
    stamp: Stamp,
    sheet: PackageSheet,
    covers: tuple[PackageCover, ...],
    authors: tuple[str, ...],
) -> Iterator[bytes]:
    base = _Base(document, stamp, one_line_header=True)
    writer = _PackageWriter(base.styles, base.bullets, None)
    writer.cover(sheet, [part.heading for part in document.parts], page_starts(document.parts))
    for index, part in enumerate(document.parts):
        writer.part(part, page_break=index == 0, bookmark=index + 1)
    writer.signature_page(sheet, bookmark=len(document.parts) + 1)
    body, _ = writer.body()
    # Every entry but the two each package fills is compressed once, for all packages, and so
    # is the document after the party's name, the same in all (zips.joined).
    shared = _members({n: d for n, d in base.entries.items() if n not in _OWN})
    before, after = base.document(body).split(_BODY, 1)
    tail = after.encode()
    deflated = zips.deflate(tail)
    for cover in covers:
        lead = _PackageWriter(base.styles, base.bullets, None)
        lead.lead(cover.party)
        entry = zips.joined((before + _BODY + lead.body()[0]).encode(), deflated, tail)
        properties = base.properties(
            title=cover.title,
            subject=cover.subject,
            creator="; ".join(authors),
            keywords=cover.keywords,
        )
        own = {"word/document.xml": entry, "docProps/core.xml": zips.deflate(properties)}
        yield zips.archive(shared | own, stamp.timestamp)


def _render(
    document: Document,
    stamp: Stamp,
    *,
    authors: tuple[str, ...] = (),
    tracking: _Tracking | None = None,
    properties_title: str | None = None,
    subject: str | None = None,
    summary: Report | None = None,
) -> bytes:
    base = _Base(document, stamp)
    writer = base.writer(tracking, _word_moves(document.parts) if tracking else frozenset())
    for part in document.parts:
        writer.part(part)
    writer.close()
    body, title = writer.body(document.former_title)
    lead = ""
    if summary is not None:
        summary_writer = _SummaryWriter(base.styles, base.bullets, None)
        summary_writer.summary(summary)
        lead = summary_writer.control()
    own = base.own(
        body,
        title=properties_title or document.title,
        subject=subject or "",
        creator="; ".join(authors),
        title_change=title,
        lead=lead,
    )
    if title is not None:  # the header's title is tracked too, numbered after the body
        own |= base.header(writer.title_change(title.former))
    return zips.archive(_members(base.entries | own), stamp.timestamp)


_OWN = ("word/document.xml", "docProps/core.xml")
"""The template's entries that every document fills in its own way."""


class _Base:
    """The template filled with what every DOCX of one document and stamp shares: its title,
    the header and footer with the version and fingerprint, and the numbering with bullets."""

    def __init__(self, document: Document, stamp: Stamp, one_line_header: bool = False) -> None:
        entries = _template()
        numbering, self.bullets = _with_bullets(entries["word/numbering.xml"].decode())
        self.styles = _style_ids(entries["word/styles.xml"].decode())
        self.stamp = stamp
        self.language = document.language
        page = label("page", page=_PAGE_MARK, total=_PAGE_MARK).split(_PAGE_MARK)
        self.values = {
            "title": document.title,
            "version": stamp.version_label,
            "draft": label("draft") if stamp.draft else "",
            "footer": stamp.footer,
            "page_before": page[0],
            "page_between": page[1],
            "page_after": page[2],
        }
        self.entries = dict(entries)
        header = self.values
        if one_line_header:  # the title and the version each on one line of its cell
            header = header | {
                "title": _fitted(document.title, _HEADER_CELLS[0]),
                "version": _fitted(stamp.version_label, _HEADER_CELLS[1]),
            }
        for name, values in (("word/header1.xml", header), ("word/footer1.xml", self.values)):
            self.entries[name] = _fill(entries[name].decode(), values, "").encode()
        self.entries["word/numbering.xml"] = numbering.encode()

    def header(self, title_change: TitleChange | None) -> dict[str, bytes]:
        """The header with its title tracked as ``title_change`` says."""
        xml = _template()["word/header1.xml"].decode()
        return {"word/header1.xml": _fill(xml, self.values, "", title_change).encode()}

    def writer(
        self, tracking: _Tracking | None = None, moves: frozenset[int] = frozenset()
    ) -> _Writer:
        return _Writer(self.styles, self.bullets, tracking, moves)

    def own(
        self,
        body: str,
        *,
        title: str,
        subject: str,
        creator: str,
        keywords: tuple[str, ...] = (),
        lead: str = "",
        title_change: TitleChange | None = None,
    ) -> dict[str, bytes]:
        """The entries of ``_OWN``: the document with ``body`` in place of the template's body
        paragraph and ``lead`` before its title (both WordprocessingML that :class:`_Writer`
        wrote), its title tracked as ``title_change`` says, and its properties."""
        xml = self.document(body, title_change)
        if lead:  # after the tags are filled, so that nothing in ``lead`` is taken for a tag
            xml = xml.replace(_BODY, _BODY + lead, 1)
        properties = self.properties(
            title=title, subject=subject, creator=creator, keywords=keywords
        )
        return {"word/document.xml": xml.encode(), "docProps/core.xml": properties}

    def document(self, body: str, title_change: TitleChange | None = None) -> str:
        """The template's document with ``body`` in place of its body paragraph, its title
        tracked as ``title_change`` says."""
        return _fill(self.entries["word/document.xml"].decode(), self.values, body, title_change)

    def properties(
        self, *, title: str, subject: str, creator: str, keywords: tuple[str, ...] = ()
    ) -> bytes:
        """``docProps/core.xml``: the document's title, subject, author, keywords (the
        version's label and keyword first), language and time."""
        stamp = self.stamp
        when = dt.datetime.fromtimestamp(stamp.timestamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return _core_properties(
            title=title,
            subject=subject,
            creator=creator,
            keywords="; ".join((stamp.version_label, stamp.keyword, *keywords)),
            language=self.language,
            when=when,
        ).encode()


_BODY = "<w:body>"
"""Where a document's body starts: a lead (a package's party) goes right after it."""


@cache
def _template() -> dict[str, bytes]:
    """The shipped template's entries, in their order: read once per process."""
    return {name: data for name, (data, _) in _template_members().items()}


@cache
def _template_members() -> dict[str, tuple[bytes, zips.Member]]:
    """The shipped template's entries with their deflated bytes, as the template holds them."""
    return zips.read(TEMPLATES / "agreement.docx")


def _members(entries: dict[str, bytes]) -> dict[str, zips.Member]:
    """Each entry deflated, in order: an entry the document left as the template has it keeps
    the template's deflated bytes (the styles: 2.8 ms a DOCX), which are what deflating it
    gives (tests/test_zips.py)."""
    template = _template_members()
    members = {}
    for name, data in entries.items():
        kept = template.get(name)
        if kept is not None and (kept[0] is data or kept[0] == data):
            members[name] = kept[1]
        else:
            members[name] = zips.deflate(data)
    return members


# One pass over the template: the paragraph that holds ``{{p body }}``, the run that holds
# ``{{ title }}``, or a ``{{ name }}`` tag. What replaces them is never scanned again, so
# text that looks like a tag stays text.
_SLOT = re.compile(
    r"(?P<body><w:p>(?:(?!</w:p>).)*\{\{p body \}\}(?:(?!</w:p>).)*</w:p>)"
    r"|(?P<title><w:r>(?:(?!</w:r>).)*\{\{ title \}\}(?:(?!</w:r>).)*</w:r>)"
    r"|\{\{ (?P<name>\w+) \}\}",
    re.S,
)


@dataclass(frozen=True)
class TitleChange:
    """A redline's changed title (see :meth:`_Writer.title_change`)."""

    former: str
    """A's title."""
    deleted: str
    """The attributes of its ``w:del``."""
    inserted: str
    """The attributes of the ``w:ins`` of B's."""
    inserted_first: bool = False
    """B's title before A's: where the body's first paragraph begins with an insertion that
    LibreOffice would otherwise join to the title's (see :func:`_paragraph_marks`)."""


def _fill(
    xml: str, values: dict[str, str], body: str, title_change: TitleChange | None = None
) -> str:
    """The template's ``{{ name }}`` tags replaced by escaped values, the paragraph that holds
    ``{{p body }}`` by the body, and the run that holds ``{{ title }}`` as :func:`_title_run`
    makes it. Tags sit in runs of their own (make_docx_template.py)."""

    def slot(found: re.Match[str]) -> str:
        if found.group("body"):
            return body
        if found.group("title"):
            return _title_run(found.group("title"), values["title"], title_change)
        return escape(values[found.group("name")])

    return _preserve_spaces(_SLOT.sub(slot, xml))


_EDGE_SPACE = re.compile(r"<w:(t|delText)>(\s[^<]*|[^<]*\s)</w:\1>")
"""A text element without ``xml:space``, whose text begins or ends with white space."""


def _preserve_spaces(xml: str) -> str:
    """``xml`` with ``xml:space="preserve"`` on every text element whose text begins or ends
    with white space, as a filled tag's may (``Sivu ``): without it, Word and LibreOffice drop
    that space."""
    return _EDGE_SPACE.sub(r'<w:\1 xml:space="preserve">\2</w:\1>', xml)


def _title_run(run: str, title: str, change: TitleChange | None) -> str:
    """The template's title run holding ``title``; for a changed title, the run holding A's
    deleted, then the run holding B's inserted (or the other way round, as ``change`` says),
    each with the template's formatting."""
    new = run.replace("{{ title }}", escape(title))
    if change is None:
        return new
    old = _TEXT.sub(r"<\1w:delText\2", run.replace("{{ title }}", escape(change.former)))
    deleted = f"<w:del {change.deleted}>{old}</w:del>"
    inserted = f"<w:ins {change.inserted}>{new}</w:ins>"
    return inserted + deleted if change.inserted_first else deleted + inserted


_TEXT = re.compile(r"<(/?)w:t([ >])")
"""A ``w:t`` element's tags (not ``w:tab``'s): deleted text is ``w:delText``."""


def _style_ids(styles: str) -> dict[str, str]:
    """The ids of the styles the body uses, by their names as Word shows them."""
    found = {
        name.casefold(): style_id
        for style_id, name in re.findall(
            r'<w:style\b[^>]*\bw:styleId="([^"]+)"[^>]*>\s*<w:name w:val="([^"]+)"', styles
        )
    }
    return {name: found[name.casefold()] for name in _STYLES}


def _core_properties(**values: str) -> str:
    """``docProps/core.xml``: the document's title, author, keywords and dates."""
    v = {key: escape(value) for key, value in values.items()}
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{v['title']}</dc:title><dc:subject>{v['subject']}</dc:subject>"
        f"<dc:creator>{v['creator']}</dc:creator><cp:keywords>{v['keywords']}</cp:keywords>"
        f"<dc:language>{v['language']}</dc:language><cp:lastModifiedBy>tymdocs</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{v["when"]}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{v["when"]}</dcterms:modified>'
        "</cp:coreProperties>"
    )


Who = str
"""The ``w:author`` and ``w:date`` attributes of a change."""

_ID = 'w:id="\x01"'
"""A change's id until the body is complete: XML never holds U+0001 (:func:`escape`)."""
_IDS = re.compile('w:id="(?:\x01|\x02([^\x02]*)\x02)"')
"""A change's id, or a move range's (:class:`_Move`), until the body is complete."""


class _Tracking:
    """Who and when for tracked changes, and the counter that numbers them: the same redline
    gives the same ids, in document order."""

    def __init__(self, author: str, date: dt.date) -> None:
        self.author = author
        self.date = date
        self.ids = itertools.count(1)

    def who(self, author: str | None = None, date: dt.date | None = None) -> Who:
        """The attributes naming ``author`` on ``date``, each the report's where None."""
        day = (date or self.date).isoformat()
        return f'w:author={quoteattr(author or self.author)} w:date="{day}T00:00:00Z"'

    def attributes(self, who: Who | None = None) -> str:
        """``w:id``, ``w:author`` and ``w:date`` of a change; the id is numbered by
        :meth:`number`."""
        return f"{_ID} {who or self.who()}"

    def element(self, kind: Tracked, who: Who | None = None) -> str:
        """An empty ``w:ins``, ``w:del``, ``w:moveFrom`` or ``w:moveTo``: the mark of a
        paragraph or a table row."""
        return f"<w:{kind} {self.attributes(who)}/>"

    def number(self, xml: str) -> str:
        """``xml`` with its changes numbered in order, after those numbered before; the start
        and end of a move's range share the number its start is given."""
        ranges: dict[str, int] = {}

        def numbered(found: re.Match[str]) -> str:
            key = found.group(1)
            if key is None:
                return f'w:id="{next(self.ids)}"'
            if key not in ranges:
                ranges[key] = next(self.ids)
            return f'w:id="{ranges[key]}"'

        return _IDS.sub(numbered, xml)


Run = tuple[str | None, bool, bool, Mark | None]
"""Text (None: a line break), strong, emphasis, and inserted or deleted in a redline."""

Tracked = Literal["ins", "del", "moveFrom", "moveTo"]
"""A tracked change's element: an insertion, a deletion, or an end of a move."""


@dataclass(frozen=True)
class _Move:
    """One end of a move as Word tracks it (ECMA-376 Part 1, 17.13.5.21-28): the text at the
    old place in ``w:moveFrom``, at the new in ``w:moveTo``, each end inside a range (a
    ``w:moveFromRangeStart`` and ``End``, or ``w:moveToRangeStart`` and ``End``) named for
    the move, ``move1`` at both ends of the report's move 1, by the author and on the date
    of the record that made the part it stands in.

    At the new place of an edited move stands B's text: the moved words in ``w:moveTo``, the
    edit's insertions in ``w:ins``; the words the edit deleted are not written there (they
    stand in the moved text at the old place). Written there as ``w:del`` inside
    ``w:moveTo`` (or inside ``w:ins``), LibreOffice 7.4 kept them on "Accept All" and put
    them back at the new place on "Reject All"."""

    number: int
    side: Literal["from", "to"]
    edited: bool
    """The text at the new place differs from the text at the old."""

    @property
    def element(self) -> Tracked:
        return "moveFrom" if self.side == "from" else "moveTo"

    def paragraph_mark(self, mark: Mark) -> Tracked:
        """How a paragraph mark of this end of the move is tracked: as the move, where the
        move was not edited; else as the deletion or insertion ``mark`` it also is.

        LibreOffice 7.4 keeps every paragraph exact with either where the text moved as it
        was. Where it was edited, the edit's insertions split the moved text, and with the
        mark tracked as the move "Reject All" gave the paragraph after the new place the
        moved paragraph's style in four of the six such moves measured (a heading there
        became body text); with the mark tracked as an insertion, in none."""
        return mark if self.edited else self.element

    def start(self, who: Who) -> str:
        """The start of this end's range, by ``who``."""
        return f'<w:{self.element}RangeStart {self._id} {who} w:name="move{self.number}"/>'

    def end(self) -> str:
        return f"<w:{self.element}RangeEnd {self._id}/>"

    @property
    def _id(self) -> str:
        """The range's id until the body is complete, the same at its start and end."""
        return f'w:id="\x02{self.number}{self.side}\x02"'


_U = TypeVar("_U", Heading, Paragraph, ListItem)


def _word_moves(parts: tuple[Part, ...]) -> frozenset[int]:
    """The numbers of the moves written as Word's moves: those whose ends are both made of
    paragraphs alone (a heading, a paragraph, a list item with what it holds), each marked
    whole as its end is. A table cannot be: a row's mark is ``w:ins`` or ``w:del`` alone
    (CT_TrPr). Nor an item at whose new place a block inside it was inserted or deleted
    whole, which would be a paragraph both moved and inserted, or moved and deleted. Such
    a move is written as the deletion and the insertion it also is."""
    ends: dict[int, list[bool]] = {}
    for part in parts:
        for unit in moved_units(part.blocks):
            moved = unit.moved
            assert moved is not None
            shown = unit if moved.shown is None else moved.shown  # as written there
            ends.setdefault(moved.number, []).append(_movable(shown))
    return frozenset(number for number, movable in ends.items() if movable == [True, True])


def _movable(unit: Unit) -> bool:
    """Whether an end of a move, as written there, can be Word's."""
    match unit:
        case Heading() | Paragraph():
            return True
        case ListItem():
            return _marked_as(unit.children, unit.mark)
        case Table():
            return False
        case _:
            assert_never(unit)


def _marked_as(blocks: Blocks, mark: Mark | None) -> bool:
    """Whether every block in ``blocks`` is a paragraph marked whole as ``mark`` says."""
    for block in blocks:
        match block:
            case Heading() | Paragraph():
                if block.mark != mark:
                    return False
            case ListBlock():
                for item in block.items:
                    if item.mark != mark or not _marked_as(item.children, mark):
                        return False
            case Table():
                return False
            case _:
                assert_never(block)
    return True


@dataclass(frozen=True)
class _Paragraph:
    """A paragraph of the body, held until the body is complete: whether its paragraph mark
    is tracked depends on its neighbours (:func:`_paragraph_marks`)."""

    properties: str
    """The children of its ``w:pPr`` but the paragraph mark's, in the schema's order."""
    runs: tuple[Run, ...]
    mark: Mark | None = None
    """The whole paragraph is inserted or deleted."""
    who: Who | None = None
    """Who made its changes (:meth:`_Tracking.who`)."""
    strong: bool = False
    size: int | None = None
    """Of the text, in half-points."""
    track: Mark | None = None
    """How its paragraph mark is tracked, as :func:`_paragraph_marks` decides."""
    track_who: Who | None = None
    """Who made the change of its paragraph mark, where not ``who``: the paragraphs' after
    it, whose insertion or deletion it belongs to."""
    move: _Move | None = None
    """The paragraph is (in) an end of a move written as Word's."""
    shown: tuple[Run, ...] | None = None
    """At the new place of a move: the runs written, the moved text unmarked and the move's
    edit marked (``runs``, B's text inserted, decide the paragraph marks)."""
    track_move: _Move | None = None
    """The move its tracked paragraph mark belongs to: its own, or that of the paragraph
    after it, as ``track_who``."""
    lead: str = ""
    """WordprocessingML before its runs (a bookmark's start)."""
    tail: str = ""
    """WordprocessingML after its runs (a bookmark's end, a field)."""


_TITLE = "<title>"
"""The properties that stand for the document's title, the paragraph before the body."""


def _paragraph_marks(paragraphs: list[_Paragraph]) -> list[_Paragraph]:
    """Adjacent paragraphs (no table between) with their paragraph marks tracked so that
    "Accept All" and "Reject All" in LibreOffice and Word give every paragraph of the version
    kept, with its style, and join none.

    Paragraphs inserted (or deleted) whole have the paragraph mark tracked of the paragraph
    before them and of each of them but the last, as Word writes an Enter typed at the end of
    a paragraph: resolving them joins them to that paragraph, which keeps its own properties
    whatever theirs (LibreOffice, and Word since Word 97, give a joined paragraph the first
    one's), unless resolving leaves it without text: it then takes the last one's, so there
    the two must have the same (:func:`_may_take`), and where the last one's change meets
    the next paragraph's (see below), the next one must begin with changes it can swap. Else
    each tracks its own paragraph mark, and resolving one empties it and joins it to the next
    paragraph, whose style stays: in LibreOffice only where it makes one change of the
    paragraph's text and mark, which it does not where it takes the text for moved text (text
    deleted in one place and inserted in another, SwRedlineTable::isMoved): it then resolves
    the mark first, and the next paragraph takes the emptied one's style (a paragraph moved
    up, deleted before a retitled heading, made the heading body text).

    LibreOffice also makes one change of two changes of one author, kind and minute that meet
    across an untracked paragraph mark (SwRedlineData::CanCombine and IsPrevPos), and resolves
    that mark with them: an item whose "." became ";" before an inserted item would be joined
    to the paragraph after the list. Where two such changes meet, a deletion and the insertion
    that replaces it, ending the first paragraph or beginning the second, stand in the other
    order, so that the two changes differ; else the unchanged word next to one of them is
    shown replaced (:func:`_widen`).
    """
    ps = list(paragraphs)
    index = 0
    while index < len(ps) - 1:
        before, first = ps[index], ps[index + 1]
        if before.mark is None and first.mark is not None:
            last = index + 1
            while last + 1 < len(ps) and ps[last + 1].mark == first.mark:
                last += 1
            after = ps[last + 1] if last + 1 < len(ps) else None
            # Where the last one's change meets the next paragraph's, its untracked mark
            # would join them, unless the next one's changes are swapped (below).
            meets = after is not None and _meet(ps[last], after)
            if _may_take(before, ps[last], first.mark) and (
                not meets or (after is not None and _swap(after.runs, at_end=False) is not None)
            ):
                ps[index] = replace(
                    before, track=first.mark, track_who=first.who, track_move=first.move
                )
                for at in range(index + 1, last):  # each mark belongs to the one after it
                    ps[at] = replace(ps[at], track_move=ps[at + 1].move)
                ps[last] = replace(ps[last], track=None, track_move=None)
            index = last
        index += 1
    for index in range(len(ps) - 1):
        first, second = ps[index], ps[index + 1]
        if not _joined(first, second):
            continue
        previous = ps[index - 1] if index else None
        following = ps[index + 2] if index + 2 < len(ps) else None
        candidates = (  # (which paragraph, its runs rewritten), in order of preference
            (index, _swap(first.runs, at_end=True)),
            (index + 1, _swap(second.runs, at_end=False)),
            (index, _widen(first.runs, at_end=True)),
            (index + 1, _widen(second.runs, at_end=False)),
        )
        for at, runs in candidates:
            if runs is None:
                continue
            changed = replace(ps[at], runs=runs)
            if at == index and not _joined(previous, changed):
                ps[index] = changed
                break
            if at == index + 1 and not _joined(changed, following):
                ps[index + 1] = changed
                break
    return ps


def _move_ranges(paragraphs: list[_Paragraph]) -> list[tuple[str, str, str]]:
    """The starts and ends of the moves' ranges among adjacent paragraphs: for each
    paragraph, what stands before its runs, after them (before its paragraph mark, which
    ends the paragraph), and after the paragraph. A range holds the whole of its end of the
    move, the runs of the paragraphs moved and the paragraph marks tracked with them (the
    one before them where it tracks theirs, :func:`_paragraph_marks`), and nothing else."""
    places = [["", "", ""] for _ in paragraphs]
    current: _Move | None = None
    last = (0, 0)  # the place after the last run or paragraph mark looked at
    for index, paragraph in enumerate(paragraphs):
        mark = paragraph.track_move if paragraph.track is not None else None
        for slot, move, who in (
            (0, paragraph.move, paragraph.who),  # its runs
            (1, mark, paragraph.track_who or paragraph.who),  # its paragraph mark
        ):
            if current is not None and move != current:
                places[last[0]][last[1]] += current.end()
                current = None
            if move is not None and current is None:
                assert who is not None  # a redline's paragraphs all have theirs
                places[index][slot] += move.start(who)
                current = move
            last = (index, slot + 1)
    if current is not None:
        places[last[0]][last[1]] += current.end()
    return [(before, after, following) for before, after, following in places]


def _may_take(before: _Paragraph, last: _Paragraph, mark: Mark) -> bool:
    """Whether ``before`` may track the paragraph mark of the paragraphs after it that are
    inserted or deleted whole (``mark``), up to ``last``: not the title (its paragraph is the
    template's), and, where resolving them leaves ``before`` without text (it then takes the
    properties of ``last``), only where the two have the same properties."""
    if before.properties == _TITLE:
        return False
    kept = "del" if mark == "ins" else "ins"  # what stays where the paragraphs go
    keeps_text = any(text is None or text for text, _, _, m in before.runs if m in (None, kept))
    return keeps_text or before.properties == last.properties


def _joined(first: _Paragraph | None, second: _Paragraph | None) -> bool:
    """Whether LibreOffice makes one change across the untracked paragraph mark between two
    paragraphs (see :func:`_meet`)."""
    return first is not None and second is not None and first.track is None and _meet(first, second)


def _meet(first: _Paragraph, second: _Paragraph) -> bool:
    """Whether LibreOffice makes one change of the change that ends ``first`` and the one
    that begins ``second``: the same kind by the same author on the same day."""
    marks = [run[3] for run in first.runs if run[0] != ""]
    following = [run[3] for run in second.runs if run[0] != ""]
    return (
        bool(marks and following)
        and marks[-1] is not None
        and marks[-1] == following[0]
        and first.who == second.who
    )


def _edge(runs: tuple[Run, ...], at_end: bool) -> tuple[list[Run], int, Mark | None]:
    """``runs`` in order from the edge looked at (reversed for the beginning), where their
    last run with text ends, and that run's mark."""
    ordered = list(runs) if at_end else list(reversed(runs))
    end = len(ordered)
    while end and ordered[end - 1][0] == "":
        end -= 1
    return ordered, end, ordered[end - 1][3] if end else None


def _swap(runs: tuple[Run, ...], *, at_end: bool) -> tuple[Run, ...] | None:
    """``runs`` with the deletion and insertion (or insertion and deletion) that end them,
    or begin them, in the other order; None where no such pair ends (begins) them."""
    ordered, end, last = _edge(runs, at_end)
    if last is None:
        return None
    middle = end
    while middle and ordered[middle - 1][3] == last:
        middle -= 1
    start = middle
    other = ordered[start - 1][3] if start else None
    if other is None:
        return None
    while start and ordered[start - 1][3] == other:
        start -= 1
    ordered = [*ordered[:start], *ordered[middle:end], *ordered[start:middle], *ordered[end:]]
    return tuple(ordered if at_end else reversed(ordered))


def _widen(runs: tuple[Run, ...], *, at_end: bool) -> tuple[Run, ...] | None:
    """``runs`` with the unchanged word next to the insertion (or deletion) that ends them,
    or begins them, shown replaced, so that they end (begin) with a change of the other
    kind: ``Tampere`` + inserted `` lisäys`` reads ``Tampere lisäys`` inserted, ``Tampere``
    deleted. None where no unchanged run is next to it."""
    ordered, end, kind = _edge(runs, at_end)
    if kind is None:
        return None
    start = end
    while start and ordered[start - 1][3] == kind:
        start -= 1
    if not start or ordered[start - 1][3] is not None:
        return None
    other: Mark = "del" if kind == "ins" else "ins"
    text, strong, emphasis, _ = ordered[start - 1]  # the unchanged run next to the change
    head: str | None = None
    word = text
    if text is not None and text.strip():  # its last word (first, at the start) alone
        found = re.search(r"\S+\s*$", text) if at_end else re.search(r"^\s*\S+", text)
        assert found is not None
        head = text[: found.start()] if at_end else text[found.end() :]
        word = found.group()
    # The word with the change, then the word alone (read backwards at the start).
    edge = [(word, strong, emphasis, kind), *ordered[start:end], (word, strong, emphasis, other)]
    rest = [(head, strong, emphasis, None)] if head else []
    ordered = [*ordered[: start - 1], *rest, *edge, *ordered[end:]]
    return tuple(ordered if at_end else reversed(ordered))


_INDENT = 425  # twips: 0.75 cm per list level
_LINE = 4536  # twips: 8 cm, a line to sign or write on
_SIGN, _WRITE = 8, 4  # eighths of a point: the line to sign on, a line to write on
_BULLETS = ("\u2022", "\u25e6", "\u25aa")
_ALIGN = {"center": "center", "right": "right"}


class _Writer:
    """Collects the body's WordprocessingML; every text passes through :func:`escape`.

    Marks are written as tracked changes by ``tracking``; a document without marks needs
    none and is written exactly as before marks existed. Paragraphs are held as values until
    :meth:`body`, which decides their paragraph marks with their neighbours in view."""

    def __init__(
        self,
        styles: dict[str, str],
        bullets: int,
        tracking: _Tracking | None,
        moves: frozenset[int] = frozenset(),
    ) -> None:
        self.styles = styles
        self.bullets = bullets
        self.tracking = tracking
        self.moves = moves
        """The numbers of the moves written as Word's (:func:`_word_moves`)."""
        self.move: _Move | None = None
        """The end of a move now written, where it is written as Word's."""
        self.xml: list[str | _Paragraph] = []
        self.last_mark: Mark | None = None
        """The mark of the last paragraph written (of its paragraph mark)."""
        self.who: Who | None = tracking.who() if tracking else None
        """Who made the changes now written: the part's record, else the report's."""

    def part(self, part: Part, page_break: bool = False, bookmark: int | None = None) -> None:
        """A section or an annex: its heading, then its blocks; an annex starts a page, as in
        the PDF. A renumbered or retitled part shows its former heading deleted and the new one
        inserted in one heading paragraph. Its changes carry its own author and date."""
        if self.tracking is not None:
            self.who = self.tracking.who(part.author, part.date)
        if part.former_heading is not None:
            runs: tuple[Run, ...] = (
                (part.former_heading, False, False, "del"),
                (part.heading, False, False, "ins"),
            )
        else:
            runs = ((part.heading, False, False, part.mark),)
        page_break = page_break or part.kind == "annex"
        lead, tail = _bookmark(bookmark) if bookmark is not None else ("", "")
        self.paragraph(
            runs, "Heading 1", page_break=page_break, mark=part.mark, lead=lead, tail=tail
        )
        for block in part.blocks:
            self.block(block)

    def title_change(self, former: str, inserted_first: bool = False) -> TitleChange:
        """A redline's changed title: A's (``former``), deleted, and B's inserted, as the next
        two tracked changes (in the order they stand), so that accepting gives B's title and
        rejecting A's. By the report's author, whatever the parts'."""
        tracking = self._tracking()
        first, second = (tracking.number(tracking.attributes()) for _ in range(2))
        deleted, inserted = (second, first) if inserted_first else (first, second)
        return TitleChange(former, deleted, inserted, inserted_first)

    def body(self, former_title: str | None = None) -> tuple[str, TitleChange | None]:
        """The body's WordprocessingML, its paragraph marks decided by
        :func:`_paragraph_marks` and its changes numbered in document order; and the title's
        change where ``former_title`` (A's) is given, the title being the paragraph before
        the body. Called once, when everything is written."""
        title = None
        if former_title is not None:  # the title's paragraph, of which only the marks count
            runs: tuple[Run, ...] = (("A", False, False, "del"), ("B", False, False, "ins"))
            title = _Paragraph(_TITLE, runs, who=self._tracking().who())
        pieces: list[str] = []
        chain: list[_Paragraph] = [title] if title is not None else []
        for item in [*self.xml, ""]:
            if isinstance(item, _Paragraph):
                chain.append(item)
                continue
            if chain:
                if self.tracking is not None:
                    chain = _paragraph_marks(chain)
                if chain[0].properties == _TITLE:
                    title, chain = chain[0], chain[1:]
                ranges = _move_ranges(chain) if self.moves else [("", "", "")] * len(chain)
                for paragraph, (before, after, following) in zip(chain, ranges, strict=True):
                    pieces += (self._paragraph_xml(paragraph, before, after), following)
                chain = []
            pieces.append(item)
        change = None
        if former_title is not None and title is not None:
            change = self.title_change(former_title, inserted_first=title.runs[0][3] == "ins")
        xml = "".join(pieces)
        return (xml if self.tracking is None else self._tracking().number(xml)), change

    def close(self) -> None:
        """End the body. The body's last paragraph is the document's last, whose paragraph
        mark Word cannot delete or insert: after a marked one, an unmarked empty paragraph
        closes the body (both A's and B's text then end with it)."""
        if self.last_mark is not None:
            self.paragraph(())

    def block(self, block: Block, level: int = 0) -> None:
        """One block; ``level`` is the depth of the list it sits in (0: not in a list)."""
        match block:
            case Heading():
                with self._moving(block) as heading:
                    self.paragraph(
                        _runs(heading.content), f"Heading {min(block.level, 9)}", mark=block.mark
                    )
            case Paragraph():
                with self._moving(block) as paragraph:
                    content = _runs(paragraph.content)
                    self.paragraph(content, indent=(_INDENT * level, 0), mark=block.mark)
            case ListBlock():
                for item in self._moving_items(block.items):
                    content = _runs(item.content)
                    self.item(item.marker, content, level, item.mark, former=item.former_marker)
                    for child in item.children:
                        self.block(child, level + 1)
            case Table():
                self.table(block)
            case _:
                assert_never(block)

    @contextlib.contextmanager
    def _moving(self, unit: _U) -> Iterator[_U]:
        """Around the writing of ``unit``: where it is an end of a move written as Word's,
        the paragraphs written are that end (:meth:`paragraph`), and what is written is the
        unit as shown there: at the new place, the moved text marked against the old."""
        moved = unit.moved
        if moved is None or moved.number not in self.moves or self.move is not None:
            yield unit
            return
        self.move = _Move(moved.number, moved.side, moved.edited)
        yield as_shown(unit)
        self.move = None

    def _moving_items(self, items: tuple[ListItem, ...]) -> Iterator[ListItem]:
        """Each item, as :meth:`_moving` yields it, written before the next is yielded."""
        for item in items:
            with self._moving(item) as shown:
                yield shown

    def item(
        self,
        marker: str | None,
        runs: list[Run],
        level: int,
        mark: Mark | None,
        *,
        former: str | None = None,
    ) -> None:
        """A list item at ``level``. Bullets are Word list paragraphs on a numbering level
        (``w:ilvl``); ordered items print the parties' own numbers as text, since Word
        numbering could renumber them. A renumbered item's ``former`` number is deleted
        before its new one is inserted, its text left as it is."""
        indent = (_INDENT * (level + 1), _INDENT)
        if marker is None:
            self.paragraph(runs, "List Paragraph", indent=indent, numbering=level, mark=mark)
        else:
            numbers: list[Run] = [(marker, False, False, mark)]
            if former is not None:
                numbers = [(former, False, False, "del"), (marker, False, False, "ins")]
            runs = [*numbers, ("\t", False, False, mark), *runs]
            self.paragraph(runs, "List Paragraph", indent=indent, tab=indent[0], mark=mark)

    def paragraph(
        self,
        runs: list[Run] | tuple[Run, ...],
        style: str | None = None,
        *,
        page_break: bool = False,
        numbering: int | None = None,
        tab: int | None = None,
        indent: tuple[int, int] = (0, 0),
        align: str | None = None,
        strong: bool = False,
        mark: Mark | None = None,
        keep: bool = False,
        line: int = 0,
        space_before: int = 0,
        space_after: int | None = None,
        single: bool = False,
        size: int | None = None,
        leader_tab: bool = False,
        lead: str = "",
        tail: str = "",
    ) -> None:
        """One paragraph; ``mark``: the whole paragraph is inserted or deleted, its paragraph
        mark with it, so accepting or rejecting leaves no empty paragraph behind.

        ``keep``: on one page with the next paragraph; ``line``: ruled underneath this thick
        (in eighths of a point), a line ``_LINE`` long to write on; ``space_before`` and
        ``space_after`` in twips; ``single``: lines spaced 1.0 (the template's: 1.15);
        ``size`` of the text in half-points; ``leader_tab``: a tab
        to the right margin, dotted up to it; ``lead`` and ``tail``: WordprocessingML before
        and after the runs."""
        properties = []  # in the order the schema wants them (CT_PPr)
        if style is not None:
            properties.append(f'<w:pStyle w:val="{self.styles[style]}"/>')
        if keep:
            properties.append("<w:keepNext/><w:keepLines/>")
        if page_break:
            properties.append("<w:pageBreakBefore/>")
        if numbering is not None:
            properties.append(
                f'<w:numPr><w:ilvl w:val="{numbering}"/><w:numId w:val="{self.bullets}"/></w:numPr>'
            )
        if line:
            properties.append(
                f'<w:pBdr><w:bottom w:val="single" w:sz="{line}" w:space="1" w:color="auto"/>'
                "</w:pBdr>"
            )
        if tab is not None:
            properties.append(f'<w:tabs><w:tab w:val="left" w:pos="{tab}"/></w:tabs>')
        elif leader_tab:
            properties.append(
                f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{_TEXT_WIDTH}"/></w:tabs>'
            )
        if space_before or space_after is not None or single:
            before = f' w:before="{space_before}"' if space_before else ""
            after = "" if space_after is None else f' w:after="{space_after}"'
            lines = ' w:line="240" w:lineRule="auto"' if single else ""
            properties.append(f"<w:spacing{before}{after}{lines}/>")
        if line:
            properties.append(f'<w:ind w:left="0" w:right="{_TEXT_WIDTH - _LINE}"/>')
        elif indent != (0, 0):
            properties.append(f'<w:ind w:left="{indent[0]}" w:hanging="{indent[1]}"/>')
        if align is not None:
            properties.append(f'<w:jc w:val="{align}"/>')
        runs = _keep_section_numbers(runs)
        shown = None
        move = self.move
        if move is not None:  # marked whole, as the block of the move's end is
            mark = "del" if move.side == "from" else "ins"
            if move.side == "to":  # B's text: moved, or inserted by the move's edit
                shown = tuple(run for run in runs if run[3] != "del")
                runs = [(text, bold, italic, "ins") for text, bold, italic, _ in shown]
        self.xml.append(
            _Paragraph(
                "".join(properties),
                tuple(runs),
                mark,
                self.who,
                strong,
                size,
                track=mark,
                move=move,
                shown=shown,
                track_move=move,
                lead=lead,
                tail=tail,
            )
        )
        self.last_mark = mark

    def _paragraph_xml(self, paragraph: _Paragraph, before: str = "", after: str = "") -> str:
        """One paragraph, its paragraph mark tracked as ``paragraph.track`` says (as an end of
        the move ``track_move`` where it belongs to one), ``before`` and ``after`` its runs."""
        properties = paragraph.properties
        if paragraph.track is not None:  # the paragraph mark's run properties come last
            who = paragraph.track_who or paragraph.who
            move = paragraph.track_move
            kind = paragraph.track if move is None else move.paragraph_mark(paragraph.track)
            properties += f"<w:rPr>{self._tracking().element(kind, who)}</w:rPr>"
        written = paragraph.runs if paragraph.shown is None else paragraph.shown
        runs = "".join(
            self._run_xml(run, paragraph.strong, paragraph.size, paragraph.who, paragraph.move)
            for run in written
        )
        runs = before + paragraph.lead + runs + paragraph.tail + after
        if not properties and not runs:
            return "<w:p/>"
        return (
            f"<w:p><w:pPr>{properties}</w:pPr>{runs}</w:p>" if properties else f"<w:p>{runs}</w:p>"
        )

    def _tracking(self) -> _Tracking:
        if self.tracking is None:
            raise ValueError("a redline's marks need render_redline_docx (author and date)")
        return self.tracking

    def _run_xml(
        self,
        run: Run,
        strong: bool = False,
        size: int | None = None,
        who: Who | None = None,
        move: _Move | None = None,
    ) -> str:
        """One run, inside ``w:ins`` or ``w:del`` when it is marked. In a move: at the old
        place, the deleted text is ``w:moveFrom`` (its text ``w:t``, ``w:delText`` being for
        ``w:del``, as LibreOffice writes it too); at the new, the unmarked text is
        ``w:moveTo`` and the move's edit's insertion stays ``w:ins``."""
        text, bold, italic, mark = run
        kind: Tracked | None
        match move, mark:
            case None, _:
                kind = mark
            case _Move(side="from"), "del":
                kind = "moveFrom"
            case _Move(side="to"), None:
                kind = "moveTo"
            case _Move(side="to"), "ins":
                kind = "ins"
            case _:
                raise AssertionError(f"a run marked {mark} at the {move.side} end of a move")
        if text is None:
            content = "<w:br/>"
        elif text == "\t":
            content = "<w:tab/>"
        else:
            element = "w:delText" if kind == "del" else "w:t"
            content = f'<{element} xml:space="preserve">{escape(text)}</{element}>'
        flags = ("<w:b/>" if bold or strong else "") + ("<w:i/>" if italic else "")
        if size is not None:  # after w:b and w:i (CT_RPr)
            flags += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
        properties = f"<w:rPr>{flags}</w:rPr>" if flags and text not in (None, "\t") else ""
        xml = f"<w:r>{properties}{content}</w:r>"
        if kind is None:
            return xml
        return f"<w:{kind} {self._tracking().attributes(who)}>{xml}</w:{kind}>"

    def table_start(self, twips: list[int]) -> None:
        """A grid table's properties and its columns, ``twips`` wide: what every table opens
        with."""
        self.xml.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.styles["Table Grid"]}"/>'
            f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
        )
        self.xml.extend(f'<w:gridCol w:w="{width}"/>' for width in twips)
        self.xml.append("</w:tblGrid>")

    def table(self, block: Table) -> None:
        """A Word table: a repeated header row, columns as wide as their content needs."""
        rows = [(block.header, True, 0), *((r.cells, r.strong, r.level) for r in block.rows)]
        widths = column_widths([[inline_text(cell) for cell in cells] for cells, _, _ in rows])
        twips = [round(width * 567) for width in widths]
        self.table_start(twips)
        marks = [block.mark, *(row.mark for row in block.rows)]
        for index, ((cells, strong, level), mark) in enumerate(zip(rows, marks, strict=True)):
            self.xml.append("<w:tr>")
            row_properties = '<w:tblHeader w:val="true"/>' if index == 0 else ""
            if mark is not None:  # after w:tblHeader (CT_TrPr)
                row_properties += self._tracking().element(mark, self.who)
            if row_properties:
                self.xml.append(f"<w:trPr>{row_properties}</w:trPr>")
            for column, (content, width) in enumerate(zip(cells, twips, strict=True)):
                self.xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>')
                self.paragraph(
                    _runs(content),
                    indent=(round(_INDENT * 2 / 3) * level if column == 0 else 0, 0),
                    align=_ALIGN.get(block.alignment(column) or ""),
                    strong=strong,
                )
                self.xml.append("</w:tc>")
            self.xml.append("</w:tr>")
        self.xml.append("</w:tbl>")
        # Word joins adjacent tables: a paragraph between, inserted or deleted with its table.
        self.paragraph((), mark=block.mark)

    def facts(
        self, facts: tuple[tuple[str, str], ...], label_width: int = 2268, compact: bool = False
    ) -> None:
        """Label and value side by side in a table without borders, the labels in a column
        ``label_width`` wide (in twips; 4 cm); a value that is one long identifier (a commit,
        a fingerprint) in smaller type, so that it fits on its line. ``compact``: little space
        between the rows, in 10 pt."""
        widths = (label_width, _TEXT_WIDTH - label_width)
        self.xml.append(
            f'<w:tbl><w:tblPr><w:tblW w:w="{_TEXT_WIDTH}" w:type="dxa"/>'
            '<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>'
        )
        self.xml.extend(f'<w:gridCol w:w="{width}"/>' for width in widths)
        self.xml.append("</w:tblGrid>")
        for name, value in facts:
            small = max(map(len, value.split() or [""])) > 30
            self.xml.append("<w:tr>")
            for width, text, strong in zip(widths, (name, value), (True, False), strict=True):
                self.xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>')
                self.paragraph(
                    _lines(text),
                    strong=strong,
                    size=15 if small and not strong else (20 if compact else None),
                    space_after=0 if compact else None,
                )
                self.xml.append("</w:tc>")
            self.xml.append("</w:tr>")
        self.xml.append("</w:tbl>")


class _PackageWriter(_Writer):
    """A signature package's own pages around the agreement: the cover and the signature
    page, in the PDF package's order and with its page breaks."""

    def lead(self, party: str) -> None:
        """What stands above the title on the cover: the package's kind and the party."""
        self.paragraph(_text(label("package")), align="center", size=24, space_after=0)
        self.paragraph(_text(party), align="center", strong=True, size=32, space_after=0)

    def cover(self, sheet: PackageSheet, headings: list[str], pages: tuple[int, ...]) -> None:
        """The rest of the cover, under the title, in smaller type so that it keeps to its
        page: facts, signatories and the round, how to sign, and the contents, each part (and
        last the signature page) with the page it starts on, from ``pages``.

        A page number is a PAGEREF field to the bookmark on the part's heading, marked dirty
        so that Word updates it on opening (LibreOffice lays it out itself); its result, the
        number shown until then, is :func:`page_starts`' estimate."""
        self.facts(sheet.facts, compact=True)
        kinds = (label("expected"), label("instructions_title"), label("paper_signing"))
        for title, lines in zip(kinds, (sheet.signatories, sheet.instructions, ()), strict=True):
            self.paragraph(_text(title), strong=True, space_before=80, space_after=20)
            for number, line in enumerate(lines, start=1):
                marker = None if title == kinds[0] else f"{number}."
                self._cover_item(marker, line)
            if title == kinds[0]:
                self.paragraph(_text(sheet.round), size=_COVER, single=True)
        self.paragraph(_text(sheet.paper), size=_COVER, single=True)
        self.paragraph(_text(label("contents")), strong=True, space_before=80, space_after=20)
        listed = [*headings, label("signatures")]
        for number, (heading, page) in enumerate(zip(listed, pages, strict=True), start=1):
            field = (
                f'<w:r><w:tab/></w:r><w:fldSimple w:instr=" PAGEREF {_bookmark_name(number)} '
                f'\\h " w:dirty="true"><w:r><w:rPr><w:sz w:val="{_CONTENTS}"/>'
                f'<w:szCs w:val="{_CONTENTS}"/></w:rPr><w:t>{page}</w:t></w:r></w:fldSimple>'
            )
            self.paragraph(
                _text(heading),
                indent=(_INDENT, 0),
                leader_tab=True,
                space_after=0,
                single=True,
                size=_CONTENTS,
                tail=field,
            )

    def _cover_item(self, marker: str | None, text: str) -> None:
        """A list item of the cover, in its type, the items close together."""
        indent = (_INDENT * 2, _INDENT)
        if marker is None:
            self.paragraph(
                _text(text), "List Paragraph", indent=indent, numbering=0, single=True, size=_COVER
            )
        else:
            runs = [(marker, False, False, None), ("\t", False, False, None), *_text(text)]
            self.paragraph(
                runs, "List Paragraph", indent=indent, tab=indent[0], single=True, size=_COVER
            )

    def signature_page(self, sheet: PackageSheet, bookmark: int) -> None:
        """On a page of its own: the heading and the statement, then every party's heading
        with a line to sign, the name and title under it, and a line for place and date per
        signatory. A party's paragraphs are kept on one page (the first party's with the
        heading and statement too), as the PDF keeps a party's boxes with its heading; a
        party whose lines need more than a page goes on, on a new page, under its heading
        repeated as "<party> (jatkuu)", as in the PDF (:func:`_signature_runs`).

        The line to sign on is thicker than the lines to write on: Word and LibreOffice draw
        one border under a run of paragraphs that have the same, and an unnamed signatory's
        name line follows the line to sign on."""
        lead, tail = _bookmark(bookmark)
        self.paragraph(
            _text(label("signatures")),
            "Heading 1",
            page_break=True,
            keep=True,
            lead=lead,
            tail=tail,
        )
        self.paragraph(_text(sheet.statement), keep=True)
        for index, party in enumerate(sheet.parties):
            blocks = [_signature_lines(signatory) for signatory in party.signatories]
            for number, run in enumerate(_signature_runs(blocks, first=index == 0)):
                lines: list[tuple[list[Run], dict[str, Any]]]
                if number == 0:
                    lines = [(_text(party.name), {"strong": True, "space_before": 480})]
                    if party.represented_by:
                        lines.append((_text(party.represented_by), {}))
                else:
                    heading = label("party_continued", party=party.name)
                    lines = [(_text(heading), {"strong": True, "page_break": True})]
                lines += [line for block in run for line in block]
                for at, (runs, options) in enumerate(lines):
                    self.paragraph(runs, keep=at < len(lines) - 1, **options)


SignatureLines = list[tuple[list[Run], dict[str, Any]]]
"""A signatory's paragraphs on the signature page, each with :meth:`_Writer.paragraph`'s
options."""


def _signature_lines(signatory: SignatureLine) -> SignatureLines:
    """A line to sign on, the name and title under it (an unnamed signatory's a line to write
    them on), and a line for place and date."""
    lines: SignatureLines = [([], {"line": _SIGN, "space_before": 840})]
    if signatory.name:
        who = f"{signatory.name}, {signatory.title}" if signatory.title else signatory.name
        lines.append((_text(who), {}))
    else:
        lines.append(([], {"line": _WRITE, "space_before": 480}))
        lines.append((_text(label("name_line")), {"size": 18}))
    lines.append(([], {"line": _WRITE, "space_before": 480}))
    lines.append((_text(label("place_and_date")), {"size": 18}))
    return lines


_SIGNATURE_LINE = 330
"""twips: a line of the signature page with the space after it, as LibreOffice lays out the
widest face it puts in Calibri's place, so that a run estimated to fit a page does."""


def _signature_runs(blocks: list[SignatureLines], first: bool) -> list[list[SignatureLines]]:
    """A party's signatories cut into runs that each fit on a page under the party's heading
    (the first, on the signature page's first page, under the page's heading and statement
    too): what the heights of their paragraphs' lines and spaces add up to."""
    room = _PAGE - 480 - 2 * _SIGNATURE_LINE  # the party's heading, and who represents it
    if first:
        room -= 480 + 4 * _SIGNATURE_LINE  # the page's heading and the statement
    runs: list[list[SignatureLines]] = [[]]
    used = 0
    for block in blocks:
        height = sum(_SIGNATURE_LINE + options.get("space_before", 0) for _, options in block)
        if runs[-1] and used + height > room:
            runs.append([])
            used = 0
            room = _PAGE - 2 * _SIGNATURE_LINE  # under "(jatkuu)"
        runs[-1].append(block)
        used += height
    return runs


_COVER = 18  # half-points: 9 pt, the type of a package's cover under its facts
_CONTENTS = 17  # half-points: the type of its contents


def _bookmark_name(number: int) -> str:
    """The bookmark on the heading of a package's part ``number`` (1: the first part), which
    the cover's page numbers refer to; hidden in Word's list of bookmarks, as a TOC's are."""
    return f"_tymdocs{number}"


def _bookmark(number: int) -> tuple[str, str]:
    """The start and end of the bookmark :func:`_bookmark_name` names."""
    name = _bookmark_name(number)
    return (
        f'<w:bookmarkStart w:id="{number}" w:name="{name}"/>',
        f'<w:bookmarkEnd w:id="{number}"/>',
    )


_SMALL = 18  # half-points: 9 pt, the type of the summary's table of changed parts

SUMMARY_TAG = "tymdocs-summary"
"""The tag of the content control that holds a redline's summary."""


class _SummaryWriter(_Writer):
    """A redline's summary, above the agreement's title: what the HTML redline's summary
    says, in its words and order (the report's title, the versions, the counts, the records
    the changes need with their parts, and the table of changed parts), but the legend of its
    colours, which Word's own marks replace. Untracked: accepting or rejecting every change
    leaves it as it is."""

    def summary(self, report: Report) -> None:
        """The report's summary, then a page break: the agreement starts on a page of its own."""
        self.paragraph(_text(report.title), strong=True, size=32)
        self.paragraph(_text(label("redline_summary")), "Heading 1")
        versions = (
            (label("redline_older"), report.a_label),
            (label("redline_newer"), report.b_label),
        )
        self.facts(versions, round(column_widths([list(row) for row in versions])[0] * 567))
        if report.empty:
            self.paragraph(_text(label("redline_none")), strong=True)
        self.paragraph(_text(report.counts))
        if not report.empty:
            self.needs(report)
            self.paragraph(_text(label("redline_changed_parts")), "Heading 1")
            self.changes_table(report.changes)
        self.xml.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

    def needs(self, report: Report) -> None:
        """The records the changes need, each with the parts that need it."""
        self.paragraph(_text(label("redline_needs")), "Heading 2")
        for needs, changes in report.needs():
            parts = ", ".join(change.part for change in changes)
            self.item(None, _text(f"{needs}: {parts}"), 0, None)

    def changes_table(self, changes: tuple[Change, ...]) -> None:
        """Each changed part: its status with the sentences that say what changed (as
        bullets), the record it needs, and the record that made it (or the command that
        records it); under a header row repeated on every page."""
        keys = ("redline_part", "redline_change", "redline_needs", "redline_record")
        rows = [[[label(key)] for key in keys]] + [
            [
                [change.part],
                [change.status_text, *change.sentences],
                [capitalise(change.needs_text)],
                [_record_text(change)],
            ]
            for change in changes
        ]
        # In smaller type: as many characters fit in a column as in one wider by 11/9 in the
        # body's type, which column_widths() measures.
        texts = [[" ".join(cell) for cell in row] for row in rows]
        widths = column_widths(texts, _TEXT_WIDTH_CM * 11 / 9)
        twips = [round(width * 567 * 9 / 11) for width in widths]
        self.table_start(twips)
        for index, row in enumerate(rows):
            self.xml.append("<w:tr>")
            if index == 0:
                self.xml.append('<w:trPr><w:tblHeader w:val="true"/></w:trPr>')
            for width, (first, *bullets) in zip(twips, row, strict=True):
                self.xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>')
                self.paragraph(_text(first), strong=index == 0, size=_SMALL)
                for bullet in bullets:
                    indent = (_INDENT, _INDENT)
                    self.paragraph(
                        _text(bullet), "List Paragraph", indent=indent, numbering=0, size=_SMALL
                    )
                self.xml.append("</w:tc>")
            self.xml.append("</w:tr>")
        self.xml.append("</w:tbl>")

    def control(self) -> str:
        """What was written, as one content control named and tagged as the summary, which a
        reviewer removes with one deletion."""
        alias = quoteattr(label("redline_summary"))
        return (
            f'<w:sdt><w:sdtPr><w:alias w:val={alias}/><w:tag w:val="{SUMMARY_TAG}"/></w:sdtPr>'
            f"<w:sdtContent>{self.body()[0]}</w:sdtContent></w:sdt>"
        )


def _record_text(change: Change) -> str:
    """The record that made a change, the command that records it, or that there is none."""
    cell = change.record_cell
    return cell.words if cell.command is None else f"{cell.words} {cell.command}"


def escape(text: str) -> str:
    """Text as XML character data, only characters XML 1.0 can hold: ``&``, ``<`` and ``>``
    as entities, as ``xml.sax.saxutils.escape`` writes them (written here: that module's
    imports cost a build 27 ms)."""
    return xml_safe(text).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value, only characters XML 1.0 can hold, as
    ``xml.sax.saxutils.quoteattr`` writes it: line breaks and tabs as character references,
    in double quotes unless the text has a double quote and no single one."""
    value = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"{}"'.format(value.replace('"', "&quot;"))


def _text(text: str) -> list[Run]:
    """Plain text as one run."""
    return [(text, False, False, None)]


def _lines(text: str) -> list[Run]:
    """Plain text as runs, a line break for each newline."""
    first, *rest = text.split("\n")
    return [
        (first, False, False, None),
        *((t, False, False, None) for line in rest for t in (None, line)),
    ]


def _runs(content: Inlines) -> list[Run]:
    return [_run(part) for part in content]


def _run(part: Inline) -> Run:
    match part:
        case Span():
            return (part.text, part.strong, part.emphasis, part.mark)
        case LineBreak():
            return (None, False, False, part.mark)
        case _:
            assert_never(part)


def _keep_section_numbers(runs: list[Run] | tuple[Run, ...]) -> list[Run]:
    """``runs`` with "§" bound to its number by a non-breaking space (:mod:`.spacing`), as
    A's text (unmarked and deleted runs) and B's (unmarked and inserted) each have it, so
    that accepting or rejecting gives each version's own spaces. An unmarked space that
    binds in one version only is shown replaced."""
    if not any(text is not None and "§" in text for text, _, _, _ in runs):
        return list(runs)
    texts = [("\n" if text is None else text, mark) for text, _, _, mark in runs]
    older, newer = (
        keep_section_numbers(["" if mark == hidden else text for text, mark in texts])
        for hidden in ("ins", "del")
    )
    kept: list[Run] = []
    for (text, strong, emphasis, mark), a, b in zip(runs, older, newer, strict=True):
        if text is None or a == b or mark is not None:
            kept.append((text and (b if mark == "ins" else a), strong, emphasis, mark))
            continue
        pairs = zip(a, b, strict=True)  # an unmarked run: the same length in both
        for same, chars in itertools.groupby(pairs, key=lambda pair: pair[0] == pair[1]):
            old, new = ("".join(side) for side in zip(*chars, strict=True))
            if same:
                kept.append((old, strong, emphasis, None))
            else:
                kept += [(old, strong, emphasis, "del"), (new, strong, emphasis, "ins")]
    return kept


def _with_bullets(numbering: str) -> tuple[str, int]:
    """The numbering part with a nine-level bullet list definition added, and its id."""
    abstract_id = 1 + max(map(int, re.findall(r'w:abstractNumId="(\d+)"', numbering)), default=0)
    num_id = 1 + max(map(int, re.findall(r'<w:num w:numId="(\d+)"', numbering)), default=0)
    levels = "".join(
        f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
        f'<w:lvlText w:val="{_BULLETS[level % len(_BULLETS)]}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{_INDENT * (level + 1)}" w:hanging="{_INDENT}"/></w:pPr>'
        "</w:lvl>"
        for level in range(9)
    )
    abstract = (
        f'<w:abstractNum w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="hybridMultilevel"/>{levels}</w:abstractNum>'
    )
    num = f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'
    first = numbering.find("<w:num ")  # every abstractNum comes before the first num
    if first < 0:
        first = numbering.rindex("</w:numbering>")
    numbering = numbering[:first] + abstract + numbering[first:]
    end = numbering.rindex("</w:numbering>")
    return numbering[:end] + num + numbering[end:], num_id


_TEXT_WIDTH_CM = 16.0
_TEXT_WIDTH = round(_TEXT_WIDTH_CM * 567)  # twips: A4 less the template's margins
_CHAR_CM = 0.21  # an average character of 11 pt Calibri
_PADDING_CM = 0.4


def _width(text: str) -> float:
    """About how wide ``text`` is in cm in the body's type: a capital as wide as 1.3
    average characters (names of annexes are in capitals)."""
    return (len(text) + 0.3 * sum(map(str.isupper, text))) * _CHAR_CM


_PAGE = 16838 - 1587 - 1417
"""twips: the height of a page's text, A4 less the template's top and bottom margins."""
# What a line of the body takes, measured in LibreOffice with Carlito (Calibri's metrics) on the
# tests' agreements: a line spaced 1.15 (the Normal style), one spaced 1.0 in a table cell (the
# Table Grid style), in twips; and Calibri's width beside :func:`_width`'s estimate.
_LINE_TWIPS = 280
_CELL_LINE_TWIPS = 255
_CALIBRI = 0.8
_AFTER = 120  # twips after a paragraph, the Normal style's


def _line_count(text: str, width: float) -> int:
    """About how many lines ``text`` takes ``width`` cm wide in the body's type: its words
    laid out one after another, as :func:`_width` estimates them."""
    count, used = 1, 0.0
    for word in text.split():  # _width(word + " ") * _CALIBRI, the same arithmetic inline
        wide = (len(word) + 1 + 0.3 * sum(map(str.isupper, word))) * _CHAR_CM * _CALIBRI
        if used and used + wide > width:
            count, used = count + 1, 0.0
        used += wide
    return count


def _block_heights(block: Block, level: int = 0) -> Iterator[tuple[int, bool]]:
    """The heights in twips of what ``block`` writes, in order, each with whether it must
    stay on the page with what follows (a heading, a table's header row)."""
    room = _TEXT_WIDTH_CM - _INDENT * level / 567
    match block:
        case Heading():
            yield 200 + round(_LINE_TWIPS * 1.1), True
        case Paragraph():
            yield _line_count(inline_text(block.content), room) * _LINE_TWIPS + _AFTER, False
        case ListBlock():
            for item in block.items:
                lines = _line_count(inline_text(item.content), room - _INDENT / 567)
                yield lines * _LINE_TWIPS, False
                for child in item.children:
                    yield from _block_heights(child, level + 1)
            yield _AFTER, False
        case Table():
            rows = [block.header, *(row.cells for row in block.rows)]
            texts = [[inline_text(cell) for cell in cells] for cells in rows]
            widths = column_widths(texts)
            for index, cells in enumerate(texts):
                lines = max(
                    _line_count(t, w - _PADDING_CM) for t, w in zip(cells, widths, strict=True)
                )
                yield lines * _CELL_LINE_TWIPS + _AFTER, index == 0
            yield _LINE_TWIPS + _AFTER, False  # the paragraph after the table
        case _:
            assert_never(block)


def page_starts(parts: tuple[Part, ...]) -> tuple[int, ...]:
    """An estimate of the page each part of a DOCX package starts on, and last the
    signature page's: the cover is page 1, the first part and every annex start a page, and
    what fills a page is summed from each paragraph's and table row's lines as
    :func:`_line_count` counts them. The cover's page numbers until Word updates them."""
    starts: list[int] = []
    page, used = 1, _PAGE
    for index, part in enumerate(parts):
        heading = 480 + round(_LINE_TWIPS * 1.2)
        if index == 0 or part.kind == "annex" or used + heading + _LINE_TWIPS > _PAGE:
            page, used = page + 1, 0
        starts.append(page)
        used += heading
        kept = 0  # what must stay on the page with what follows
        for block in part.blocks:
            for height, keep in _block_heights(block):
                if used + kept + height > _PAGE:  # a paragraph or row runs on, a heading moves
                    page, used = page + 1, 0 if keep or kept else used + height - _PAGE
                    if not (keep or kept):
                        continue
                if keep:
                    kept += height
                else:
                    used, kept = used + kept + height, 0
    return (*starts, page + 1)


_HEADER_CELLS = (9.54, 5.70)
"""cm: the text's room in the template header's two cells (5625 and 3447 twips, less the
cells' margins)."""
_HEADER_SIZE = 8  # pt: the template's Header style


def _fitted(text: str, width: float, size: float = _HEADER_SIZE) -> str:
    """``text`` where it fits on one line ``width`` cm wide in ``size`` pt type, as
    :func:`_width` estimates it; else cut after a whole word where one fits (inside the first
    where none does) and ended with "…"."""

    def fits(shown: str) -> bool:
        return _width(shown) * size / 11 <= width

    if fits(text):
        return text
    words = text.split(" ")
    while len(words) > 1 and not fits(" ".join(words) + "…"):
        words.pop()
    kept = " ".join(words).rstrip(" ·,:;→–-")
    while len(kept) > 1 and not fits(kept + "…"):
        kept = kept[:-1]
    return kept + "…"


_WORD_SLACK = 1.2
"""How much wider than :func:`_width` a word is given room for: bold in a header row, and
a wider face where Calibri is missing (LibreOffice's DejaVu Sans is about a sixth wider)."""


_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_EMAIL_PIECE = re.compile(r"[^@.]*[@.]|[^@.]+")


def _unbroken(word: str) -> list[str]:
    """``word`` as the pieces a column must hold whole: the word itself, or an email address
    in pieces ending with each "@" and ".", where the PDF may break it (email-breaks in
    common.typ), so that one long address does not squeeze the other columns below their
    words; in a cell that narrow, Word and LibreOffice break the address where it reaches the
    edge."""
    if not _EMAIL.search(word):
        return [word]
    return _EMAIL_PIECE.findall(word)


def column_widths(rows: list[list[str]], total: float = _TEXT_WIDTH_CM) -> list[float]:
    """Column widths in cm that fill ``total``: each column at least as wide as its longest
    word, with room to spare (:data:`_WORD_SLACK`), so no word breaks where the page allows;
    the rest shared by how much text each column holds."""
    columns = max((len(row) for row in rows), default=0)
    if columns == 0:
        return []

    def need(text: str, part: str) -> float:
        if part == "all":
            return _width(text)
        pieces = [piece for word in text.split() for piece in _unbroken(word)]
        return max(_width(piece) * _WORD_SLACK for piece in pieces or [""])

    word = [max(need(row[c], "word") for row in rows) + _PADDING_CM for c in range(columns)]
    longest = [
        max(max(need(row[c], "all") for row in rows) + _PADDING_CM, word[c]) for c in range(columns)
    ]
    if sum(longest) <= total:
        spare = total - sum(longest)
        return [round(width + spare * width / sum(longest), 2) for width in longest]
    if sum(word) >= total:
        return [round(total * width / sum(word), 2) for width in word]
    spare = total - sum(word)
    extra = [long - short for long, short in zip(longest, word, strict=True)]
    return [
        round(short + spare * more / sum(extra), 2) for short, more in zip(word, extra, strict=True)
    ]
