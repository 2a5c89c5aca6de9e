"""What a returned file must not be, refused before any parser reads it.

Not a regular file, larger than :data:`MAX_BYTES`, a Word or zip file, not a PDF, encrypted,
carrying JavaScript or a launch action, or more than :data:`MAX_REVISIONS` revisions: each is
refused by a look at the bytes alone, so that what a hostile file could do to a parser never
starts.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

MAX_BYTES = 100 * 1024 * 1024
"""A returned copy larger than this is refused before it is parsed."""


MAX_REVISIONS = 200
"""A copy with more revisions than this is refused: every revision is checked (pyHanko's
analysis after a signature grows with the square of their number), and no real
signing round needs more than a handful."""


_STREAM_START = re.compile(rb"stream\r?\n")


_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


_FORBIDDEN = {
    b"/Encrypt": "it is encrypted",
    b"/JavaScript": "it contains JavaScript",
    b"/JS": "it contains JavaScript",
    b"/Launch": "it contains a launch action",
}


def screen(path: Path) -> bytes | str:
    """The bytes of a returned file, or why it is refused before any parser reads it."""
    data = read_regular(path)
    if isinstance(data, str):
        return data
    if data.startswith(b"PK\x03\x04"):
        return (
            "a Word or zip file, not a PDF: verify checks the signatures of PDF packages; a "
            "DOCX package signed elsewhere is checked against the version and fingerprint on "
            "its pages"
        )
    if not data.startswith(b"%PDF-"):
        return "not a PDF"
    reason = _forbidden(data)
    if reason is not None:
        return f"refused: {reason}"
    if data.count(b"%%EOF") > MAX_REVISIONS:
        return f"more than {MAX_REVISIONS:,} revisions: refused (a signing round needs a handful)"
    return data


def read_regular(path: Path) -> bytes | str:
    """The file's bytes, if it is a regular file of at most ``MAX_BYTES``, else why not.

    Devices, FIFOs and sockets are refused unread: ``/dev/zero`` never ends and a FIFO can
    block forever. The read itself is bounded too, in case the file grows meanwhile."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file: refused unread"
    if info.st_size > MAX_BYTES:
        return f"larger than {MAX_BYTES // 2**20} MiB: refused unread"
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return f"larger than {MAX_BYTES // 2**20} MiB: refused"
    return data


def outside_streams(data: bytes) -> bytes:
    """``data`` without the bodies of its streams, in one linear pass.

    A ``stream`` keyword without a later ``endstream`` leaves the rest in place: what cannot be
    a stream is scanned like any other bytes."""
    parts = []
    at = 0
    while True:
        start = _STREAM_START.search(data, at)
        if start is None:
            break
        end = data.find(b"endstream", start.end())
        if end < 0:
            break
        parts.append(data[at : start.start()])
        at = end + len(b"endstream")
    parts.append(data[at:])
    return b"".join(parts)


def _forbidden(data: bytes) -> str | None:
    """Why the copy is refused before parsing, if it carries encryption or actions.

    Names are read with their ``#xx`` escapes decoded: ``/J#61vaScript`` is ``/JavaScript``."""
    plain = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), outside_streams(data))
    for marker, reason in _FORBIDDEN.items():
        if re.search(re.escape(marker) + rb"(?![A-Za-z])", plain):
            return reason
    return None
