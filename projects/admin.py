from django.contrib import admin

from goals.admin.plans import AuditsTargetInline, TargetInline
from projects.models import Project


@admin.register(Project)
class ProjectAdmin(AuditsTargetInline, admin.ModelAdmin):
    list_display = ["code", "name", "plan", "weight"]
    list_filter = ["plan"]
    search_fields = ["code", "name", "source_clause"]
    fields = ["plan", "code", "name", "kind", "order", "weight", "source_clause"]
    inlines = [TargetInline]
