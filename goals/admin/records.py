"""Admin of what the app records: reports (read-only, made only through the services),
evidence, the audit trail, backups, reminders sent and reminder preferences."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from goals.admin import audit_text
from goals.admin.publishing import PublishesChanges
from goals.models import (
    AuditEntry,
    BackupRecord,
    Evidence,
    Follow,
    FollowSent,
    Question,
    ReminderPreference,
    ReminderSent,
    Report,
    ReportedFigure,
)
from goals.rules.formatting import in_target_scale


@admin.register(ReportedFigure)
class ReportedFigureAdmin(PublishesChanges, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "year",
        "comparator",
        "value",
        "unit",
        "scale",
        "continued_by",
        "related_to",
    ]
    list_filter = ["year", "section"]
    search_fields = ["code", "name", "source_clause"]
    autocomplete_fields = ["continued_by", "related_to"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["file", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports are appended through the workspace; admin reads them, it does not rewrite them."""

    list_display = ["target", "value_text", "as_of", "state", "author", "head", "reviewer", "created_at"]
    list_filter = ["state", "target__plan"]
    search_fields = ["target__code", "target__name", "note"]
    list_select_related = ["target", "author", "head", "reviewer"]
    date_hierarchy = "as_of"
    inlines = [EvidenceInline]

    @admin.display(description=_("数值"), ordering="value")
    def value_text(self, report: Report) -> str:
        return in_target_scale(report.value, report.target)

    # Adding here would skip the services: a report approved by anyone, backdated, unaudited.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the app writes itself (evidence, the audit trail, backups): read, never edited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Evidence is uploaded with a report and kept with it: admins search and read it."""

    list_display = ["original_name", "report", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "report__target__code", "sha256"]
    list_select_related = ["report__target"]
    readonly_fields = ["report", "file", "original_name", "content_type", "size", "sha256", "uploaded_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail: read-only, filterable by action, person, department and time."""

    list_display = ["at", "actor", "action", "target", "report_number", "summary"]
    list_filter = [
        "action",
        "at",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("target__lead_department", admin.RelatedOnlyFieldListFilter),
        "target__plan",
    ]
    search_fields = ["target__code", "target__name", "actor__username", "actor__first_name", "report__id"]
    list_select_related = ["actor", "target", "report__target"]
    date_hierarchy = "at"
    fields = ["at", "actor", "action", "target", "report", "changes_display", "changes_json"]
    readonly_fields = fields

    @admin.display(description=_("报告"), ordering="report")
    def report_number(self, entry: AuditEntry) -> str:
        return f"#{entry.report_id}" if entry.report_id else "—"

    @admin.display(description=_("变更内容"))
    def summary(self, entry: AuditEntry):
        return format_html_join("", "<div>{}</div>", ((line,) for line in audit_text.lines(entry.changes)))

    @admin.display(description=_("变更内容"))
    def changes_display(self, entry: AuditEntry):
        return format_html(
            '<ul class="audit-changes">{}</ul>',
            format_html_join("", "<li>{}</li>", ((line,) for line in audit_text.lines(entry.changes))),
        )

    @admin.display(description=_("原始记录(JSON)"))
    def changes_json(self, entry: AuditEntry):
        return format_html("<pre>{}</pre>", json.dumps(entry.changes, ensure_ascii=False, indent=2))


@admin.register(BackupRecord)
class BackupRecordAdmin(ReadOnlyAdmin):
    """Written by `manage.py backup` and `restore`: admins read when the last backup ran."""

    list_display = ["created_at", "path", "size", "database_vendor", "file_count", "restored_at"]
    list_filter = ["database_vendor"]
    readonly_fields = ["created_at", "path", "size", "sha256", "database_vendor", "file_count", "restored_at"]


# The user admin, with two-factor status and reset, lives with the feature.
from goals.accounts.two_factor import admin as two_factor_admin  # noqa: E402, F401


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    """What the reminder job sent, to whom and why: read only (the job writes it, and a
    deleted record would send the same reminder again)."""

    list_display = ["sent_at", "kind", "occasion", "user", "email", "subject"]
    list_filter = ["kind", "sent_at"]
    search_fields = ["user__username", "email", "occasion", "subject"]
    list_select_related = ["user"]
    date_hierarchy = "sent_at"


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "opt_out", "language"]
    list_filter = ["opt_out", "language"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    """Residents' questions (数据问询), read-only: departments answer and correct, and reviewers
    forward and hide them in the staff pages (/staff/questions/), which audit each step (the
    answer's earlier versions are in the audit trail). The resident's email address is never shown."""

    list_display = ["pk", "target", "department", "state", "confirmed_at", "due_on", "answered_at"]
    list_filter = ["state", ("department", admin.RelatedOnlyFieldListFilter), "target__plan"]
    search_fields = ["target__code", "text", "answer"]
    list_select_related = ["target", "department"]
    fields = [
        "target",
        "department",
        "state",
        "name",
        "text",
        "created_at",
        "confirmed_at",
        "due_on",
        "answer",
        "answered_at",
        "answered_by",
        "answer_revised_at",
        "withdrawn_at",
        "hidden_reason",
        "hidden_at",
    ]
    readonly_fields = fields


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    """Residents' follows, read-only and without their email addresses: residents confirm,
    change and end them from the links in their emails."""

    list_display = ["pk", "plan", "kind", "code", "frequency", "language", "created_at"]
    list_filter = ["kind", "frequency", "plan"]
    fields = ["plan", "kind", "code", "frequency", "language", "created_at"]


@admin.register(FollowSent)
class FollowSentAdmin(ReadOnlyAdmin):
    """What was sent to followers (one email per person, item and day), without addresses."""

    list_display = ["pk", "item", "day", "sent_at"]
    list_filter = ["day"]
    fields = ["item", "day", "sent_at"]
