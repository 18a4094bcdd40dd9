"""Apply the audit's corrections of the 2024 seed to a database that loaded it before them.

A fresh database gets them from the fixtures; `manage.py seed` loads a plan only once, so a
database seeded earlier would keep the old pairings and folded clauses. Each step applies
only where the data is still as the old seed left it, so an admin's own edits are kept and
running it on a corrected (or empty) database changes nothing. No natural key changes.
"""

from django.db import migrations
from django.db.models import F

# figure: target it was wrongly paired with (now related context, not a continuation)
UNLIKE = {"R09": "A3.2", "R28": "P9.3", "R29": "P9.6", "R32": "P4.5"}
# new target: (inserted before, group, name, wording == clause); its old clause → new clause
NEW_TARGETS = [
    ("A3.2a", "A3.2", "A3.2", "在建项目建设", "加快在建项目建设"),
    ("P3.0", "P3.1", "P3", "“健康满格”家庭医生签约服务", "开展“健康满格”家庭医生签约服务"),
    ("P6.0", "P6.1", "P6", "临时救助主动发现机制", "完善临时救助主动发现机制,政策内应救尽救"),
]
CLAUSES = {
    "A3.2": ("加快在建项目建设,确保年内新投放大标准厂房100万平方米以上", "确保年内新投放大标准厂房100万平方米以上"),
    "P3.1": (
        "开展“健康满格”家庭医生签约服务,全年重点人群签约率达77%,个性化服务签约率达27%",
        "全年重点人群签约率达77%,个性化服务签约率达27%",
    ),
    "P3.2": (
        "开展“健康满格”家庭医生签约服务,全年重点人群签约率达77%,个性化服务签约率达27%",
        "全年重点人群签约率达77%,个性化服务签约率达27%",
    ),
    "P6.1": ("完善临时救助主动发现机制,政策内应救尽救,救助150人次左右", "救助150人次左右"),
}
EDUCATION = "学前教育普及普惠和义务教育均衡发展达标率位列全省第一方阵"


def correct(apps, schema_editor):
    Plan = apps.get_model("goals", "Plan")
    Target = apps.get_model("goals", "Target")
    TargetGroup = apps.get_model("goals", "TargetGroup")
    ReportedFigure = apps.get_model("goals", "ReportedFigure")
    plan = Plan.objects.filter(year=2024).first()
    if plan is None or not Target.objects.filter(plan=plan, code="P7.1").exists():
        return  # not the seeded plan
    targets = Target.objects.filter(plan=plan)
    figures = ReportedFigure.objects.filter(plan=plan)
    for code, target_code in UNLIKE.items():
        figures.filter(code=code, continued_by__code=target_code, related_to=None).update(
            related_to=F("continued_by"), continued_by=None
        )
    for code, before, group_code, name, wording in NEW_TARGETS:
        anchor = targets.filter(code=before).first()
        group = TargetGroup.objects.filter(plan=plan, code=group_code).first()
        if targets.filter(code=code).exists() or anchor is None or group is None:
            continue
        order = anchor.order
        targets.filter(order__gte=order).update(order=F("order") + 1)
        Target.objects.create(
            plan=plan, code=code, name=name, order=order, group=group, wording=wording,
            kind="milestone", source_clause=wording,
        )
    for code, (old, new) in CLAUSES.items():
        targets.filter(code=code, source_clause=old).update(source_clause=new)
    targets.filter(code="A4.3", kind="level", unit="%").update(
        kind="milestone", target_value=None, unit="", comparator="", name="重点村庄规划编制全覆盖"
    )
    targets.filter(code="A6.1", unit="起").update(unit="")
    r31 = figures.filter(code="R31").first()
    if r31 is not None and not figures.filter(code="R41").exists():
        figures.filter(order__gt=r31.order).update(order=F("order") + 1)
        ReportedFigure.objects.create(
            plan=plan, code="R41", name=EDUCATION, order=r31.order + 1, year=2023, section=r31.section,
            comparator="", value=None, scale=1, unit="", source_clause=r31.source_clause,
        )


class Migration(migrations.Migration):
    dependencies = [("goals", "0007_target_predecessor")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
