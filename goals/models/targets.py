"""Measurable targets and the figures reported for earlier years."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.rules.cadence import Cycle
from goals.rules.formatting import SCALE_LABELS
from goals.rules.progress import Kind

from .duties import Leader
from .plan import Coded, CodedManager, Department, Plan, TargetGroup


class Scale(models.IntegerChoices):
    """万 and 亿 are scales, not units: 1.1 万名 is 11,000 people, shown as written."""

    ONE = 1, _("(无)")
    WAN = 10_000, _("万")
    YI = 100_000_000, _("亿")


SCALE_VALUES = [s.value for s in Scale]
# A landline (0519-8888 8888, with an extension -123) or a mobile number (+86 138 …).
PHONE = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{2,28}$", _("电话号码只能包含数字、空格、括号、连字符和开头的 +。")
)


class TargetQuerySet(models.QuerySet):
    def for_plan(self, plan: Plan) -> TargetQuerySet:
        return self.filter(plan=plan)

    def led_by(self, user) -> TargetQuerySet:
        """Targets whose leader in charge (分管领导) is linked to `user`."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(leader__user=user)

    def for_department(self, department: Department) -> TargetQuerySet:
        return self.filter(Q(lead_department=department) | Q(co_departments=department)).distinct()

    def owned_by_user(self, user) -> TargetQuerySet:
        return self.filter(lead_department__members=user)

    def reportable_by(self, user) -> TargetQuerySet:
        """Targets whose lead or co-department has `user` as a member (no duplicate rows).

        Membership only: whether the user may submit at all (the permission) is checked
        by goals.accounts.permissions, which also lets admins report on every target.
        """
        if not user.is_authenticated:
            return self.none()
        departments = Department.objects.filter(members=user)
        co_led = Target.co_departments.through.objects.filter(department__in=departments)
        return self.filter(Q(lead_department__in=departments) | Q(pk__in=co_led.values("target_id")))

    def top_level(self) -> TargetQuerySet:
        return self.filter(parent__isnull=True)


class TargetManager(CodedManager.from_queryset(TargetQuerySet)):
    pass


class Target(Coded):
    """One measurable commitment of the plan, of one of six kinds (see DESIGN.md)."""

    Kind = Kind

    group = models.ForeignKey(
        TargetGroup, on_delete=models.CASCADE, related_name="targets", verbose_name=_("所属项目或举措")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级目标"),
        help_text=_("子目标(如「其中旧改15个」)列在上级目标之下,不重复计入汇总。"),
    )
    wording = models.TextField(_("原文表述"), help_text=_("文件中该目标的原话"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    comparator = models.CharField(
        _("比较词"), max_length=20, blank=True, help_text=_("原文的比较用词,如 达、不少于、以上、左右、—")
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    scale = models.PositiveIntegerField(_("数量级"), choices=Scale.choices, default=Scale.ONE)
    target_value = models.DecimalField(
        _("目标值"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("按原文书写(与数量级相乘得实际数);区间目标为下限;里程碑为空。"),
    )
    target_upper = models.DecimalField(
        _("目标上限"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("仅区间目标(如 2—3 所)"),
    )
    tolerance_percent = models.DecimalField(
        _("容差(%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        help_text=_("「左右」目标在此比例内视为完成"),
    )
    baseline_value = models.DecimalField(
        _("基数"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("水平类目标的起点,与目标值同一数量级"),
    )
    baseline_year = models.PositiveSmallIntegerField(_("基数年份"), null=True, blank=True)
    due_date = models.DateField(_("完成期限"), null=True, blank=True, help_text=_("留空即计划年度年底"))
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=Decimal(1))
    reporting_cycle = models.CharField(
        _("报送周期"), max_length=10, choices=Cycle.choices, blank=True, help_text=_("留空即沿用计划的设置")
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("报送截止日"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("留空即沿用计划的设置(1–28)"),
    )
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_targets",
        verbose_name=_("牵头单位"),
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_targets", verbose_name=_("配合单位")
    )
    leader = models.ForeignKey(
        Leader,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("分管领导"),
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, help_text=_("仅工作人员可见"))
    contact_phone = models.CharField(
        _("联系电话"),
        max_length=30,
        blank=True,
        validators=[PHONE],
        help_text=_("仅工作人员可见"),
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("上年目标"),
        help_text=_("结转或延续的上一年度目标(同口径),目标页据此显示历年情况"),
    )
    proposed_value = models.DecimalField(
        _("建议目标值"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("结转时按上年未完成的部分建议的目标值(与目标值同一数量级);采用或改定目标值后清空"),
    )
    revision = models.PositiveIntegerField(
        _("版本"),
        default=0,
        editable=False,
        help_text=_("审核通过新报告或调整分工时加一,用于发现并发修改"),
    )

    objects = TargetManager()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["order", "code"]
        # A target belongs to exactly one project or measure: `group` is one non-null
        # foreign key to the table both extend, so "none" and "two" cannot be stored.
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="target_code_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(kind__in=["at_least", "range", "about", "level", "at_most", "milestone"]),
                name="target_kind_valid",
            ),
            models.CheckConstraint(condition=Q(scale__in=SCALE_VALUES), name="target_scale_valid"),
            models.CheckConstraint(
                condition=Q(kind="milestone", target_value__isnull=True)
                | (~Q(kind="milestone") & Q(target_value__isnull=False)),
                name="target_value_iff_not_milestone",
            ),
            models.CheckConstraint(
                condition=Q(kind="range", target_upper__isnull=False)
                | (~Q(kind="range") & Q(target_upper__isnull=True)),
                name="target_upper_iff_range",
            ),
            models.CheckConstraint(
                condition=Q(target_upper__isnull=True) | Q(target_upper__gte=models.F("target_value")),
                name="target_range_lower_not_above_upper",
            ),
            models.CheckConstraint(
                condition=(Q(target_value__isnull=True) | Q(target_value__gte=0))
                & (Q(target_upper__isnull=True) | Q(target_upper__gte=0))
                & (Q(baseline_value__isnull=True) | Q(baseline_value__gte=0))
                & (Q(proposed_value__isnull=True) | Q(proposed_value__gte=0)),
                name="target_values_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(tolerance_percent__gte=0) & Q(tolerance_percent__lte=100),
                name="target_tolerance_percent_valid",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="target_weight_positive"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="target_not_own_parent"),
            models.CheckConstraint(
                condition=Q(reporting_cycle__in=["", "monthly", "quarterly"]),
                name="target_reporting_cycle_valid",
            ),
            models.CheckConstraint(
                condition=Q(report_due_day__isnull=True)
                | (Q(report_due_day__gte=1) & Q(report_due_day__lte=28)),
                name="target_report_due_day_valid",
            ),
        ]
        indexes = [models.Index(fields=["lead_department"], name="target_lead_department_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}

        def add(field: str, message) -> None:
            errors.setdefault(field, []).append(message)

        if self.kind == self.Kind.MILESTONE:
            if self.target_value is not None:
                add("target_value", _("里程碑目标没有目标值。"))
        elif self.target_value is None:
            add("target_value", _("请填写目标值。"))
        if self.kind == self.Kind.RANGE:
            if self.target_upper is None:
                add("target_upper", _("区间目标需要上限。"))
            elif self.target_value is not None and self.target_upper < self.target_value:
                add("target_upper", _("区间上限不能小于下限。"))
        elif self.target_upper is not None:
            add("target_upper", _("只有区间目标才有上限。"))
        for field in ("target_value", "target_upper", "baseline_value", "proposed_value"):
            value = getattr(self, field)
            if value is not None and value < 0:
                add(field, _("不能为负数。"))
        if self.weight is not None and self.weight <= 0:
            add("weight", _("权重必须大于零。"))
        if self.tolerance_percent is not None and not 0 <= self.tolerance_percent <= 100:
            add("tolerance_percent", _("容差须在 0 到 100 之间。"))
        if self.group_id and self.plan_id and self.group.plan_id != self.plan_id:
            add("group", _("所属项目或举措须属于同一工作计划。"))
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                add("parent", _("目标不能以自身为上级。"))
            elif self.parent.group_id != self.group_id:
                add("parent", _("上级目标须属于同一项目或举措。"))
        if self.predecessor_id and self.plan_id and self.predecessor.plan.year >= self.plan.year:
            add("predecessor", _("上年目标须属于更早年度的计划。"))
        if self.code and self.plan_id:
            clash = Target.objects.filter(plan_id=self.plan_id, code=self.code).exclude(pk=self.pk)
            if clash.exists():
                add("code", _("同一计划中编号不能重复。"))
        if errors:
            raise ValidationError(errors)

    @property
    def scale_label(self) -> str:
        return SCALE_LABELS.get(self.scale, "")

    @property
    def period_start(self) -> datetime.date:
        return datetime.date(self.plan.year, 1, 1)

    @property
    def due(self) -> datetime.date:
        return self.due_date or datetime.date(self.plan.year, 12, 31)

    @property
    def cycle(self) -> str:
        return self.reporting_cycle or self.plan.reporting_cycle

    def get_cycle_display(self) -> str:
        return str(Cycle(self.cycle).label)

    @property
    def due_day(self) -> int:
        return self.report_due_day or self.plan.report_due_day

    def in_base_units(self, value: Decimal | None) -> Decimal | None:
        """A value written at the target's scale (1.1 万) as a plain number (11000)."""
        return None if value is None else value * self.scale


class ReportedFigure(Coded):
    """A result the document reports for an earlier year (2023 数说精彩 and above)."""

    year = models.PositiveSmallIntegerField(_("年份"))
    section = models.CharField(_("栏目"), max_length=100, blank=True)
    comparator = models.CharField(_("比较词"), max_length=20, blank=True)
    value = models.DecimalField(
        _("数值"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("定性成绩(如「位列全省第一方阵」)没有数值,写在名称中"),
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    scale = models.PositiveIntegerField(_("数量级"), choices=Scale.choices, default=Scale.ONE)
    continued_by = models.ForeignKey(
        Target,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="earlier_results",
        verbose_name=_("延续的目标"),
        help_text=_("同口径延续的本年度目标(如失业再就业 3456 人 → 0.3 万人)"),
    )
    related_to = models.ForeignKey(
        Target,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="related_results",
        verbose_name=_("相关的目标"),
        help_text=_("口径不同、仅供参考的本年度目标(如累计数与新增数、较宽与较窄的统计范围)"),
    )

    class Meta(Coded.Meta):
        verbose_name = _("往年成绩")
        verbose_name_plural = _("往年成绩")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="reportedfigure_code_unique_in_plan"),
            models.CheckConstraint(condition=Q(value__gte=0), name="reportedfigure_value_not_negative"),
            models.CheckConstraint(condition=Q(scale__in=SCALE_VALUES), name="reportedfigure_scale_valid"),
        ]

    @property
    def scale_label(self) -> str:
        return SCALE_LABELS.get(self.scale, "")

    def clean(self) -> None:
        super().clean()
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": _("不能为负数。")})
