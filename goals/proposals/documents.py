"""Reading a published plan's file: plain text (.txt, .md) or Word (.docx)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

ENCODINGS = ("utf-8-sig", "gb18030", "big5")
MAX_BYTES = 20 * 1024 * 1024
# A .docx is a zip: refused before it is opened when it would inflate past this (zip bombs).
MAX_INFLATED, MAX_MEMBERS = 50 * 1024 * 1024, 500


class Unreadable(Exception):
    """The file cannot be read as a plan's text (the message says why, in Chinese)."""


def _docx_text(data: io.BytesIO, name: str) -> str:
    from docx import Document

    try:
        document = Document(data)
    except Exception as error:  # PackageNotFoundError, BadZipFile, KeyError, ValueError, XMLSyntaxError…
        raise Unreadable(f"不是有效的 Word(.docx)文件:{name}") from error
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell.text not in cells:
                    cells.append(cell.text)
            lines.append(",".join(c.strip() for c in cells if c.strip()))
    return "\n".join(lines)


def read_text(path: Path) -> str:
    """The text of the file at `path`; Unreadable when it is missing, too big or not text."""
    if not path.is_file():
        raise Unreadable(f"找不到文件:{path}")
    if path.stat().st_size > MAX_BYTES:
        raise Unreadable(f"文件过大(超过 {MAX_BYTES // 1024 // 1024} MB):{path.name}")
    return text_of(path.read_bytes(), path.name)


def docx_text(data: bytes, name: str = "") -> str:
    """The paragraphs and table rows of a .docx's bytes, checked as a zip first."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_INFLATED:
                raise Unreadable(f"Word 文件解压后过大:{name}")
            if "word/document.xml" not in names:
                raise Unreadable(f"不是有效的 Word(.docx)文件:{name}")
    except zipfile.BadZipFile:
        raise Unreadable(f"不是有效的 Word(.docx)文件:{name}") from None
    return _docx_text(io.BytesIO(data), name)


def decoded(data: bytes) -> str | None:
    """Text bytes in the first encoding that reads them whole, None for none (or binary)."""
    if b"\x00" in data[:4096]:
        return None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def text_of(data: bytes, name: str) -> str:
    """The text of a file's bytes, read by its name's suffix; Unreadable when it is not text."""
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        return docx_text(data, name)
    if suffix == ".doc" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable("不支持旧版 Word(.doc)文件:请另存为 .docx 或 .txt。")
    if b"\x00" in data[:4096]:
        raise Unreadable(f"不是文本文件:{name}(请使用 .txt 或 .docx)")
    text = decoded(data)
    if text is None:
        raise Unreadable(f"无法识别文件的编码:{name}(请保存为 UTF-8 文本)")
    return text
