"""Turn files on disk into plain documents: Markdown, plain text, HTML and PDF.

A file that cannot be read is reported and skipped, so one bad file never stops an ingest.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

MARKDOWN = {".md", ".markdown"}
TEXT = {".txt", ".text"}
HTML = {".html", ".htm"}
PDF = {".pdf"}
SUPPORTED = MARKDOWN | TEXT | HTML | PDF
# One file's size limit: the whole MLOps guide is 60 KB; a 200 MB Markdown file took 55 s+ and 1.8 GB
# just to chunk (issue 12). 20 MB is ~5,000 pages of text: far above any guide, far below that.
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class LoadedDocument:
    """A document as Markdown-ish text plus where it came from."""

    source: str
    title: str
    text: str
    metadata: dict = field(default_factory=dict)


@dataclass
class Skipped:
    path: str
    reason: str


def discover(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders into supported files, in a stable order. A file inside a folder whose real
    path (after symlinks) is outside that folder is skipped: a link must not pull /etc/passwd or a
    home folder's secrets into an index whose passages are shown to anyone."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for f in sorted(path.rglob("*")):
                if not f.is_file() or any(part.startswith(".") for part in f.relative_to(path).parts):
                    continue
                real = f.resolve()
                if real != root and root not in real.parents:
                    skipped.append(Skipped(str(f), f"a link to {real}, outside the folder {root}"))
                elif f.suffix.lower() in SUPPORTED:
                    files.append(f)
                else:
                    skipped.append(Skipped(str(f), f"unsupported file type '{f.suffix or 'none'}'"))
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED:
                files.append(path)
            else:
                skipped.append(Skipped(str(path), f"unsupported file type '{path.suffix or 'none'}'"))
        else:
            skipped.append(Skipped(str(path), "no such file or folder"))
    return files, skipped


def load_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> LoadedDocument:
    """Read one file; raises ValueError with a readable reason when it cannot be used."""
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(
            f"too large ({size / 1e6:,.1f} MB; one file may have at most {max_bytes / 1e6:,.1f} MB). "
            "Split it into smaller documents"
        )
    if suffix in PDF:
        text = _read_pdf(path)
    else:
        raw = path.read_bytes()
        if b"\x00" in raw[:8192]:
            raise ValueError("looks binary (NUL bytes), not text")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
        if suffix in HTML:
            text = _html_to_markdown(text)
    meta, text = split_front_matter(text)
    text = text.strip()
    if not text:
        raise ValueError("empty (no text to index)")
    title = meta.get("title") or _first_heading(text) or path.stem.replace("-", " ").replace("_", " ").title()
    return LoadedDocument(source=str(path), title=title, text=text, metadata=meta)


def split_front_matter(text: str) -> tuple[dict, str]:
    """Simple `key: value` YAML front matter, enough for title/source/date."""
    m = re.match(r"\A---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        if ":" in line and not line.startswith((" ", "\t", "#")):
            key, value = line.split(":", 1)
            meta[key.strip()] = value.strip().strip("\"'")
    return meta, text[m.end() :]


def _first_heading(text: str) -> str | None:
    m = re.search(r"^#\s+(.+)$", text, re.M)
    return m.group(1).strip() if m else None


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise ValueError(f"unreadable PDF ({exc})") from None
    return "\n\n".join(p.strip() for p in pages if p.strip())


def _html_to_markdown(html: str) -> str:
    """Keep headings as Markdown headings so the splitter can use them; drop scripts and styles."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav", "footer"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    for level in range(1, 7):
        for h in soup.find_all(f"h{level}"):
            h.replace_with(f"\n\n{'#' * level} {h.get_text(' ', strip=True)}\n\n")
    for li in soup.find_all("li"):
        li.replace_with(f"\n- {li.get_text(' ', strip=True)}\n")
    for block in soup.find_all(["p", "div", "br", "tr", "section", "article"]):
        block.insert_before("\n\n")
    body = soup.body or soup
    text = re.sub(r"\n{3,}", "\n\n", body.get_text())
    text = "\n".join(line.strip() for line in text.splitlines())
    if title and not re.search(r"^#\s", text, re.M):
        text = f"# {title}\n\n{text}"
    return text
