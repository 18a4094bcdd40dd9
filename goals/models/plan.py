"""The plan's structure: the plan, its pillars, actions, measures and departments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.rules.cadence import DEFAULT_DUE_DAY, Cycle


class PlanQuerySet(models.QuerySet):
    def public(self) -> PlanQuerySet:
        """Plans the public may see: published or closed, never a draft."""
        return self.filter(status__in=[Plan.Status.PUBLISHED, Plan.Status.CLOSED])

    def open(self) -> PlanQuerySet:
        """Plans officials report on: published and not yet closed."""
        return self.filter(status=Plan.Status.PUBLISHED)


class PlanManager(models.Manager.from_queryset(PlanQuerySet)):
    def get_by_natural_key(self, year: int) -> Plan:
        return self.get(year=year)


class Plan(models.Model):
    """One year's plan, through three states: draft (only staff see it) → published (public,
    reported on) → closed (its final evaluation stored; see goals.planning.states)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CLOSED = "closed", _("已结项")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("标题"), max_length=200)
    theme = models.CharField(_("主题活动"), max_length=100, blank=True)
    positioning = models.CharField(_("定位"), max_length=200, blank=True)
    mission = models.TextField(_("使命"), blank=True)
    adopted_on = models.DateField(_("通过日期"), null=True, blank=True)
    source = models.TextField(_("来源"), blank=True, help_text=_("发布该计划的文件或报道"))
    source_clause = models.TextField(_("原文条款"), blank=True)
    source_text = models.TextField(
        _("计划原文"),
        blank=True,
        help_text=_("从文本新建计划时保存的全文(每个目标的原文条款都出自这里);仅工作人员可见"),
    )
    reporting_cycle = models.CharField(
        _("报送周期"), max_length=10, choices=Cycle.choices, default=Cycle.MONTHLY
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("报送截止日"),
        default=DEFAULT_DUE_DAY,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("每期结束后次月的第几日前报送(1–28)"),
    )
    deadline_reminders_mandatory = models.BooleanField(
        _("截止提醒必收"),
        default=False,
        help_text=_("勾选后,填报人员即使选择不接收提醒邮件,仍会收到报送截止前后的提醒。"),
    )
    requires_head_confirmation = models.BooleanField(
        _("须部门负责人确认"),
        default=False,
        help_text=_(
            "勾选后,填报人员提交的报告先由本单位部门负责人确认(或退回),再交审核人员审核;"
            "只对此后提交的报告生效。"
        ),
    )

    # Plans loaded from the published text (seed, fixtures) are published; a plan made in the
    # app (carried over, copied) is created as a draft explicitly.
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("结项时间"), null=True, blank=True, editable=False)
    closed_as_of = models.DateField(
        _("结项评估日"), null=True, blank=True, editable=False, help_text=_("结项时按这一天的情况存档")
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="closed_plans",
        verbose_name=_("结项人"),
    )

    objects = PlanManager()

    class Meta:
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")
        ordering = ["-year"]
        permissions = [
            ("publish_plan", _("可以发布工作计划")),
            ("close_plan", _("可以为工作计划结项")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "closed"]), name="plan_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & Q(closed_as_of__isnull=False)),
                name="plan_closed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(reporting_cycle__in=["monthly", "quarterly"]), name="plan_reporting_cycle_valid"
            ),
            models.CheckConstraint(
                condition=Q(report_due_day__gte=1) & Q(report_due_day__lte=28),
                name="plan_report_due_day_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def natural_key(self) -> tuple[int]:
        return (self.year,)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class CodedManager(models.Manager):
    """Objects identified by (plan year, code): the natural key of everything seeded."""

    def get_by_natural_key(self, year: int, code: str):
        return self.get(plan__year=year, code=code)


class Coded(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, verbose_name=_("工作计划"))
    code = models.CharField(_("编号"), max_length=20)
    name = models.CharField(_("名称"), max_length=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    source_clause = models.TextField(_("原文条款"), blank=True)

    objects = CodedManager()

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def natural_key(self) -> tuple[int, str]:
        return (*self.plan.natural_key(), self.code)

    natural_key.dependencies = ["goals.plan"]


class Pillar(Coded):
    """One of the four 经开 (实力 / 活力 / 魅力 / 合力)."""

    focus = models.CharField(_("聚焦"), max_length=100, blank=True)

    class Meta(Coded.Meta):
        verbose_name = _("四个经开")
        verbose_name_plural = _("四个经开")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="pillar_code_unique_in_plan"),
        ]


class Action(Coded):
    """One of the seven major actions (七大行动)."""

    summary = models.TextField(_("概述"), blank=True)
    pillars = models.ManyToManyField(
        Pillar,
        blank=True,
        related_name="actions",
        verbose_name=_("所属经开"),
        help_text=_("原文未将行动归入某个经开;由管理员按需关联。"),
    )
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=1)

    class Meta(Coded.Meta):
        verbose_name = _("重大行动")
        verbose_name_plural = _("七大行动")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="action_code_unique_in_plan"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="action_weight_positive"),
        ]


class TargetGroup(Coded):
    """What a target belongs to: a measure of an action, or a livelihood project.

    Measure (here) and projects.Project extend this table, so a target points at
    exactly one group through one non-null foreign key, and goals never imports projects.
    """

    class Kind(models.TextChoices):
        MEASURE = "measure", _("举措")
        PROJECT = "project", _("民生实事")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=1)

    class Meta(Coded.Meta):
        verbose_name = _("目标归属")
        verbose_name_plural = _("目标归属")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="targetgroup_code_unique_in_plan"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="targetgroup_weight_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=["measure", "project"]), name="targetgroup_kind_valid"
            ),
        ]


class Measure(TargetGroup):
    """A measure (举措) of an action paragraph, or of the 合力经开 paragraph."""

    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("所属行动"),
    )
    pillar = models.ForeignKey(
        Pillar,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("所属经开"),
        help_text=_("仅用于原文直接列在某个经开之下的举措(如合力经开的五项举措)。"),
    )

    class Meta:
        verbose_name = _("举措")
        verbose_name_plural = _("举措")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(action__isnull=False) & Q(pillar__isnull=True))
                | (Q(action__isnull=True) & Q(pillar__isnull=False)),
                name="measure_has_one_parent",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if (self.action_id is None) == (self.pillar_id is None):
            raise ValidationError(_("举措须且只能属于一个行动或一个经开。"))
        if self.kind != TargetGroup.Kind.MEASURE:
            raise ValidationError({"kind": _("举措的类别必须为「举措」。")})


class DepartmentManager(models.Manager["Department"]):
    def get_by_natural_key(self, name: str) -> Department:
        return self.get(name=name)


class Department(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", _("镇")
        SUBDISTRICT = "subdistrict", _("街道")
        BUREAU = "bureau", _("局办")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    source_clause = models.TextField(_("原文出处"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("成员"),
        help_text=_("可为本单位负责的目标填报进度的工作人员。"),
    )

    objects = DepartmentManager()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)
