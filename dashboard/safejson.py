"""JSON from untrusted bytes: bounded in size and nesting, strict about numbers, keys and text.

Plain json.loads would accept NaN and Infinity, turn 1e400 into infinity, recurse until a
RecursionError on deep nesting, guess UTF-16 from the bytes, and keep only the last of two
equal keys. Here the whole file is refused when it cannot be read safely (size, encoding,
nesting, syntax); a bad number or a repeated key is marked where it stands, so that the
reader can name the feature and field and still load the rest.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
MAX_DIGITS = 100  # an integer longer than this is no coordinate, date or count
# Every byte but brackets and quotes, deleted to leave the skeleton whose depth is measured.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')


class JsonRefused(ValueError):
    """The bytes cannot be read as JSON within the limits; the message says why."""


class DuplicateKeys(dict):
    """A JSON object that repeated a key; only the last value is kept, so users of the
    object decide whether that is an error (it is, for every object a layer reads)."""

    duplicates: tuple[str, ...] = ()


@dataclass
class ParsedJson:
    document: Any
    notes: list[str] = field(default_factory=list)


def read_limited(path: Path, max_bytes: int) -> bytes:
    """A regular file's bytes, refused by its size before anything is read (and never
    more than max_bytes + 1 read, should the file grow meanwhile)."""
    if not path.is_file():
        raise JsonRefused("not a regular file" if path.exists() else "file not found")
    size = path.stat().st_size
    if size > max_bytes:
        raise JsonRefused(f"{size:,} bytes; at most {max_bytes:,} bytes are read")
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise JsonRefused(f"more than {max_bytes:,} bytes; at most {max_bytes:,} bytes are read")
    return data


def nesting_depth(data: bytes, limit: int) -> int:
    """How deeply arrays and objects nest, counted without parsing; counting stops just
    past limit. Brackets inside strings are not counted."""
    # Escaped backslashes and quotes go first, so every quote left opens or closes a string.
    skeleton = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    outside = b"".join(skeleton.split(b'"')[::2]).translate(bytes.maketrans(b"{}", b"[]"))
    depth = 0
    while outside and depth <= limit:
        inner_pairs_removed = outside.replace(b"[]", b"")
        if inner_pairs_removed == outside:
            break
        outside, depth = inner_pairs_removed, depth + 1
    # Brackets that never close (broken JSON) still count as nesting.
    return depth + outside.count(b"[")


@dataclass(frozen=True)
class BadNumber:
    """Stands where the JSON held NaN, Infinity or a number no float or short integer holds."""

    text: str

    def __str__(self) -> str:
        if self.text in ("NaN", "Infinity", "-Infinity"):
            return f"{self.text} is not a JSON number"
        digits = len(self.text.lstrip("-"))
        if digits > MAX_DIGITS:
            return f"a number of {digits:,} digits is too long"
        return f"the number {self.text} is too large"


def _float(text: str) -> float | BadNumber:
    value = float(text)
    return value if math.isfinite(value) else BadNumber(text)


def _int(text: str) -> int | BadNumber:
    return int(text) if len(text.lstrip("-")) <= MAX_DIGITS else BadNumber(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for key, _ in pairs:
        if key in seen:
            repeated[key] = None
        seen.add(key)
    marked = DuplicateKeys(result)
    marked.duplicates = tuple(repeated)
    return marked


def parse_json_bytes(data: bytes, *, max_bytes: int, max_depth: int, allow_bom: bool = True) -> ParsedJson:
    """Parse UTF-8 JSON bytes, or raise JsonRefused saying what is wrong."""
    if len(data) > max_bytes:
        raise JsonRefused(f"{len(data):,} bytes; at most {max_bytes:,} bytes are read")
    notes = []
    if data.startswith(UTF8_BOM):
        if not allow_bom:
            raise JsonRefused("starts with a byte order mark (BOM): save it as UTF-8 without BOM")
        data = data[len(UTF8_BOM) :]
        notes.append("starts with a UTF-8 byte order mark (BOM), which was ignored")
    if data.startswith(_UTF16_BOMS):
        raise JsonRefused("UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonRefused(
            f"not UTF-8 text: byte 0x{data[error.start]:02x} at offset {error.start} cannot be decoded"
        ) from None
    if not text.strip():
        raise JsonRefused("empty file: no JSON in it")
    depth = nesting_depth(data, max_depth)
    if depth > max_depth:
        raise JsonRefused(f"arrays and objects nest more than {max_depth} levels deep")
    try:
        document = json.loads(
            text,
            parse_constant=BadNumber,
            parse_float=_float,
            parse_int=_int,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as error:
        raise JsonRefused(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    except RecursionError:  # the depth count above should make this unreachable
        raise JsonRefused(f"arrays and objects nest more than {max_depth} levels deep") from None
    return ParsedJson(document, notes)
