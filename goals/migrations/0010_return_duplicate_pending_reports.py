"""Before pending reports become unique per figure (0011): a figure that waits for review
more than once (double submissions from before the constraint) keeps its first report; the
copies are returned, saying so, with an audit entry. Nothing is deleted."""

from django.db import migrations
from django.db.models import Count

REASON = "重复提交:同一数据已有一份报告等待审核(#{kept}),本份由系统退回,无需处理。"


def return_duplicates(apps, schema_editor):
    Report = apps.get_model("goals", "Report")
    AuditEntry = apps.get_model("goals", "AuditEntry")
    groups = (
        Report.objects.filter(state="submitted")
        .values("target_id", "as_of", "value")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for group in groups:
        copies = list(
            Report.objects.filter(state="submitted", **{k: group[k] for k in ("target_id", "as_of", "value")})
            .order_by("created_at", "id")
        )
        kept = copies[0]
        for copy in copies[1:]:
            reviewer_id = copy.author_id or kept.author_id
            if reviewer_id is None:
                raise RuntimeError(
                    f"报告 #{kept.pk} 与 #{copy.pk} 重复且都没有填报人:请先在审核页退回其中一份,再运行 migrate。"
                )
            reason = REASON.format(kept=kept.pk)
            Report.objects.filter(pk=copy.pk).update(
                state="returned", reviewer_id=reviewer_id, reviewed_at=copy.created_at, return_reason=reason
            )
            AuditEntry.objects.create(
                actor=None,
                action="return",
                target_id=copy.target_id,
                report_id=copy.pk,
                changes={"state": ["submitted", "returned"], "reason": reason, "duplicate_of": kept.pk},
            )


class Migration(migrations.Migration):
    dependencies = [("goals", "0009_merge")]

    operations = [migrations.RunPython(return_duplicates, migrations.RunPython.noop)]
