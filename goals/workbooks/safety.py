"""What an uploaded workbook must be before openpyxl opens it, and how it is opened.

An .xlsx is a zip of XML parts. Before any part is decompressed, the zip's directory says
how many members it has and how large they are once inflated: a zip bomb (a small file
that inflates to gigabytes) is refused on those numbers. zipfile itself stops reading a
member at its declared size, so a directory that lies cannot make it inflate more.
Then: a macro-enabled workbook, an old binary .xls (or WPS .et), a CSV or an OpenDocument
sheet renamed to .xlsx are refused by what they contain, not by their name. No part may
declare a DOCTYPE or an ENTITY (Excel never writes one; the XML parser would expand entities
— billion laughs — or fail on external ones), so no part is parsed that could. openpyxl
reads rows lazily: whatever it raises while reading them is a refusal too, never a 500.
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .et, .doc: the old binary formats
ZIP_MAGIC = b"PK\x03\x04"
MACRO_MARKERS = ("vbaproject.bin", "macroenabled")
# Declarations no workbook needs; looked for in every part but images, in UTF-8 and (with
# the zero bytes taken out) UTF-16, the encodings the XML parser reads.
DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf")
CHUNK = 1024 * 1024
# XML elements a workbook may hold in all, unless its reader says otherwise: the 2024 plan's
# workbook has about 6,500; openpyxl takes about a second for 100,000 on a busy server.
MAX_ELEMENTS = 100_000


class Refused(Exception):
    """The file cannot be read as a workbook of this kind; the message says why, in Chinese."""


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, if it is not larger than WORKBOOK_MAX_BYTES."""
    limit = settings.WORKBOOK_MAX_BYTES
    if upload.size > limit:
        raise Refused(
            _("文件超过 %(mb)s MB 上限,请删除多余的内容后重新上传。") % {"mb": round(limit / 1024 / 1024, 1)}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise Refused(_("文件超过大小上限。"))
    return data


def check_container(data: bytes, *, max_elements: int = MAX_ELEMENTS) -> None:
    """Refuse anything that is not a plain .xlsx zip of a reasonable inflated size, holding
    at most `max_elements` XML elements in all (openpyxl reads shared strings and styles
    whole before the first row: 400,000 strings take it many seconds)."""
    if data.startswith(OLE_MAGIC):
        raise Refused(
            _("这是旧版 Excel(.xls)或 WPS(.et)格式的文件,请在 Excel 或 WPS 中「另存为」.xlsx 后再上传。")
        )
    if not data.startswith(ZIP_MAGIC):
        raise Refused(_("文件不是 .xlsx 工作簿(可能是 CSV 或其他格式改了扩展名),请上传下载的 .xlsx 文件。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Refused(_("文件已损坏,无法作为 .xlsx 工作簿读取。")) from None
    with archive:
        members = archive.infolist()
        if len(members) > settings.WORKBOOK_MAX_MEMBERS:
            raise Refused(_("工作簿包含的部件过多,无法读取。"))
        inflated = sum(member.file_size for member in members)
        if inflated > settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES:
            raise Refused(_("工作簿解压后过大(可能是压缩炸弹),已拒绝。"))
        names = {member.filename.lower() for member in members}
        if "mimetype" in names and "content.xml" in names:
            raise Refused(_("这是 OpenDocument(.ods)表格,请「另存为」Excel 2007-365(.xlsx)后再上传。"))
        if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
            raise Refused(_("文件不是 .xlsx 工作簿,无法读取。"))
        types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
        if any(marker in name for name in names for marker in MACRO_MARKERS) or "macroenabled" in types:
            raise Refused(_("工作簿含有宏(.xlsm),出于安全考虑不予接收,请另存为不含宏的 .xlsx。"))
        elements = 0
        for member in members:
            if member.filename.lower().endswith(IMAGE_SUFFIXES):
                continue
            declares, count = _scan(archive, member)
            if declares:
                raise Refused(
                    _(
                        "工作簿含有 XML 实体声明(DOCTYPE/ENTITY),出于安全考虑不予读取;请在 Excel 中另存为 .xlsx 后再上传。"
                    )
                )
            elements += count
            if elements > max_elements:
                raise Refused(
                    _(
                        "工作簿的内容远多于本表所需(多余的行、列、文字或格式),请使用本系统下载的工作簿,删除多余内容后重新上传。"
                    )
                )


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[bool, int]:
    """Whether the part holds a DOCTYPE or ENTITY declaration, and about how many XML
    elements it has (its tags less its end tags). Read in chunks, at most its declared size:
    the sizes were checked above."""
    tail, elements = b"", 0
    with archive.open(member) as part:
        while chunk := part.read(CHUNK):
            text = chunk.replace(b"\0", b"")
            elements += text.count(b"<") - text.count(b"</")
            text = tail + text.upper()
            if any(declaration in text for declaration in DECLARATIONS):
                return True, elements
            tail = text[-16:]
    return False, elements


def open_workbook(data: bytes, *, read_only: bool = True, max_elements: int = MAX_ELEMENTS) -> Workbook:
    """The checked bytes as an openpyxl workbook (read-only, formulas kept as formulas)."""
    check_container(data, max_elements=max_elements)
    try:
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=False)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, InvalidFileException…)
        raise Refused(_("文件已损坏或不是有效的 .xlsx 工作簿,无法读取。")) from None


def bounded_rows(sheet, *, rows: int, columns: int):
    """The sheet's first `rows` rows, each `columns` cells wide, whatever the sheet declares.

    A sheet's <dimension> is what the file says, not what it holds: eight kilobytes can
    declare A1:XFD1048576 and put one cell in the last row, and openpyxl would pad every
    row in between to 16,384 empty cells. Reading stops at the row bound; cells right of
    the column bound are not looked at. A part that cannot be parsed is Refused.
    """
    sheet.reset_dimensions()
    found = sheet.iter_rows(min_row=1, max_row=rows, max_col=columns)
    while True:
        try:
            row = next(found)
        except StopIteration:
            return
        except Exception:  # openpyxl parses the sheet as rows are asked for: ParseError, ValueError…
            raise Refused(_("工作表内容已损坏,无法读取;请在 Excel 中另存为 .xlsx 后再上传。")) from None
        yield row


def only_sheet(workbook: Workbook, expected_title: str | None = None):
    """The workbook's single worksheet: extra sheets (even hidden ones) are refused."""
    if len(workbook.sheetnames) != 1:
        raise Refused(
            _("工作簿只能有一个工作表(现有 %(n)s 个:%(names)s),请删除多余的工作表后重新上传。")
            % {"n": len(workbook.sheetnames), "names": "、".join(workbook.sheetnames)}
        )
    sheet = workbook[workbook.sheetnames[0]]
    if expected_title is not None and sheet.title != expected_title:
        raise Refused(
            _("工作表名称应为「%(expected)s」,实为「%(actual)s」:请使用本系统下载的工作簿。")
            % {"expected": expected_title, "actual": sheet.title}
        )
    return sheet
