"""The sign-off chain (issue 22, point 2): a plan may ask a department head (部门负责人) to
confirm each report before review. The report's new state 待部门确认, who handled it at that
step and when, the role group 部门负责人 (``goals.confirm_report``, as
goals.accounts.permissions.ROLES has it), and the admins' group given the new permission."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.conf import settings
from django.db import migrations, models


HEAD = "部门负责人"


def create_head_role(apps, schema_editor):
    app_config = apps.get_app_config("goals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    found = Permission.objects.filter(content_type__app_label="goals")
    head, _ = Group.objects.get_or_create(name=HEAD)
    head.permissions.add(*found.filter(codename__in=["confirm_report", "view_target"]))
    admin = Group.objects.filter(name="管理员").first()
    if admin is not None:
        admin.permissions.add(*found.filter(codename="confirm_report"))


def delete_head_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=HEAD).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0015_grant_admins_every_permission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="report",
            options={
                "ordering": ["-as_of", "-created_at", "-id"],
                "permissions": [
                    ("submit_report", "可以为本单位负责的目标填报进度"),
                    ("review_report", "可以审核各单位提交的报告"),
                    ("oversee_reports", "可以查看并处理所有单位的目标与报告"),
                    ("confirm_report", "可以确认或退回本单位的报告(部门负责人)"),
                ],
                "verbose_name": "进度报告",
                "verbose_name_plural": "进度报告",
            },
        ),
        migrations.RemoveConstraint(
            model_name="remindersent",
            name="remindersent_kind_valid",
        ),
        migrations.RemoveConstraint(
            model_name="report",
            name="report_state_valid",
        ),
        migrations.RemoveConstraint(
            model_name="report",
            name="report_reviewed_has_reviewer",
        ),
        migrations.RemoveConstraint(
            model_name="report",
            name="report_one_pending_per_figure",
        ),
        migrations.AddField(
            model_name="plan",
            name="requires_head_confirmation",
            field=models.BooleanField(
                default=False,
                help_text="勾选后,填报人员提交的报告先由本单位部门负责人确认(或退回),再交审核人员审核;只对此后提交的报告生效。",
                verbose_name="须部门负责人确认",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="head",
            field=models.ForeignKey(
                blank=True,
                help_text="须部门确认时,确认或退回这份报告的部门负责人",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="headed_reports",
                to=settings.AUTH_USER_MODEL,
                verbose_name="部门负责人",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="head_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="部门确认时间"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("submit", "提交报告"),
                    ("confirm", "部门确认"),
                    ("approve", "审核通过"),
                    ("return", "退回报告"),
                    ("assign", "调整分工"),
                    ("edit", "修改"),
                    ("publish", "发布计划"),
                    ("close", "计划结项"),
                    ("correct", "结项后更正"),
                ],
                max_length=10,
                verbose_name="操作",
            ),
        ),
        migrations.AlterField(
            model_name="remindersent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("before", "截止前提醒"),
                    ("after", "逾期提醒"),
                    ("review", "待审核提醒"),
                    ("confirm", "待部门确认提醒"),
                    ("digest", "每周汇总"),
                    ("questions", "问询逾期提醒"),
                ],
                max_length=10,
                verbose_name="类别",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="state",
            field=models.CharField(
                choices=[
                    ("confirming", "待部门确认"),
                    ("submitted", "待审核"),
                    ("approved", "已通过"),
                    ("returned", "已退回"),
                ],
                default="submitted",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AddConstraint(
            model_name="remindersent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["before", "after", "review", "confirm", "digest", "questions"])
                ),
                name="remindersent_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["confirming", "submitted", "approved", "returned"])),
                name="report_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state__in", ["confirming", "submitted"]),
                    models.Q(("reviewer__isnull", False), ("reviewed_at__isnull", False)),
                    models.Q(("state", "returned"), ("head_at__isnull", False)),
                    _connector="OR",
                ),
                name="report_reviewed_has_reviewer",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(("head__isnull", True), ("head_at__isnull", False), _connector="OR"),
                name="report_head_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["confirming", "submitted"])),
                fields=("target", "as_of", "value"),
                name="report_one_pending_per_figure",
                violation_error_message="这一数据已经提交,正在等待审核,无需重复提交。",
            ),
        ),
        migrations.RunPython(create_head_role, delete_head_role),
    ]
