"""Evidence files for staff: whoever may see the report may download its files."""

from __future__ import annotations

from django.http import FileResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from goals.accounts import permissions
from goals.accounts.staff import staff_login_required
from goals.reporting import thumbnails
from goals.reporting.evidence import serve as serve_evidence

# --- evidence ----------------------------------------------------------------------------


@never_cache
@staff_login_required
@require_GET
def evidence_file(request, evidence_id: int) -> FileResponse:
    item = permissions.get_evidence_for_user(request.user, evidence_id)
    return serve_evidence(item, cache_control="private, no-store")


@never_cache
@staff_login_required
@require_GET
def evidence_preview(request, evidence_id: int) -> FileResponse:
    """A thumbnail of an image, or a small PDF's first page: for whoever may see the report."""
    item = permissions.get_evidence_for_user(request.user, evidence_id)
    return thumbnails.serve(item, cache_control="private, no-store", pages=True)
