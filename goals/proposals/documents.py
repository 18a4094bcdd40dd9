"""Reading a published plan's file: plain text (.txt, .md) or Word (.docx)."""

from __future__ import annotations

import zipfile
from pathlib import Path

ENCODINGS = ("utf-8-sig", "gb18030", "big5")
MAX_BYTES = 20 * 1024 * 1024


class Unreadable(Exception):
    """The file cannot be read as a plan's text (the message says why, in Chinese)."""


def _docx_text(path: Path) -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise Unreadable(f"不是有效的 Word(.docx)文件:{path.name}") from error
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
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_text(path)
    if suffix == ".doc":
        raise Unreadable("不支持旧版 Word(.doc)文件:请另存为 .docx 或 .txt。")
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise Unreadable(f"不是文本文件:{path.name}(请使用 .txt 或 .docx)")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable(f"无法识别文件的编码:{path.name}(请保存为 UTF-8 文本)")
