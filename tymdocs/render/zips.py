"""Zip archives as a DOCX is one: entries deflated, at one fixed time, in a given order.

Written here rather than with :mod:`zipfile` so that an entry is deflated once however many
archives hold it: the template's entries that a document leaves as they are (its styles, 0.8
MB of XML, 2.8 ms to deflate) keep the template's own deflated bytes, and an entry that every
signature package shares is deflated once for all of them, as is the part of the document that
they share (:func:`joined`). The bytes are otherwise what ``zipfile`` writes for the same
entries (a test holds them to it): the template is deflated as ``zipfile`` deflates, and an
archive written here opens anywhere a zip does. Importing
``zipfile`` (with ``shutil``, ``bz2`` and ``lzma``) is left to the tests.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from tymdocs.errors import RenderError

_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
"""The earliest time a zip entry can carry."""
_VERSION = 20
"""The zip version that deflate needs, to make and to extract, as ``zipfile`` writes it."""
_UNIX = 3
"""The system an entry was made on: Unix everywhere (Windows would write 0)."""
_ATTRIBUTES = 0o644 << 16
"""An entry's file mode, rw-r--r--."""
_DEFLATED = 8
_UTF8_NAME = 0x800
_LIMIT = 0xFFFFFFFF
"""Past this, an entry or an archive would need ZIP64, which no DOCX of ours comes near."""
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


class Member(NamedTuple):
    """An entry deflated, ready to be written into any number of archives."""

    crc: int
    size: int
    deflated: bytes


def deflate(data: bytes) -> Member:
    """``data`` deflated as ``zipfile`` deflates it (zlib's default level, raw)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return Member(zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush())


def joined(head: bytes, tail: Member, data: bytes) -> Member:
    """``head`` then ``data`` as one entry, where ``tail`` is ``data`` deflated (:func:`deflate`):
    ``head`` deflated and flushed in full, so that what follows refers to nothing before it,
    then ``tail``'s deflated bytes as they are. An entry that many archives end alike (a
    signature package's document after its cover) is deflated once for all of them; its bytes
    are not what ``zipfile`` writes, and inflate to the same entry."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    deflated = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(data, zlib.crc32(head))
    return Member(crc, len(head) + tail.size, deflated + tail.deflated)


def read(path: Path) -> dict[str, tuple[bytes, Member]]:
    """Every entry of the deflated zip at ``path`` (a template of ours), in its order: its
    bytes, and its deflated bytes as the archive holds them."""
    data = path.read_bytes()
    try:
        return _entries(data, path)
    except (struct.error, zlib.error, UnicodeDecodeError) as exc:
        raise RenderError(f"{path}: a damaged zip archive ({exc})") from exc


def _entries(archive: bytes, path: Path) -> dict[str, tuple[bytes, Member]]:
    end = archive.rfind(b"PK\x05\x06")
    if end < 0:
        raise RenderError(f"{path}: not a zip archive")
    _, _, _, _, count, _, start, _ = _END.unpack_from(archive, end)
    entries: dict[str, tuple[bytes, Member]] = {}
    for _ in range(count):
        fields = _CENTRAL.unpack_from(archive, start)
        flags, method, crc, stored, size = fields[5], fields[6], fields[9], fields[10], fields[11]
        name_length, extra, comment, offset = fields[12], fields[13], fields[14], fields[18]
        raw_name = archive[start + _CENTRAL.size : start + _CENTRAL.size + name_length]
        name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437")
        start += _CENTRAL.size + name_length + extra + comment
        if method != _DEFLATED:
            raise RenderError(f"{path}: {name} is not deflated")
        local = _LOCAL.unpack_from(archive, offset)
        begin = offset + _LOCAL.size + local[10] + local[11]
        deflated = archive[begin : begin + stored]
        data = zlib.decompress(deflated, -15)
        if len(data) != size or zlib.crc32(data) != crc:
            raise RenderError(f"{path}: {name} does not match its checksum")
        entries[name] = (data, Member(crc, size, deflated))
    return entries


def archive(members: Mapping[str, Member], timestamp: int) -> bytes:
    """A zip of ``members`` in their order, every one at ``timestamp`` (seconds since the
    epoch; 1.1.1980 at the earliest): the same bytes on every machine for the same commit."""
    when = max(dt.datetime.fromtimestamp(timestamp, dt.UTC), _EPOCH)
    date = (when.year - 1980) << 9 | when.month << 5 | when.day
    time = when.hour << 11 | when.minute << 5 | when.second // 2
    out, central = bytearray(), bytearray()
    for name, member in members.items():
        raw_name, flags = _encoded(name)
        offset = len(out)
        crc, size, length = member.crc, member.size, len(member.deflated)
        shared = (flags, _DEFLATED, time, date, crc, length, size, len(raw_name))
        out += _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, *shared, 0)
        out += raw_name
        out += member.deflated
        central += _CENTRAL.pack(
            b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, *shared, 0, 0, 0, 0, _ATTRIBUTES, offset
        )
        central += raw_name
        if max(size, length, len(out)) > _LIMIT:
            raise RenderError(f"{name}: too large for a zip without ZIP64")
    count = len(members)
    end = _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + end)


def _encoded(name: str) -> tuple[bytes, int]:
    """An entry's name as a zip holds it, with the flag that says it is UTF-8 where it is
    not ASCII."""
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME
