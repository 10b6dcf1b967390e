"""Small builders for test inputs, and the rule for inputs that live outside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def require_shared(path: Path) -> Path:
    """`path` under ../shared (the seeds and the reference eval set), which a checkout may lack.
    Locally a test without it is skipped; under CI (CI set, as .ci/run does) it fails, so a missing
    folder can never turn a red check into a silent skip."""
    if not path.exists():
        message = f"{path} is missing: these tests need the shared folder beside the repository (../shared)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message + "; CI must provide it", pytrace=False)
        pytest.skip(message)
    return path


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with `text` in Helvetica, written by hand so tests need no PDF library."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
