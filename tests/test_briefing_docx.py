"""The briefing as a Word document in official-document layout: read back with python-docx
(the issuer, the document number, the title, the tables, the 仿宋 font, the page-number
field), downloaded from the staff page, written by the command, and converted to PDF by
LibreOffice where it is installed."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from goals.accounts.permissions import OFFICIAL, ensure_roles
from goals.briefings import build as briefings
from goals.briefings import docx as briefing_docx
from tests.builders import make_user
from tests.personas import as_user
from tests.test_briefings import DAY, briefed  # noqa: F401 (the fixture)


def text_of(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


@pytest.fixture
def document(briefed):  # noqa: F811
    data = briefing_docx.to_docx(briefings.build(briefed, DAY))
    return data, Document(io.BytesIO(data))


def test_it_reads_as_an_official_document(document):
    _data, doc = document
    paragraphs = [p.text for p in doc.paragraphs if p.text]
    assert paragraphs[0] == "常州经开区督查室"
    assert paragraphs[1] == "经开督〔2024〕6号"
    assert paragraphs[2] == "2024 年工作目标督查通报(截至 2024-06-30)"
    assert paragraphs[-1] == "2024年6月30日"
    text = text_of(doc)
    assert "一、各单位情况" in text and "二、红灯目标" in text and "三、黄灯目标" in text
    assert "P1.3 | 新增托位" in text and "选址未定" in text and "七月开工两处" in text
    assert "横林镇 | 2 |" in text
    assert "新完成:P7.2" in text


def test_it_has_the_layout_fonts_and_page_numbers(document):
    data, doc = document
    section = doc.sections[0]
    mm = [round(length.mm) for length in (section.page_width, section.page_height)]
    assert mm + [round(section.top_margin.mm), round(section.left_margin.mm)] == [210, 297, 37, 28]
    body = next(p for p in doc.paragraphs if p.text.startswith("截至"))
    fonts = body.runs[0]._element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "FangSong" and body.runs[0].font.size.pt == 16
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "fldChar" in footer
    assert b"Noto Serif CJK SC" in _part(data, "word/fontTable.xml")


def _part(data: bytes, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def test_public_version_has_no_notes_and_a_number_can_be_given(briefed):  # noqa: F811
    data = briefing_docx.to_docx(briefings.build(briefed, DAY, public=True), number="经开督〔2024〕12号")
    text = text_of(Document(io.BytesIO(data)))
    assert "经开督〔2024〕12号" in text and "公示" in text
    assert "选址未定" not in text and "内部说明不公开" not in text


def test_staff_download_it_and_the_command_writes_it(briefed, tmp_path):  # noqa: F811
    ensure_roles()
    official = make_user("docx-official")
    official.groups.add(Group.objects.get(name=OFFICIAL))
    staff = as_user(official)
    response = staff.get(reverse("staff_briefing"), {"as_of": "2024-06-30", "format": "docx"})
    assert response.status_code == 200 and response["Content-Type"] == briefing_docx.DOCX
    assert ".docx" in response["Content-Disposition"]
    assert "新增托位" in text_of(Document(io.BytesIO(response.content)))
    page = staff.get(reverse("staff_briefing"), {"as_of": "2024-06-30"}).content.decode()
    assert "format=docx" in page
    path = tmp_path / "out.docx"
    out = io.StringIO()
    call_command(
        "briefing",
        str(path),
        "--as-of",
        "2024-06-30",
        "--format",
        "docx",
        "--number",
        "经开督〔2024〕7号",
        stdout=out,
    )
    assert "经开督〔2024〕7号" in text_of(Document(str(path)))


def test_libreoffice_converts_it_to_pdf(document, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    data, _doc = document
    source = tmp_path / "briefing.docx"
    source.write_bytes(data)
    profile = tmp_path / "profile"  # its own profile: no clash with another soffice running
    result = subprocess.run(  # noqa: S603
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "briefing.pdf"
    assert result.returncode == 0 and pdf.is_file(), result.stderr.decode(errors="replace")
    reader = PdfReader(str(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "经开督" in text and "P1.3" in text and "选址未定" in text
    assert "— 1 —" in reader.pages[0].extract_text()
