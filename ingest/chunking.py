"""Split documents on headings, then to size, keeping title and section path with every chunk."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from advisor.core.text import block_heading, normalize, split_blocks, split_units

from .loaders import LoadedDocument

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    title: str
    section: str
    text: str
    position: int
    also_called: str = ""  # the guide's other names for its role (front matter), so "DBA" finds its guide

    @property
    def embed_text(self) -> str:
        """Title and section go into the vector too: a bare list item says little on its own."""
        heading = f"{self.title} > {self.section}" if self.section else self.title
        return f"{heading}\n{self.text}"

    @property
    def units(self) -> list[str]:
        return split_units(self.text)

    @property
    def unit_embed_texts(self) -> list[str]:
        """Each unit with the heading it sits under: "Soft skills: - Collaboration ..." is
        findable by "what soft skills...", the bare item is not."""
        return [
            f"{block_heading(self.section, heading) or self.title}: {unit}"
            for heading, units in split_blocks(self.text)
            for unit in units
        ]

    def metadata(self) -> dict:
        meta = {"source": self.source, "title": self.title, "section": self.section, "position": self.position}
        if self.also_called:
            meta["also_called"] = self.also_called
        return meta


def content_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


class Chunker:
    """Markdown headings first (sections answer questions), then a size cap for long sections."""

    def __init__(self, chunk_size: int = 900, chunk_overlap: int = 100):
        self.chunk_size = chunk_size
        self._by_heading = MarkdownHeaderTextSplitter(headers_to_split_on=_HEADERS, strip_headers=True)
        self._by_size = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            separators=["\n\n", "\n- ", "\n", ". ", " ", ""],
            keep_separator="start",
        )

    def split(self, doc: LoadedDocument) -> list[Chunk]:
        chunks: list[Chunk] = []
        also_called = str(doc.metadata.get("also_called", "")).strip()
        for section, body in self._sections(doc):
            for piece in self._by_size.split_text(body):
                text = re.sub(r"\n{3,}", "\n\n", piece).strip()
                if not text:
                    continue
                # the other names are part of what a chunk is: a changed list re-indexes the guide
                extra = (also_called,) if also_called else ()
                chunk_id = content_id(doc.source, doc.title, section, text, *extra)
                chunks.append(Chunk(chunk_id, doc.source, doc.title, section, text, len(chunks), also_called))
        return _dedupe(chunks)

    def _sections(self, doc: LoadedDocument) -> list[tuple[str, str]]:
        """Heading sections; short subsections of one parent are packed together up to the size cap,
        so a two-line intro travels with the list it introduces."""
        packed: list[tuple[list[str], str]] = []
        for part in self._by_heading.split_text(normalize(doc.text)):
            headings = [part.metadata[k] for _, k in _HEADERS if k in part.metadata]
            if headings and headings[0] == doc.title:
                headings = headings[1:]
            body = part.page_content.strip()
            if packed and len(headings) > 1 and headings[:1] == packed[-1][0][:1]:
                merged = f"{packed[-1][1]}\n\n{'#' * (len(headings) + 1)} {headings[-1]}\n\n{body}"
                if len(merged) <= self.chunk_size:
                    label = packed[-1][0] + [headings[-1]] if len(packed[-1][0]) > 1 else packed[-1][0]
                    packed[-1] = (label, merged)
                    continue
            packed.append((headings, body))
        return [(" > ".join(h[:1] + ["; ".join(h[1:])] if len(h) > 1 else h), text) for h, text in packed]


def _dedupe(chunks: list[Chunk]) -> list[Chunk]:
    seen: set[str] = set()
    unique: list[Chunk] = []
    for c in chunks:
        if c.id not in seen:
            seen.add(c.id)
            unique.append(c)
    return unique
