"""The English translation: a complete, well-formed .po, a .mo compiled from it, English pages.

The catalogue is locale/en/LC_MESSAGES/django.po (made by ``makemessages -l en``); the
compiled django.mo is committed next to it, so running the site never needs gettext.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.utils import translation

from goals.models import Action, Pillar, TargetGroup

LC_MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

CJK = re.compile(r"[\u4e00-\u9fff]")
# printf-style placeholders, named or not (%(name)s, %(limit_value)d, %s), and {name} fields.
PLACEHOLDER = re.compile(
    r"%%|%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|\{\w*\}"
)


def placeholders(text: str) -> set[str]:
    return {token for token in PLACEHOLDER.findall(text) if token != "%%"}


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete and entry.msgid]


def translations(entry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def catalogue(entries) -> dict[tuple, tuple[str, ...]]:
    """(context, msgid, plural msgid) -> translations: comparable between a .po and a .mo."""
    return {
        (entry.msgctxt or "", entry.msgid, entry.msgid_plural or ""): tuple(translations(entry))
        for entry in entries
        if entry.msgid
    }


# --- the catalogue ---------------------------------------------------------------------------


def test_the_header_says_english_utf8_and_two_plural_forms(po):
    assert po.metadata["Language"] == "en"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not po.metadata_is_fuzzy


def test_the_catalogue_is_not_empty(po):
    # The site's UI has a few hundred strings; a near-empty file means makemessages went wrong.
    assert len(live_entries(po)) > 300


def test_every_entry_is_translated_and_not_fuzzy(po):
    untranslated = [e.msgid for e in live_entries(po) if not e.translated()]
    fuzzy = [e.msgid for e in live_entries(po) if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_a_singular_and_a_plural(po):
    for entry in live_entries(po):
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


def test_no_chinese_is_left_in_the_translations(po):
    leftover = [(e.msgid, text) for e in live_entries(po) for text in translations(e) if CJK.search(text)]
    assert leftover == []


def test_placeholders_are_kept_exactly(po):
    wrong = []
    for entry in live_entries(po):
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for text in translations(entry):
            if placeholders(text) != expected:
                wrong.append((entry.msgid, text))
    assert wrong == []


def test_the_placeholder_pattern_finds_every_kind():
    assert placeholders("共 %(n)s 个,%(limit_value)d 字,%s 与 {name},100%%") == {
        "%(n)s",
        "%(limit_value)d",
        "%s",
        "{name}",
    }


# --- the compiled catalogue ------------------------------------------------------------------


def test_the_committed_mo_matches_the_po(po):
    assert MO_PATH.is_file(), "run: manage.py compilemessages -l en"
    mo = polib.mofile(str(MO_PATH))
    expected = catalogue(e for e in live_entries(po) if e.translated() and "fuzzy" not in e.flags)
    assert catalogue(mo) == expected


def test_django_reads_the_english_catalogue():
    with translation.override("en"):
        assert translation.gettext("十大民生实事") == "Ten livelihood projects"
        assert translation.ngettext("共 %(n)s 个目标", "共 %(n)s 个目标", 1) == "%(n)s target"
        assert translation.ngettext("共 %(n)s 个目标", "共 %(n)s 个目标", 2) == "%(n)s targets"
    with translation.override("zh-hans"):
        assert translation.gettext("十大民生实事") == "十大民生实事"


# --- the pages -------------------------------------------------------------------------------


class UiText(HTMLParser):
    """Text the templates write themselves, never the plan's data: headings of sections,
    column headers, field labels, buttons, and the aria-label / data-label / placeholder
    attributes. Row headers (department names) are data."""

    ELEMENTS = {"h2", "th", "dt", "label", "button", "summary"}
    ATTRIBUTES = {"aria-label", "data-label", "placeholder"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.found.append(value)
        if tag in self.ELEMENTS and not (tag == "th" and ("scope", "row") in attrs):
            self.open.append(tag)
            self.found.append("")

    def handle_endtag(self, tag):
        if self.open and tag == self.open[-1]:
            self.open.pop()

    def handle_data(self, data):
        if self.open:
            self.found[-1] += data


def ui_text(html: str) -> list[str]:
    parser = UiText()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.found if text.strip()]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_the_english_home_page_is_in_english(client, seeded):
    html = page(client, "/en/")
    assert '<html lang="en"' in html
    for label in (
        "Changzhou EDZ · 2024 targets tracker",
        "All targets",
        "Departments",
        "Staff area",
        "Overall progress",
        "Ten livelihood projects",
        "Seven major actions",
        "Four pillars",
        "No report yet",
        "Latest approved progress",
        "2023 results and 2024 targets",
        "Open data",
        "Skip to main content",
    ):
        assert label in html, label
    for chinese in ("十大民生实事", "七大行动", "四个经开", "总体进度", "全部目标", "尚未填报", "开放数据"):
        assert chinese not in html, chinese
    # The language switch leads back to the Chinese page.
    assert 'hreflang="zh-hans"' in html


@pytest.mark.django_db
def test_the_chinese_home_page_is_still_chinese(client, seeded):
    html = page(client, "/")
    assert '<html lang="zh-hans"' in html
    for label in ("十大民生实事", "七大行动", "四个经开", "总体进度", "全部目标", "尚未填报"):
        assert label in html, label
    for english in ("Ten livelihood projects", "Seven major actions", "Overall progress", "No report yet"):
        assert english not in html, english


@pytest.mark.django_db
def test_the_english_targets_page_is_in_english(client, seeded):
    html = page(client, "/en/targets/")
    assert '<html lang="en"' in html
    for label in (
        "All 2024 targets",
        "Filter targets",
        "All statuses",
        "All projects and actions",
        "Stale only",
        "Target value",
        "Current value",
        "Completion",
        "Lead department",
        "Last report",
        "No report yet",
    ):
        assert label in html, label
    for chinese in ("全部状态", "全部项目和行动", "只看久未更新", "目标值", "尚未填报"):
        assert chinese not in html, chinese


@pytest.mark.django_db
def test_the_english_staff_login_page_is_in_english(client, seeded):
    html = page(client, "/en/staff/login/")
    assert '<html lang="en"' in html
    for label in ("Staff sign-in", "Sign in", "Public site", "Username", "Password"):
        assert label in html, label
    for chinese in ("工作人员登录", "公开网站", "用户名", "密码"):
        assert chinese not in html, chinese


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/en/", "/en/targets/", "/en/departments/", "/en/staff/login/"])
def test_english_ui_labels_carry_no_chinese(client, seeded, url):
    labels = ui_text(page(client, url))
    assert labels, url
    # Labels may name the plan's own projects and actions (data, which stays Chinese).
    names = sorted(
        {
            *TargetGroup.objects.values_list("name", flat=True),
            *Action.objects.values_list("name", flat=True),
            *Pillar.objects.values_list("name", flat=True),
        },
        key=len,
        reverse=True,
    )

    def without_names(text: str) -> str:
        for name in names:
            text = text.replace(name, "")
        return text

    assert [text for text in labels if CJK.search(without_names(text))] == []


@pytest.mark.django_db
def test_chinese_ui_labels_are_found_by_the_same_check(client, seeded):
    # The check above would pass on a page it cannot read: make sure it reads the Chinese one.
    assert any(CJK.search(text) for text in ui_text(page(client, "/targets/")))


@pytest.mark.django_db
def test_messages_from_python_code_are_in_english(client, seeded):
    response = client.get("/en/targets/", {"status": "nonsense"})
    assert "There is no option “nonsense”; it was ignored." in response.content.decode()
    response = client.get("/en/", {"as_of": "someday"})
    assert response.status_code == 400
    assert "The date “someday” was not recognised" in response.content.decode()


def test_stage_labels_read_naturally_in_both_languages(db):
    from goals.reporting.forms import StaffReportForm
    from tests.builders import make_plan, make_project, make_target

    milestone = make_target(make_project(make_plan(2023)), "P1.1", kind="milestone", unit="")
    with translation.override("en"):
        labels = [label for _value, label in StaffReportForm(target=milestone).stage_choices()]
        assert "Not started (0%)" in labels, labels
    with translation.override("zh-hans"):
        labels = [label for _value, label in StaffReportForm(target=milestone).stage_choices()]
        assert "未启动(0%)" in labels, labels
