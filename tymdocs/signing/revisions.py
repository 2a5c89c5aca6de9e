"""The incremental revisions a copy gained after its package, each compared with the package.

pyHanko judges what changed after each signature; this diff holds every revision, before the
first signature as after it, to tymdocs's own rule: only what signing needs may change
(:func:`check_revisions`). It reads each revision's objects through pyHanko's historical
resolvers and changes nothing.
"""

from __future__ import annotations

from typing import Any

_CATALOG_MAY_CHANGE = frozenset({"/DSS", "/Extensions", "/Metadata", "/Version"})
"""Catalog entries a signing tool may add or replace: validation data, metadata, version."""
_FORM_MAY_CHANGE = frozenset({"/Fields", "/SigFlags", "/DR", "/DA"})
_FIELD_MAY_CHANGE = frozenset({"/V", "/AP", "/Lock", "/SV"})
"""What signing an existing signature field sets on it: the value and its appearance."""
_HIDDEN, _NO_VIEW = 2, 32


def check_revisions(reader: Any, base: int) -> tuple[list[str], str | None]:
    """Failures in the revisions after revision ``base`` (the package's last one), and, when
    there are none, the pages they added after the package's own ("pages 25–26") if any.

    Every revision is held to one rule, before the first signature as after it: an object of
    the package may change only where a signature goes in (the package's own fields, the form,
    the catalog's validation data, the page's list of annotations), pages may be appended after
    the package's own, and new annotations on the package's pages must be invisible signature
    fields. Anything else (a page's content, an overlay, an /OpenAction) is a failure. Each
    revision is compared against the package itself, so a change undone later is still seen.
    """
    from pyhanko.pdf_utils import generic

    old = reader.get_historical_resolver(base)
    root = old.root_ref
    catalog = old(root)
    pages_root = catalog.raw_get("/Pages")
    old_pages = _page_refs(old, pages_root)
    page_names = _page_names(old, catalog, old_pages)
    form_ref = _ref(catalog.raw_get("/AcroForm")) if "/AcroForm" in catalog else None
    old_fields = (
        {r for r in (_ref(f) for f in _resolve(old, form_ref).get("/Fields", ())) if r}
        if form_ref is not None
        else set()
    )
    info = _ref(old.trailer_view.raw_get("/Info")) if "/Info" in old.trailer_view else None
    metadata = _ref(catalog.raw_get("/Metadata")) if "/Metadata" in catalog else None
    failures: list[str] = []
    checked: set[Any] = set()
    count = len(old_pages)

    def fail(message: str) -> None:
        if message not in failures:
            failures.append(message)

    for revision in range(base + 1, reader.xrefs.total_revisions):
        new = reader.get_historical_resolver(revision)
        label = f"revision {revision + 1}"
        if any(not old.is_ref_unassignable(r) for r in new.refs_freed_in_revision()):
            fail(f"{label} deletes objects of the package")
        if new.root_ref != root:
            fail(f"{label} replaces the document catalog")
            continue
        written = new.explicit_refs_in_revision()
        for ref in sorted(written, key=lambda r: (r.idnum, r.generation)):
            if old.is_ref_unassignable(ref) or ref in (info, metadata):
                continue  # new objects are judged where the package's objects point at them
            before, after = old(ref), new(ref)
            if ref == root:
                extra = _changed_keys(before, after) - _CATALOG_MAY_CHANGE
                if extra:
                    fail(f"{label} changes the document catalog ({', '.join(sorted(extra))})")
            elif ref == form_ref:
                if _changed_keys(before, after) - _FORM_MAY_CHANGE:
                    fail(f"{label} changes the form beyond its fields")
            elif ref in page_names:
                if _changed_keys(before, after) - {"/Annots"}:
                    fail(f"{label} changes page {page_names[ref]} of the package")
            elif ref in old_fields:
                if _changed_keys(before, after) - _FIELD_MAY_CHANGE:
                    fail(
                        f"{label} changes the signature field {before.get('/T', ref)} "
                        "beyond signing it"
                    )
            elif _is_pages_node(before):
                if _changed_keys(before, after) - {"/Kids", "/Count"}:
                    fail(f"{label} changes the page tree")
            elif not _same(before, after, generic):
                kind = before.get("/Type", "object") if isinstance(before, dict) else "object"
                fail(f"{label} changes {kind} {ref.idnum} of the package")
        # Where the pages are now: the package's first, in order, anything else after them.
        pages = _page_refs(new, new(root).raw_get("/Pages"))
        if pages[: len(old_pages)] != old_pages:
            fail(f"{label} removes, moves or inserts pages among the package's")
            continue
        count = len(pages)
        fields_now = (
            {
                r
                for r in (
                    _ref(f)
                    for f in _resolve(new, new(root).raw_get("/AcroForm")).get("/Fields", ())
                )
                if r
            }
            if "/AcroForm" in new(root)
            else set()
        )
        if not old_fields <= fields_now:
            fail(f"{label} removes signature fields of the package")
        for ref in fields_now - old_fields:
            if (ref in written or ref not in checked) and _field_type(new(ref)) != "/Sig":
                fail(f"{label} adds a form field that is not a signature field")
        for page_ref in old_pages:
            number = page_names[page_ref]
            annots = (
                _resolve(new, new(page_ref).raw_get("/Annots"))
                if "/Annots" in new(page_ref)
                else []
            )
            before_annots = (
                _resolve(old, old(page_ref).raw_get("/Annots"))
                if "/Annots" in old(page_ref)
                else []
            )
            old_annots = {_ref(a) for a in before_annots}
            now = [_ref(a) for a in annots]
            if not old_annots <= set(now):
                fail(f"{label} removes annotations from page {number} of the package")
            for ref in now:
                if ref in old_annots or (ref in checked and ref not in written):
                    continue
                annotation = new(ref) if ref is not None else None
                if (
                    not isinstance(annotation, dict)
                    or annotation.get("/Subtype") != "/Widget"
                    or _field_type(annotation) != "/Sig"
                ):
                    fail(f"{label} adds an annotation on page {number} of the package")
                elif _visible(annotation):
                    fail(
                        f"{label} adds a visible signature field "
                        f"{_field_name(annotation)} on page {number} of the package: "
                        "only invisible ones or ones on pages after the package are allowed"
                    )
        checked |= written
    first = len(old_pages) + 1
    if failures or count < first:
        return failures, None
    return failures, f"page {first}" if first == count else f"pages {first}\u2013{count}"


def _page_names(resolver: Any, catalog: Any, pages: list[Any]) -> dict[Any, str]:
    """Each page of the package as its reader finds it: its place in the file, and the label
    the viewer shows where that is another (``14 (labelled "Allekirjoitussivu 1")``: a
    package's cover, agreement and signature page number their own pages). Decimal labels
    only, the kind a package has; any other kind is left unsaid."""
    labels: Any = None
    if "/PageLabels" in catalog:
        labels = _resolve(resolver, catalog.raw_get("/PageLabels"))
    nums = _resolve(resolver, labels.raw_get("/Nums")) if labels and "/Nums" in labels else []
    ranges: list[tuple[int, str | None]] = []  # (first page index, prefix) of decimal ranges
    entries = list(nums)
    for key, value in zip(entries[::2], entries[1::2], strict=False):
        style = _resolve(resolver, value)
        decimal = isinstance(style, dict) and style.get("/S") == "/D" and "/St" not in style
        ranges.append((int(key), str(style.get("/P", "")) if decimal else None))
    names = {}
    for index, ref in enumerate(pages):
        start, prefix = max(((s, p) for s, p in ranges if s <= index), default=(0, None))
        shown = None if prefix is None else f"{prefix}{index - start + 1}"
        same = shown is None or shown == str(index + 1)
        names[ref] = f"{index + 1}" if same else f'{index + 1} (labelled "{shown}")'
    return names


def _ref(value: Any) -> Any:
    """The reference behind an indirect object, else None."""
    return getattr(value, "reference", None)


def _resolve(resolver: Any, value: Any) -> Any:
    """``value`` dereferenced in the revision of ``resolver`` (an array or dictionary)."""
    from pyhanko.pdf_utils.generic import Reference

    reference = value if isinstance(value, Reference) else _ref(value)
    return resolver(reference) if reference is not None else value


def _page_refs(resolver: Any, node_value: Any, depth: int = 0) -> list[Any]:
    """The page objects in order, in the revision of ``resolver``; a loop or a tree deeper
    than 64 is an error."""
    if depth > 64:
        raise ValueError("the page tree is too deep or loops")
    node = _resolve(resolver, node_value)
    result: list[Any] = []
    for kid in node.get("/Kids", ()) if isinstance(node, dict) else ():
        reference = _ref(kid)
        child = _resolve(resolver, kid)
        if isinstance(child, dict) and child.get("/Type") == "/Pages":
            result += _page_refs(resolver, kid, depth + 1)
        else:
            result.append(reference)
    return result


def _is_pages_node(value: Any) -> bool:
    return isinstance(value, dict) and value.get("/Type") == "/Pages"


def _changed_keys(before: Any, after: Any) -> set[str]:
    """The keys of two dictionaries whose values differ (or that one lacks); everything when
    either is not a dictionary."""
    from pyhanko.pdf_utils import generic

    if not (isinstance(before, dict) and isinstance(after, dict)):
        return {"(the whole object)"}
    keys = set(before) | set(after)
    return {
        str(k)
        for k in keys
        if k not in before or k not in after or not _same(_raw(before, k), _raw(after, k), generic)
    }


def _raw(dictionary: Any, key: Any) -> Any:
    """A dictionary's value as written, an indirect reference left unresolved."""
    return dictionary.raw_get(key) if hasattr(dictionary, "raw_get") else dictionary[key]


def _same(before: Any, after: Any, generic: Any) -> bool:
    """Whether two PDF objects are the same, references compared as references."""
    if isinstance(before, generic.StreamObject) or isinstance(after, generic.StreamObject):
        return (
            isinstance(before, generic.StreamObject)
            and isinstance(after, generic.StreamObject)
            and before.encoded_data == after.encoded_data
            and not _changed_keys(before, after)
        )
    if isinstance(before, dict) and isinstance(after, dict):
        return not _changed_keys(before, after)
    if isinstance(before, list) and isinstance(after, list):
        return len(before) == len(after) and all(
            _same(x, y, generic) for x, y in zip(before, after, strict=True)
        )
    if isinstance(before, generic.IndirectObject) or isinstance(after, generic.IndirectObject):
        return _ref(before) == _ref(after) and _ref(before) is not None
    return type(before) is type(after) and before == after


def _field_type(annotation: Any) -> Any:
    """/FT of a field or widget, inherited from its parents (at most 32 up)."""
    node = annotation
    for _ in range(32):
        if not isinstance(node, dict):
            return None
        if "/FT" in node:
            return node["/FT"]
        node = node.get("/Parent")
    return None


def _field_name(annotation: Any) -> str:
    name = annotation.get("/T") or annotation.get("/Parent", {}).get("/T")
    return str(name) if name is not None else "(unnamed)"


def _visible(annotation: Any) -> bool:
    """Whether a widget can show anything: a rectangle of some size, not hidden."""
    try:
        x1, y1, x2, y2 = (float(v) for v in annotation.get("/Rect", ()))
    except (TypeError, ValueError):
        return False
    flags = int(annotation.get("/F", 0))
    if flags & (_HIDDEN | _NO_VIEW):
        return False
    return abs(x2 - x1) * abs(y2 - y1) > 0
