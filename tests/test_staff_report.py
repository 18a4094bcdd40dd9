"""The report form: inline (htmx) and full page, validation, optimistic concurrency, corrections."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goals.models import AuditEntry, Evidence, Report, Target
from goals.reporting import services
from tests.builders import HTMX, PNG, make_user, report_form_data
from tests.personas import DAY, as_user


def url(target: Target) -> str:
    return reverse("report_target", args=[target.code])


def test_it_submits_inline_and_swaps_in_the_updated_row(world, official_own):
    target = world.own_target
    response = as_user(official_own).post(
        url(target), report_form_data(target, "120", note="已完成一期"), headers=HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tbody id="target-{target.pk}"')
    assert "<html" not in html
    assert "待审核" in html and "已提交 P1.1 的进度(120个" in html
    report = Report.objects.get()
    assert (report.target, report.value, report.as_of, report.note, report.author, report.state) == (
        target,
        120,
        DAY,
        "已完成一期",
        official_own,
        Report.State.SUBMITTED,
    )
    assert AuditEntry.objects.get().action == AuditEntry.Action.SUBMIT
    assert response["Vary"].count("HX-Request") == 1
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "请输入数字"),
        ("-5", "不能为负数"),
        ("", "请填写累计完成值"),
        ("200000", "远超目标"),
    ],
)
def test_it_shows_a_chinese_error_beside_the_field_and_saves_nothing(world, official_own, value, message):
    target = world.own_target
    response = as_user(official_own).post(
        url(target), report_form_data(target, value, note="保留的说明"), headers=HTMX
    )

    assert response.status_code == 422
    html = response.content.decode()
    field_id = f"id_t{target.pk}-value"
    error = re.search(rf'<ul class="errorlist" id="{field_id}_error"><li>([^<]+)</li>', html)
    assert error and message in error.group(1)
    widget = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in widget and f"{field_id}_error" in widget
    assert "保留的说明" in html  # what was typed stays in the form
    assert Report.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_it_refuses_an_as_of_day_outside_the_period(world, official_own):
    target = world.own_target
    response = as_user(official_own).post(
        url(target), report_form_data(target, as_of="2022-12-31"), headers=HTMX
    )
    assert response.status_code == 422
    assert "截至日期不能早于计划开始" in response.content.decode()
    assert Report.objects.count() == 0


def test_it_reads_full_width_digits_and_thousands_separators(world, official_own):
    target = world.own_target
    response = as_user(official_own).post(url(target), report_form_data(target, "1,2０"), headers=HTMX)
    assert response.status_code == 200
    assert Report.objects.get().value == 120


def test_it_works_as_a_full_page_without_javascript(world, official_own):
    target = world.own_target
    client = as_user(official_own)
    page = client.get(url(target))
    assert page.status_code == 200
    html = page.content.decode()
    form = f'action="{url(target)}?year={target.plan.year}"'  # two years may be open: the form names its own
    assert "<html" in html and form in html and 'enctype="multipart/form-data"' in html
    assert '<details class="report-details" open>' in html

    bad = client.post(url(target), report_form_data(target, "abc"))
    assert bad.status_code == 422 and "<html" in bad.content.decode() and "请输入数字" in bad.content.decode()
    assert Report.objects.count() == 0

    good = client.post(url(target), report_form_data(target, "150"))
    assert good.status_code == 302
    assert good["Location"] == reverse("workspace") + f"?year={target.plan.year}#target-{target.pk}"
    assert Report.objects.get().value == 150
    followed = client.get(good["Location"])
    assert "已提交 P1.1 的进度(150个" in followed.content.decode()


def test_it_refuses_a_stale_form_keeps_the_input_and_shows_the_fresh_state(world, official_own, reviewer):
    target = world.own_target
    shown = report_form_data(target, "150", note="六月底数据")  # the form as rendered, revision 0
    other = services.submit_report(target=target, value=90, as_of=DAY, author=official_own)
    services.approve_report(report=other, reviewer=reviewer)

    client = as_user(official_own)
    response = client.post(url(target), shown, headers=HTMX)

    assert response.status_code == 409
    html = response.content.decode()
    assert "已有变动" in html
    assert "90个" in html  # the fresh approved value
    assert 'value="150"' in html and "六月底数据" in html  # the official's input kept
    assert f'name="t{target.pk}-revision" value="1"' in html  # ready to resubmit
    assert Report.objects.count() == 1

    again = client.post(url(target), report_form_data(target, "150", revision=1), headers=HTMX)
    assert again.status_code == 200
    assert Report.objects.filter(value=150, state=Report.State.SUBMITTED).exists()


def test_it_refuses_a_form_shown_before_an_assignment_change(world, official_own):
    target = world.own_target
    shown = report_form_data(target, "150")
    Target.objects.filter(pk=target.pk).update(revision=5)  # as the admin does on reassignment
    response = as_user(official_own).post(url(target), shown, headers=HTMX)
    assert response.status_code == 409 and Report.objects.count() == 0


def test_it_asks_to_reload_a_form_without_its_revision(world, official_own):
    target = world.own_target
    posted = report_form_data(target)
    del posted[f"t{target.pk}-revision"]
    response = as_user(official_own).post(url(target), posted, headers=HTMX)
    assert response.status_code == 422 and "刷新页面" in response.content.decode()
    assert Report.objects.count() == 0


def test_it_offers_stages_for_a_milestone(world, official_own):
    target = world.milestone
    client = as_user(official_own)
    html = client.get(url(target), headers=HTMX).content.decode()
    assert "完成阶段" in html and '<option value="50">实施中(50%)</option>' in html

    missing = client.post(url(target), report_form_data(target, ""), headers=HTMX)
    assert missing.status_code == 422 and "请选择完成阶段" in missing.content.decode()
    done = client.post(url(target), report_form_data(target, "50"), headers=HTMX)
    assert done.status_code == 200 and Report.objects.get().value == 50


def test_it_explains_scaled_targets_in_plain_numbers(world, official_own):
    target = world.own_target
    Target.objects.filter(pk=target.pk).update(scale=10_000, target_value="1.1", unit="名")
    html = as_user(official_own).get(url(target), headers=HTMX).content.decode()
    assert "1.1万 填 11000" in html


def test_it_stores_evidence_files(world, official_own, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    target = world.own_target
    posted = report_form_data(target)
    posted[f"t{target.pk}-evidence"] = [SimpleUploadedFile("现场.png", PNG, content_type="image/png")]
    response = as_user(official_own).post(url(target), posted, headers=HTMX)
    assert response.status_code == 200
    assert Evidence.objects.get().original_name == "现场.png"
    assert "现场.png" in response.content.decode()


def test_it_refuses_a_file_that_is_not_an_image_or_pdf(world, official_own, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    target = world.own_target
    posted = report_form_data(target)
    posted[f"t{target.pk}-evidence"] = [SimpleUploadedFile("x.png", b"MZ\x90\x00", content_type="image/png")]
    response = as_user(official_own).post(url(target), posted, headers=HTMX)
    assert response.status_code == 422 and "不是可接受的图片或 PDF" in response.content.decode()
    assert Report.objects.count() == 0 and Evidence.objects.count() == 0


def test_it_lets_a_colleague_report_on_a_co_led_target(world, official_other):
    world.own_target.co_departments.add(world.other_department)
    target = world.own_target
    response = as_user(official_other).post(url(target), report_form_data(target), headers=HTMX)
    assert response.status_code == 200 and Report.objects.get().author == official_other


# --- returned reports -----------------------------------------------------------------------


@pytest.fixture
def returned(world, official_own, reviewer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("旧照片.png", PNG, content_type="image/png")
    report = services.submit_report(
        target=world.own_target,
        value=1200,
        as_of=DAY,
        author=official_own,
        note="含二期",
        evidence=[(upload, "image/png")],
    )
    return services.return_report(report=report, reviewer=reviewer, reason="多输了一个零")


def test_it_shows_the_reviewers_reason_with_a_link_to_correct(world, official_own, returned):
    html = as_user(official_own).get(reverse("workspace")).content.decode()
    assert "已退回" in html and "多输了一个零" in html
    assert reverse("resubmit_report", args=[returned.pk]) in html


def test_it_prefills_a_correction_and_resubmits_it_as_a_new_report(world, official_own, returned):
    client = as_user(official_own)
    target = world.own_target
    form = client.get(reverse("resubmit_report", args=[returned.pk]), headers=HTMX).content.decode()
    assert 'value="1200"' in form and "含二期" in form and "多输了一个零" in form
    assert "沿用原报告的佐证材料" in form

    posted = report_form_data(target, "120", note="更正")
    posted[f"t{target.pk}-keep_evidence"] = "on"
    response = client.post(reverse("resubmit_report", args=[returned.pk]), posted, headers=HTMX)

    assert response.status_code == 200
    fixed = Report.objects.get(revises=returned)
    assert (fixed.value, fixed.state, fixed.note) == (120, Report.State.SUBMITTED, "更正")
    assert [e.original_name for e in fixed.evidence.all()] == ["旧照片.png"]
    assert fixed.evidence.get().file.read() == PNG
    assert Report.objects.get(pk=returned.pk).state == Report.State.RETURNED
    assert "多输了一个零" not in response.content.decode()  # the returned report is dealt with


def test_it_refuses_to_correct_a_report_twice(world, official_own, returned):
    client = as_user(official_own)
    target = world.own_target
    client.post(reverse("resubmit_report", args=[returned.pk]), report_form_data(target, "120"))
    response = client.post(reverse("resubmit_report", args=[returned.pk]), report_form_data(target, "130"))
    assert response.status_code == 302
    assert Report.objects.filter(revises=returned).count() == 1
    assert "无需更正" in client.get(response["Location"]).content.decode()


def test_it_refuses_a_department_member_without_the_official_role(world):
    member = make_user("member-only")
    world.own_department.members.add(member)
    target = world.own_target
    response = as_user(member).post(url(target), report_form_data(target), headers=HTMX)
    assert response.status_code == 403 and Report.objects.count() == 0


def test_it_lets_a_superuser_report_on_any_target(world):
    root = make_user("root", is_superuser=True, is_staff=True)
    target = world.other_target
    response = as_user(root).post(url(target), report_form_data(target, "3"), headers=HTMX)
    assert response.status_code == 200 and Report.objects.get().author == root


def test_a_second_identical_submission_says_already_submitted_and_adds_nothing(world, official_own):
    target = world.own_target
    client = as_user(official_own)
    data = report_form_data(target, "120", note="已完成一期")
    assert client.post(url(target), data, headers=HTMX).status_code == 200

    again = client.post(url(target), data, headers=HTMX)  # a double click, a retried request
    assert again.status_code == 200
    assert "已经提交,正在等待审核,无需重复提交" in again.content.decode()
    page = client.post(url(target), data)  # without JavaScript: back to the workspace, told why
    assert page.status_code == 302
    assert "无需重复提交" in client.get(page["Location"]).content.decode()
    assert Report.objects.count() == 1 and AuditEntry.objects.count() == 1

    other = client.post(url(target), report_form_data(target, "130"), headers=HTMX)
    assert other.status_code == 200 and Report.objects.count() == 2
