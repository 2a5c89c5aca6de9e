"""The zip writer and reader of render/zips.py: the bytes zipfile writes for the same entries,
the template's deflated entries what deflating them gives, and a broken archive refused."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tymdocs.errors import RenderError
from tymdocs.render import TEMPLATES, zips


def zipfile_archive(entries: dict[str, bytes], timestamp: int) -> bytes:
    """What the standard library writes for ``entries``, set as tymdocs sets every entry."""
    when = max(dt.datetime.fromtimestamp(timestamp, dt.UTC), dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return output.getvalue()


NAMES = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
)


@given(
    entries=st.dictionaries(NAMES, st.binary(max_size=3000), max_size=6),
    repeated=st.binary(min_size=1, max_size=200),
    timestamp=st.integers(min_value=0, max_value=2**32 - 1),
)
@settings(max_examples=200)
def test_the_bytes_zipfile_writes(
    entries: dict[str, bytes], repeated: bytes, timestamp: int
) -> None:
    """Any names (ASCII or not), contents (empty, random, or deflating well) and times (before
    1980 too, odd seconds): byte for byte what zipfile writes."""
    entries = entries | {"word/document.xml": repeated * 50}
    ours = zips.archive({name: zips.deflate(data) for name, data in entries.items()}, timestamp)
    assert ours == zipfile_archive(entries, timestamp)
    with zipfile.ZipFile(io.BytesIO(ours)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == entries


@given(
    heads=st.lists(st.binary(max_size=2000), min_size=1, max_size=4),
    tail=st.binary(max_size=5000),
    repeated=st.binary(min_size=1, max_size=100),
)
@settings(max_examples=100)
def test_entries_that_end_alike_share_their_deflated_end(
    heads: list[bytes], tail: bytes, repeated: bytes
) -> None:
    """Any heads before one tail (empty, random, or repeating what the head holds, which a
    deflate of the whole would refer back to): each entry inflates to its head and the tail,
    with its checksum and size, in an archive zipfile reads without a fault."""
    tail += repeated * 40
    shared = zips.deflate(tail)
    for head in heads:
        head += repeated * 3
        member = zips.joined(head, shared, tail)
        assert member.deflated.endswith(shared.deflated)
        assert zlib.decompress(member.deflated, -15) == head + tail
        assert (member.crc, member.size) == (zlib.crc32(head + tail), len(head + tail))
        with zipfile.ZipFile(io.BytesIO(zips.archive({"document.xml": member}, 0))) as archive:
            assert archive.testzip() is None
            assert archive.read("document.xml") == head + tail


@pytest.mark.skipif(
    "ng" in zlib.ZLIB_RUNTIME_VERSION,
    reason="zlib-ng deflates otherwise than zlib, which made the template (and every DOCX)",
)
def test_the_template_holds_what_deflating_gives() -> None:
    """A DOCX takes the template's deflated bytes for each entry it leaves as it is: the same
    bytes as deflating the entry with zlib, so that a DOCX never depends on which way it went.
    A template made with another deflater fails here, not in a build."""
    entries = zips.read(TEMPLATES / "agreement.docx")
    assert "word/styles.xml" in entries
    with zipfile.ZipFile(TEMPLATES / "agreement.docx") as template:
        assert list(entries) == template.namelist()
        for name, (data, member) in entries.items():
            assert data == template.read(name)
            assert member == zips.deflate(data), name


def test_read_gives_back_what_was_written(tmp_path: Path) -> None:
    entries = {"[Content_Types].xml": b"<Types/>", "sana/ää.xml": "ÄÖ €".encode() * 100}
    path = tmp_path / "written.zip"
    path.write_bytes(zipfile_archive(entries, 1_700_000_001))
    read = zips.read(path)
    assert {name: data for name, (data, _) in read.items()} == entries
    assert zips.archive({name: member for name, (_, member) in read.items()}, 1_700_000_001) == (
        path.read_bytes()
    )


def _central_crc(data: bytes) -> int:
    """Where the central directory holds its first entry's checksum."""
    return data.rfind(b"PK\x01\x02") + 16


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:100], "not a zip archive"),
        (lambda data: data[:-10], "damaged zip archive"),
        (lambda data: data[:30] + b"\xff" * 8 + data[38:], "damaged zip archive"),
        (
            lambda data: data[: _central_crc(data)] + b"\0\0\0\0" + data[_central_crc(data) + 4 :],
            "does not match its checksum",
        ),
    ],
)
def test_a_damaged_archive_is_refused(tmp_path: Path, damage, message: str) -> None:
    """Cut short, its deflated bytes or its checksum spoilt: a message naming the file."""
    path = tmp_path / "damaged.zip"
    path.write_bytes(damage(zipfile_archive({"a.xml": b"<Types/>" * 30}, 1_700_000_000)))
    with pytest.raises(RenderError, match=f"damaged.zip: .*{message}"):
        zips.read(path)
