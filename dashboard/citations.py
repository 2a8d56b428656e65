"""The one citation renderer: every popup, panel, export and briefing uses it.

Data is text, never markup: the HTML form escapes every value and links only http(s).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .schema import CslEntry, SourceRef

Format = Literal["text", "html", "markdown"]


def _names(entry: CslEntry) -> list[str]:
    names = []
    for name in entry.author or ():
        if name.literal:
            names.append(name.literal)
        elif name.given:
            names.append(f"{name.family}, {name.given}")
        else:
            names.append(name.family or "")
    return names


def year(entry: CslEntry) -> str:
    return str(entry.issued.date_parts[0][0]) if entry.issued else "n.d."


def short_citation(entry: CslEntry, locator: str | None = None) -> str:
    """Author-year label such as 'Samay 2019, para. 6'."""
    if entry.author:
        first = entry.author[0]
        who = first.family or first.literal or ""
        if len(entry.author) > 1:
            who += " et al."
    else:
        who = entry.container_title or entry.publisher or entry.title
    label = f"{who} {year(entry)}"
    return f"{label}, {locator}" if locator else label


def full_citation(entry: CslEntry, locator: str | None = None, fmt: Format = "text") -> str:
    """Author. Year. "Title". Publication. Locator. URL (accessed date)."""
    escape = html.escape if fmt == "html" else escape_markdown if fmt == "markdown" else str
    parts: list[str] = []
    names = _names(entry)
    if names:
        parts.append(escape("; ".join(names)) + ".")
    parts.append(escape(entry.issued.as_text()) + "." if entry.issued else "n.d.")
    title = escape(entry.title)
    parts.append(f"“{title}”." if entry.type != "book" else f"{title}.")
    container = entry.container_title
    if container:
        details = container
        if entry.volume:
            details += f" {entry.volume}"
        if entry.issue:
            details += f" ({entry.issue})"
        parts.append((f"<i>{escape(details)}</i>" if fmt == "html" else escape(details)) + ".")
    if entry.publisher and entry.publisher != container:
        parts.append(escape(entry.publisher) + ".")
    if locator:
        parts.append(escape(locator) + ".")
    if entry.URL and is_http_url(entry.URL):
        accessed = f" (accessed {entry.accessed.as_text()})" if entry.accessed else ""
        if fmt == "html":
            url = html.escape(entry.URL, quote=True)
            parts.append(f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>{accessed}')
        elif fmt == "markdown":
            parts.append(f"<{entry.URL}>{accessed}")
        else:
            parts.append(f"{entry.URL}{accessed}")
    return " ".join(parts)


def user_source(text: str, fmt: Format = "text") -> str:
    """A source as a user layer gives it (plain text or an http(s) link), rendered: a link
    only when it is http(s), everything else escaped."""
    if fmt == "html":
        if is_http_url(text):
            url = html.escape(text, quote=True)
            return f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>'
        return html.escape(text)
    if fmt == "markdown":
        return f"<{text}>" if is_http_url(text) else escape_markdown(text)
    return text


def is_http_url(url: str) -> bool:
    return bool(re.match(r"^https?://[^\s<>\"']+$", url))


def escape_markdown(text: str) -> str:
    """Neutralise Markdown and HTML so a value renders literally in st.markdown."""
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~>$])", r"\\\1", text)


@dataclass(frozen=True)
class Citation:
    """A feature's reference to one bibliography entry, resolved for display."""

    source_id: str
    locator: str
    claim: str
    entry: CslEntry | None

    @property
    def short(self) -> str:
        return short_citation(self.entry, self.locator) if self.entry else f"[missing source {self.source_id}]"

    def full(self, fmt: Format = "text") -> str:
        if self.entry is None:
            return f"[missing source {self.source_id}]"
        return full_citation(self.entry, self.locator, fmt)


def resolve(refs: Iterable[SourceRef], bibliography: dict[str, CslEntry]) -> list[Citation]:
    return [Citation(ref.id, ref.locator, ref.claim, bibliography.get(ref.id)) for ref in refs]


def to_csl_json(entries: Iterable[CslEntry]) -> list[dict]:
    return [entry.model_dump(mode="json", by_alias=True, exclude_none=True) for entry in entries]


_BIBTEX_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
}


def _bibtex_value(text: str) -> str:
    text = text.replace("\\", "\\textbackslash{}")
    text = re.sub(r"([{}%&$#_^~])", r"\\\1", text)
    return "{" + text + "}"


def to_bibtex(entries: Iterable[CslEntry]) -> str:
    records = []
    for entry in entries:
        fields: list[tuple[str, str]] = [("title", entry.title)]
        if entry.author:
            fields.append(("author", " and ".join(_names(entry))))
        if entry.container_title:
            key = "journal" if entry.type.startswith("article") else "howpublished"
            fields.append((key, entry.container_title))
        if entry.publisher:
            fields.append(("publisher", entry.publisher))
        for key in ("volume", "issue", "page"):
            value = getattr(entry, key)
            if value:
                fields.append(("number" if key == "issue" else "pages" if key == "page" else key, value))
        if entry.issued:
            parts = entry.issued.date_parts[0]
            fields.append(("year", str(parts[0])))
            if len(parts) > 1:
                fields.append(("month", str(parts[1])))
        if entry.URL:
            fields.append(("url", entry.URL))
        if entry.accessed:
            fields.append(("urldate", entry.accessed.as_text()))
        if entry.license:
            fields.append(("note", f"Licence: {entry.license}"))
        body = ",\n".join(f"  {key} = {_bibtex_value(value)}" for key, value in fields)
        records.append(f"@{_BIBTEX_TYPES.get(entry.type, 'misc')}{{{entry.id},\n{body}\n}}")
    return "\n\n".join(records) + "\n"
