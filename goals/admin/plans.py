"""Admin of the plan: plans, pillars, actions, measures, projects, departments and targets,
with every change of a target's assignment or content audited."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from goals.admin import audit_text
from goals.admin.closing import PublishesPlans, accept_proposed
from goals.admin.duties import assign_duties
from goals.admin.from_text import PlanFromTextAdmin
from goals.admin.publishing import PlainText, PublishesChanges
from goals.models import (
    Action,
    AuditEntry,
    Department,
    Measure,
    Pillar,
    Plan,
    Target,
    TargetGroup,
)
from goals.planning import publication
from goals.workbooks.admin import PlanWorkbookAdmin
from goals.workbooks.duties_admin import DutiesWorkbookAdmin

# --- target assignment ---------------------------------------------------------------------

NOT_ASSIGNED = {"lead_department": None, "co_departments": []}
# Saved from the admin without `revision`: an approval may have moved it meanwhile, and
# writing back the value read at the start of the request would undo that.
TARGET_FIELDS = [f.name for f in Target._meta.concrete_fields if not f.primary_key and f.name != "revision"]


def assignment(target_pk) -> dict:
    """Who owns the target now, by department name (as the audit trail shows it)."""
    if target_pk is None:
        return dict(NOT_ASSIGNED)
    lead = Target.objects.filter(pk=target_pk).values_list("lead_department__name", flat=True).first()
    co = Department.objects.filter(co_targets=target_pk).order_by("name").values_list("name", flat=True)
    return {"lead_department": lead, "co_departments": list(co)}


def record_assignment(actor, target: Target, before: dict) -> AuditEntry | None:
    """Audit a change of lead / co-departments (before → after) and bump the target's revision."""
    after = assignment(target.pk)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if not changes:
        return None
    Target.objects.filter(pk=target.pk).update(revision=F("revision") + 1)
    return AuditEntry.objects.create(
        actor=actor, action=AuditEntry.Action.ASSIGN, target=target, changes=changes
    )


def record_edit(actor, target: Target, before: dict | None) -> AuditEntry | None:
    """Audit an admin's edit of a target's fields (before → after), or its addition (before None).

    An addition is recorded without a link to the target (its code and name are in the
    entry), so that a target added by mistake can still be deleted.
    """
    after = audit_text.target_snapshot(target)
    if before is None:
        return AuditEntry.objects.create(
            actor=actor, action=AuditEntry.Action.EDIT, changes={"added": f"{target.code} {target.name}"}
        )
    changes = audit_text.differences(before, after)
    if not changes:
        return None
    return AuditEntry.objects.create(
        actor=actor, action=AuditEntry.Action.EDIT, target=target, changes=changes
    )


def record_deletion(actor, target: Target) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        action=AuditEntry.Action.EDIT,
        changes={"deleted": f"{target.code} {target.name}", **audit_text.target_snapshot(target)},
    )


def save_target(obj: Target) -> None:
    if obj.pk is None:
        obj.save()
    else:
        obj.save(update_fields=TARGET_FIELDS)


class AuditsTargetInline(PublishesChanges):
    """For admins with a Target inline: save targets without `revision`, audit assignment."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Target:
            return super().save_formset(request, form, formset, change)
        before = {f.instance.pk: assignment(f.instance.pk) for f in formset.initial_forms if f.instance.pk}
        fields_before = {
            pk: audit_text.target_snapshot(Target.objects.filter(pk=pk).first()) for pk in before
        }
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_deletion(request.user, obj)
            obj.delete()
        for obj in instances:
            was = before.get(obj.pk, NOT_ASSIGNED)
            added = obj.pk is None
            save_target(obj)
            record_edit(request.user, obj, None if added else fields_before.get(obj.pk, {}))
            record_assignment(request.user, obj, was)
        formset.save_m2m()
        return None


class TargetInline(PlainText, admin.TabularInline):
    model = Target
    fk_name = "group"
    extra = 0
    fields = [
        "code",
        "name",
        "kind",
        "comparator",
        "target_value",
        "target_upper",
        "unit",
        "scale",
        "parent",
        "lead_department",
        "order",
    ]
    autocomplete_fields = ["lead_department", "parent"]
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(
    PublishesPlans,
    PlanFromTextAdmin,
    DutiesWorkbookAdmin,
    PlanWorkbookAdmin,
    PublishesChanges,
    admin.ModelAdmin,
):
    list_display = ["year", "title", "status", "theme", "adopted_on", "workbook_link", "duties_link"]
    list_filter = ["status"]
    search_fields = ["title", "theme", "positioning", "mission"]
    actions = ["publish_selected", *PlanWorkbookAdmin.actions]
    readonly_fields = ["status", "published_at", "closed_at", "closed_as_of", "closed_by"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "requires_head_confirmation" in form.changed_data:  # the sign-off chain
            after = obj.requires_head_confirmation
            AuditEntry.objects.create(
                actor=request.user,
                action=AuditEntry.Action.EDIT,
                changes={"plan": obj.year, "requires_head_confirmation": [not after, after]},
            )


@admin.register(Pillar)
class PillarAdmin(PublishesChanges, admin.ModelAdmin):
    list_display = ["code", "name", "focus", "plan"]
    list_filter = ["plan"]
    search_fields = ["code", "name", "focus"]


class MeasureInline(PlainText, admin.TabularInline):
    model = Measure
    fk_name = "action"
    extra = 0
    fields = ["code", "name", "order", "weight"]
    show_change_link = True


@admin.register(Action)
class ActionAdmin(PublishesChanges, admin.ModelAdmin):
    list_display = ["code", "name", "plan", "weight"]
    list_filter = ["plan", "pillars"]
    search_fields = ["code", "name", "summary"]
    filter_horizontal = ["pillars"]
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(AuditsTargetInline, admin.ModelAdmin):
    list_display = ["code", "name", "action", "pillar", "weight"]
    list_filter = ["plan", "action", "pillar"]
    search_fields = ["code", "name", "source_clause"]
    fields = ["plan", "code", "name", "kind", "action", "pillar", "order", "weight", "source_clause"]
    inlines = [TargetInline]


@admin.register(TargetGroup)
class TargetGroupAdmin(AuditsTargetInline, admin.ModelAdmin):
    """Every project and measure in one list; edit them under 民生实事 or 举措."""

    list_display = ["code", "name", "kind", "plan", "weight"]
    list_filter = ["plan", "kind"]
    search_fields = ["code", "name"]
    inlines = [TargetInline]


@admin.register(Department)
class DepartmentAdmin(PublishesChanges, admin.ModelAdmin):
    list_display = ["name", "kind", "order"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["members"]

    def save_related(self, request, form, formsets, change):
        """Membership decides who may report for the department: audit who was added or removed."""
        department = form.instance
        before = sorted(department.members.values_list("username", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(department.members.values_list("username", flat=True))
        if before != after:
            AuditEntry.objects.create(
                actor=request.user,
                action=AuditEntry.Action.EDIT,
                changes={"department": department.name, "members": [before, after]},
            )


@admin.register(Target)
class TargetAdmin(PublishesChanges, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "target_value",
        "target_upper",
        "unit",
        "scale",
        "lead_department",
        "leader",
    ]
    list_filter = ["plan", "kind", "lead_department", "leader", "group__kind"]
    search_fields = ["code", "name", "wording", "source_clause"]
    list_select_related = ["lead_department", "leader"]
    autocomplete_fields = ["lead_department", "parent", "group", "predecessor", "leader"]
    actions = [assign_duties, accept_proposed]
    filter_horizontal = ["co_departments"]
    readonly_fields = ["revision"]

    def save_model(self, request, obj, form, change):
        # The assignment and fields before this save, read before the form's values are written.
        obj._assignment_before = assignment(obj.pk if change else None)
        obj._fields_before = (
            audit_text.target_snapshot(Target.objects.filter(pk=obj.pk).first()) if change else None
        )
        save_target(obj)
        record_edit(request.user, obj, obj._fields_before)
        transaction.on_commit(publication.bump)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # co_departments are saved here
        record_assignment(request.user, form.instance, form.instance._assignment_before)

    def construct_change_message(self, request, form, formsets, add=False):
        """The object's history says what changed from what to what, not only which field."""
        obj = form.instance
        if add or getattr(obj, "_fields_before", None) is None:
            return super().construct_change_message(request, form, formsets, add)
        changes = audit_text.differences(obj._fields_before, audit_text.target_snapshot(obj))
        after = assignment(obj.pk)
        for key, was in obj._assignment_before.items():
            if was != after[key]:
                changes[key] = [was, after[key]]
        if not changes:
            return super().construct_change_message(request, form, formsets, add)
        return gettext("已修改:") + ";".join(audit_text.lines(changes))

    def delete_model(self, request, obj):
        record_deletion(request.user, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for target in queryset:
            record_deletion(request.user, target)
        super().delete_queryset(request, queryset)
