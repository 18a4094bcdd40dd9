from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from goals.models import (
    Action,
    AuditEntry,
    Department,
    Evidence,
    Measure,
    Pillar,
    Plan,
    Report,
    ReportedFigure,
    Target,
    TargetGroup,
)

admin.site.site_header = _("常州经开区工作目标管理")
admin.site.site_title = _("工作目标管理")
admin.site.index_title = _("管理首页")


class TargetInline(admin.TabularInline):
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
class PlanAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "theme", "adopted_on"]
    search_fields = ["title", "theme", "positioning", "mission"]


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "focus", "plan"]
    list_filter = ["plan"]
    search_fields = ["code", "name", "focus"]


class MeasureInline(admin.TabularInline):
    model = Measure
    fk_name = "action"
    extra = 0
    fields = ["code", "name", "order", "weight"]
    show_change_link = True


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "plan", "weight"]
    list_filter = ["plan", "pillars"]
    search_fields = ["code", "name", "summary"]
    filter_horizontal = ["pillars"]
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "action", "pillar", "weight"]
    list_filter = ["plan", "action", "pillar"]
    search_fields = ["code", "name", "source_clause"]
    fields = ["plan", "code", "name", "kind", "action", "pillar", "order", "weight", "source_clause"]
    inlines = [TargetInline]


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    """Every project and measure in one list; edit them under 民生实事 or 举措."""

    list_display = ["code", "name", "kind", "plan", "weight"]
    list_filter = ["plan", "kind"]
    search_fields = ["code", "name"]
    inlines = [TargetInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "order"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "target_value",
        "target_upper",
        "unit",
        "scale",
        "lead_department",
    ]
    list_filter = ["plan", "kind", "lead_department", "group__kind"]
    search_fields = ["code", "name", "wording", "source_clause"]
    list_select_related = ["lead_department"]
    autocomplete_fields = ["lead_department", "parent", "group"]
    filter_horizontal = ["co_departments"]
    readonly_fields = ["revision"]


@admin.register(ReportedFigure)
class ReportedFigureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "year", "comparator", "value", "unit", "scale", "continued_by"]
    list_filter = ["year", "section"]
    search_fields = ["code", "name", "source_clause"]
    autocomplete_fields = ["continued_by"]


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

    list_display = ["target", "value", "as_of", "state", "author", "reviewer", "created_at"]
    list_filter = ["state", "target__plan"]
    search_fields = ["target__code", "target__name", "note"]
    list_select_related = ["target", "author", "reviewer"]
    date_hierarchy = "as_of"
    inlines = [EvidenceInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target", "report"]
    list_filter = ["action"]
    search_fields = ["target__code", "actor__username"]
    list_select_related = ["actor", "target", "report"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
