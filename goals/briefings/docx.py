"""The briefing (督查通报) as a Word document in the layout of official documents (GB/T 9704):
the issuer's name in red over the document number (经开督〔2024〕6号) and a red rule, the
title in a 小标宋-style font, the body in a 仿宋-style font (三号, 16 pt, 28 pt lines), headings
in 黑体, the tables, and page numbers in the footer ("— 1 —", outer edge).

It reads the same Briefing object that goals.briefings.build makes for the PDF and the xlsx.
Fonts: Chinese text asks for FangSong (仿宋, Windows), and the font table names STFangsong
(macOS) and Noto Serif CJK SC (Linux, LibreOffice) as its alternatives, so that each office
suite finds a 仿宋-like face; digits and Latin text are in Times New Roman.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from goals.briefings.build import Briefing
from goals.briefings.sections import department_cells, department_headers, item_cells, item_headers
from goals.rules.progress import Light

BODY_FONT = "FangSong"
BODY_FALLBACKS = ("仿宋", "STFangsong", "Noto Serif CJK SC")
TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACKS = ("SimSun", "STSong", "Noto Serif CJK SC")
HEADING_FONT = "SimHei"
HEADING_FALLBACKS = ("黑体", "STHeiti", "Noto Sans CJK SC")
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xE0, 0x00, 0x00)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_number(briefing: Briefing, number: str | None = None) -> str:
    """经开督〔2024〕6号: the prefix from BRIEFING_NUMBER_PREFIX, the year of the day, and by
    default the month as the serial (one briefing a month)."""
    if number:
        return number
    return f"{settings.BRIEFING_NUMBER_PREFIX}〔{briefing.day.year}〕{briefing.day.month}号"


def _fonts(run, east_asia: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


def _paragraph(
    doc, text: str = "", *, font=BODY_FONT, size=16.0, bold=False, color=None, align=None, indent=True
):
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28 if size >= 16 else max(size * 1.5, 14))
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    elif indent:
        fmt.first_line_indent = Pt(size * 2)  # two characters
    if text:
        _fonts(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _red_rule(paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "E00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_number_footer(section) -> None:
    """ "— PAGE —" in 宋体 四号 (14 pt), centred (a PAGE field, filled in by the word processor)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(paragraph.add_run("— "), "SimSun", 14)
    run = paragraph.add_run()
    _fonts(run, "SimSun", 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text.strip() == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
    _fonts(paragraph.add_run(" —"), "SimSun", 14)


def _font_alternatives(doc) -> None:
    """Name each Chinese face's alternatives in the font table (w:altName)."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        fonts = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:rFonts"))
        if fonts is not None:
            fonts.set(qn("w:eastAsia"), BODY_FONT)
    for part in doc.part.package.parts:
        if part.partname.endswith("fontTable.xml"):
            xml = part.blob.decode("utf-8")
            extra = "".join(
                f'<w:font w:name="{name}"><w:altName w:val="{",".join(alternatives)}"/>'
                f'<w:charset w:val="86"/><w:family w:val="{family}"/></w:font>'
                for name, alternatives, family in (
                    (BODY_FONT, BODY_FALLBACKS, "modern"),
                    (TITLE_FONT, TITLE_FALLBACKS, "roman"),
                    (HEADING_FONT, HEADING_FALLBACKS, "modern"),
                )
            )
            part._blob = xml.replace("</w:fonts>", extra + "</w:fonts>").encode("utf-8")


def _table(doc, headers: list[str], rows: list[list[str]], widths: list[int] | None = None) -> None:
    """A grid table, header row in 黑体 repeated on every page; `widths` in mm."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = widths is None
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            _fonts(cell.paragraphs[0].add_run(str(text)), BODY_FONT, 10.5)
    if widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Mm(width)
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header.append(repeat)


def to_docx(briefing: Briefing, *, number: str | None = None) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(21)
    _font_alternatives(doc)
    issuer = settings.BRIEFING_ISSUER or _("常州经开区督查室")
    _paragraph(doc, issuer, font=TITLE_FONT, size=26, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    rule = _paragraph(doc, document_number(briefing, number), align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(rule)
    _paragraph(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, briefing.title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER)

    lights = "、".join(
        _("%(light)s %(n)s 个") % {"light": Light(light).label, "n": n} for light, n in briefing.light_counts
    )
    _paragraph(
        doc,
        _("截至 %(day)s,%(year)s 年工作目标总体完成度 %(percent)s%%,共 %(total)s 个目标,其中%(lights)s。")
        % {
            "day": briefing.day.isoformat(),
            "year": briefing.plan.year,
            "percent": briefing.overall_percent,
            "total": briefing.total,
            "lights": lights,
        },
    )
    _paragraph(doc, _("一、各单位情况"), font=HEADING_FONT)
    rows = [department_cells(row) for row in briefing.departments]
    if rows:
        _table(doc, department_headers(), rows)
    else:
        _paragraph(doc, _("尚未给任何单位分配目标。"))
    for heading, items, _anchor in briefing.sections:
        _paragraph(doc, heading, font=HEADING_FONT)
        if not items:
            _paragraph(doc, _("无。"))
            continue
        headers = item_headers(public=briefing.public, as_of=False)
        widths = [14, 34, 20, 20, 18, 18] if briefing.public else [13, 26, 17, 17, 15, 14, 27, 27]
        body = [item_cells(item, public=briefing.public, as_of=False) for item in items]
        _table(doc, headers, body, widths)
    if briefing.previous_day:
        _paragraph(
            doc, _("四、较上期(%(day)s)变化") % {"day": briefing.previous_day.isoformat()}, font=HEADING_FONT
        )
        for label, items in ((_("新完成:"), briefing.newly_done), (_("新亮红灯:"), briefing.newly_red)):
            listed = ";".join(f"{i.target.code} {i.target.name}({i.department})" for i in items) or _("无")
            _paragraph(doc, label + listed)
    _paragraph(doc, "")
    _paragraph(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    day = briefing.day
    date = _("%(year)s年%(month)s月%(day)s日") % {"year": day.year, "month": day.month, "day": day.day}
    _paragraph(doc, date, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section)
    doc.core_properties.title = briefing.title
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
