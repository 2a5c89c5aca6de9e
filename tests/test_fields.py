"""The field writer (tymdocs.signing.fields) on a PDF of many pages: it indexes the file's
objects once, so that adding fields takes time linear in the file (issue 20: it once ran one
search over the whole file per page, 1.2 s for 1,111 pages, minutes for 10,000)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pypdf

from tymdocs.signing.fields import SignatureField, add_signature_fields

PAGES = 5000
"""Quadratic work would take tens of seconds here; linear, a fraction of one."""

SCRIPT = """
import sys, time
from pathlib import Path
from tymdocs.signing.fields import SignatureField, add_signature_fields
pdf = Path(sys.argv[1]).read_bytes()
start = time.perf_counter()
add_signature_fields(pdf, (SignatureField("sig-a-1", int(sys.argv[2]), (50, 50, 250, 110), "A"),))
print(time.perf_counter() - start)
"""


def _blank(pages: int, padding: int = 0) -> bytes:
    """A PDF of ``pages`` pages, each with a content stream of ``padding`` bytes (a comment),
    written with a classic cross-reference table and trailer, as Typst writes one."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []

    def add(body: bytes) -> None:
        offsets.append(len(out))
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (len(offsets), body))

    kids = " ".join(f"{3 + 2 * n} 0 R" for n in range(pages)).encode()
    add(b"<</Type/Catalog/Pages 2 0 R>>")
    add(b"<</Type/Pages/Count %d/Kids[%s]>>" % (pages, kids))
    content = b"%" + b"x" * max(padding - 2, 0) + b"\n"
    for n in range(pages):
        add(b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents %d 0 R>>" % (4 + 2 * n))
        add(b"<</Length %d>>\nstream\n%s\nendstream" % (len(content), content))
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    return bytes(out)


def test_fields_on_the_last_of_many_pages_in_linear_time(tmp_path: Path) -> None:
    """In a child process, with a loose bound, like the other worst inputs."""
    path = tmp_path / "many.pdf"
    path.write_bytes(_blank(PAGES, padding=4000))  # 20 MB, as packages carry text
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), str(PAGES)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 5


def test_the_fields_land_on_their_pages() -> None:
    pdf = _blank(40)
    fields = (
        SignatureField("sig-a-1", 40, (50, 50, 250, 110), "A: Aino"),
        SignatureField("sig-b-1", 3, (50, 150, 250, 210), "B: Bertta"),
    )
    updated = add_signature_fields(pdf, fields)
    assert updated.startswith(pdf)  # one incremental update, the original kept
    reader = pypdf.PdfReader(io.BytesIO(updated))
    placed = {
        str(annotation.get_object()["/T"]): number
        for number, page in enumerate(reader.pages, start=1)
        for annotation in page.get("/Annots", [])
    }
    assert placed == {"sig-a-1": 40, "sig-b-1": 3}
