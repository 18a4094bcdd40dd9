"""A plan's year: draft → published → closed, and corrections after closing.

- **Publish** (`publish_plan`): a draft becomes public. Refused while the plan's own title,
  theme, adoption date or source is missing or still the previous year's (a plan carried
  over from last year starts as such a copy), or while a carried target's proposed value
  waits to be accepted.
- **Close** (`close_plan`): after the last reporting deadline and its grace period
  (LIGHT_GRACE_DAYS), with no report of the year waiting for review, the evaluation as it
  stands is stored target by target (FinalRecord); every page of the year reads it from then
  on (goals.tracking.evaluation.apply_final_records), so it no longer drifts with the rules.
- **Correct** (`correct_final`): after closing, only an admin, with a reason; the record
  says so, and the public target page shows it as 结项后更正 with the date.

Each step runs in one transaction and writes an AuditEntry (who, what, when).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.accounts import permissions
from goals.models import AuditEntry, FinalRecord, Plan, Report, Target
from goals.planning import publication
from goals.rules import cadence
from goals.rules.formatting import plain
from goals.tracking import evaluation

OWN_FIELDS = ("title", "theme", "adopted_on", "source")
LISTED = 10  # codes named in a refusal; the rest are counted
FOUR_PLACES = Decimal("0.0001")
VALUE_LIMIT = Decimal(10) ** 12  # what a report's value column holds (16 digits, 4 after the point)


class StateError(Exception):
    """A step the plan's state does not allow; the message says why, in the user's language."""


def field_label(name: str) -> str:
    return str(Plan._meta.get_field(name).verbose_name)


def previous_plan(plan: Plan) -> Plan | None:
    """The latest plan before `plan`'s year (whatever its state): what a new year copies."""
    return Plan.objects.filter(year__lt=plan.year).order_by("-year").first()


def _listed(codes: list[str]) -> str:
    shown = "、".join(codes[:LISTED])
    return shown + (_("等 %(n)s 项") % {"n": len(codes)} if len(codes) > LISTED else "")


# --- publishing ----------------------------------------------------------------------------


def publication_problems(plan: Plan) -> list[str]:
    """Why `plan` cannot be published yet (empty: it can)."""
    if not plan.is_draft:
        return [_("%(year)s 年计划不是草稿(当前状态:%(status)s),无需发布。") % _names(plan)]
    problems = []
    before = previous_plan(plan)
    for name in OWN_FIELDS:
        value = getattr(plan, name)
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            problems.append(_("请填写本年度计划的「%(field)s」。") % {"field": field_label(name)})
        elif before is not None and value == getattr(before, name):
            problems.append(
                _("「%(field)s」与 %(year)s 年计划相同,请改为本年度自己的内容。")
                % {"field": field_label(name), "year": before.year}
            )
    proposed = list(
        Target.objects.filter(plan=plan, proposed_value__isnull=False)
        .order_by("order", "code")
        .values_list("code", flat=True)
    )
    if proposed:
        problems.append(
            _("结转目标 %(codes)s 的建议目标值尚未确认:请采用或改定目标值后清空建议值。")
            % {"codes": _listed(proposed)}
        )
    return problems


def _names(plan: Plan) -> dict:
    return {"year": plan.year, "status": plan.get_status_display()}


def publish_plan(plan: Plan, *, actor) -> Plan:
    """Make a draft public (refused with every reason at once when it is not ready)."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        problems = publication_problems(locked)
        if problems:
            raise StateError(" ".join(problems))
        locked.status = Plan.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at"])
        AuditEntry.objects.create(
            actor=actor,
            action=AuditEntry.Action.PUBLISH,
            changes={"plan": locked.year, "status": [Plan.Status.DRAFT, Plan.Status.PUBLISHED]},
        )
        transaction.on_commit(publication.bump)
    return locked


# --- closing -------------------------------------------------------------------------------


def last_deadline(plan: Plan) -> datetime.date:
    """The last reporting deadline of the plan's targets (one query: their schedules' kinds)."""
    latest = cadence.deadline_after(datetime.date(plan.year, 12, 31), plan.report_due_day)
    rows = Target.objects.filter(plan=plan).values_list("due_date", "reporting_cycle", "report_due_day")
    for due_date, cycle, due_day in set(rows):
        due = due_date or datetime.date(plan.year, 12, 31)
        items = evaluation.schedule_for(
            cycle or plan.reporting_cycle, due_day or plan.report_due_day, datetime.date(plan.year, 1, 1), due
        )
        if items:
            latest = max(latest, items[-1].deadline)
    return latest


def closable_from(plan: Plan) -> datetime.date:
    """The first day the plan may be closed: after its last deadline and the grace period."""
    return last_deadline(plan) + datetime.timedelta(days=settings.LIGHT_GRACE_DAYS + 1)


def pending_codes(plan: Plan) -> list[str]:
    """The targets (codes, one per waiting report) whose reports wait for review (or for the
    department head's confirmation before it)."""
    return list(
        Report.objects.in_flight()
        .for_plan(plan)
        .order_by("target__order", "target__code", "created_at")
        .values_list("target__code", flat=True)
    )


def close_problems(plan: Plan, as_of: datetime.date) -> list[str]:
    """Why `plan` cannot be closed as of `as_of` (empty: it can)."""
    if not plan.is_open:
        return [_("%(year)s 年计划当前状态为「%(status)s」,只有已发布的计划才能结项。") % _names(plan)]
    problems = []
    first = closable_from(plan)
    if as_of < first:
        problems.append(
            _("最后一期报送截止日为 %(deadline)s,宽限 %(grace)s 天后,%(first)s 起才能结项。")
            % {"deadline": last_deadline(plan), "grace": settings.LIGHT_GRACE_DAYS, "first": first}
        )
    waiting = pending_codes(plan)
    if waiting:
        problems.append(
            _("还有 %(n)s 份 %(year)s 年的报告等待审核(%(codes)s),请先审核通过或退回。")
            % {"n": len(waiting), "year": plan.year, "codes": _listed(list(dict.fromkeys(waiting)))}
        )
    return problems


def _record_fields(tp: evaluation.TargetProgress) -> dict:
    def four(value: Decimal | None) -> Decimal | None:
        return None if value is None else Decimal(value).quantize(FOUR_PLACES)

    return {
        "report_id": tp.report_id,
        "value": tp.value,
        "as_of": tp.as_of,
        "percent": four(tp.percent),
        "expected": four(tp.expected),
        "status": str(tp.status),
        "light": str(tp.light),
        "stale": tp.stale,
        "exceeded": tp.exceeded,
    }


def close_plan(plan: Plan, *, actor, as_of: datetime.date) -> Plan:
    """Store the final evaluation as of `as_of` and close the plan (one transaction)."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        problems = close_problems(locked, as_of)
        if problems:
            raise StateError(" ".join(problems))
        result = evaluation.evaluate_plan(locked, as_of)
        FinalRecord.objects.bulk_create(
            FinalRecord(plan=locked, target_id=target_id, evaluated_on=as_of, **_record_fields(tp))
            for target_id, tp in result.targets.items()
        )
        locked.status = Plan.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_as_of = as_of
        locked.closed_by = actor
        locked.save(update_fields=["status", "closed_at", "closed_as_of", "closed_by"])
        AuditEntry.objects.create(
            actor=actor,
            action=AuditEntry.Action.CLOSE,
            changes={
                "plan": locked.year,
                "status": [Plan.Status.PUBLISHED, Plan.Status.CLOSED],
                "as_of": as_of.isoformat(),
                "targets": len(result.targets),
                "statuses": {str(k): v for k, v in sorted(result.overall.counts.items())},
            },
        )
        transaction.on_commit(publication.bump)
    return locked


# --- corrections after closing -------------------------------------------------------------


def correct_final(
    target: Target, *, actor, value: Decimal, reason: str, on: datetime.date | None = None
) -> FinalRecord:
    """Replace a closed year's final figure for `target` (admins only, with a reason).

    The record is evaluated again with the corrected value as of the day the plan was
    closed; the audit entry keeps what it said before.
    """
    reason = (reason or "").strip()
    if actor is None or not permissions.is_admin(actor):
        raise StateError(_("结项后的更正只能由管理员进行。"))
    if not reason:
        raise StateError(_("结项后的更正须写明理由。"))
    if value is None or value < 0:
        raise StateError(_("更正后的累计完成值不能为负数。"))
    if value >= VALUE_LIMIT:
        raise StateError(_("数值过大或小数位过多(最多 4 位小数)。"))
    on = on or timezone.localdate()
    with transaction.atomic():
        record = (
            FinalRecord.objects.select_for_update()
            .select_related("plan", "target__plan")
            .filter(target=target)
            .first()
        )
        if record is None or not record.plan.is_closed:
            raise StateError(_("%(code)s 所在的计划尚未结项,请走正常的填报与审核。") % {"code": target.code})
        before = {"value": None if record.value is None else plain(record.value), "status": record.status}
        day = record.evaluated_on
        report = {"id": record.report_id, "value": value, "as_of": min(day, record.target.due)}
        tp = evaluation.evaluate_target(record.target, report, day, evaluation.rules_from_settings())
        for name, item in _record_fields(tp).items():
            setattr(record, name, item)
        record.corrected_on, record.corrected_by, record.correction_reason = on, actor, reason
        record.save()
        AuditEntry.objects.create(
            actor=actor,
            action=AuditEntry.Action.CORRECT,
            target=record.target,
            changes={
                "plan": record.plan.year,
                "value": [before["value"], plain(value)],
                "status": [before["status"], record.status],
                "reason": reason,
                "on": on.isoformat(),
            },
        )
        transaction.on_commit(publication.bump)
    return record
