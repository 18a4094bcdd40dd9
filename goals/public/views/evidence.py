"""Evidence files of approved reports, and their thumbnails: public, cached for a day."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404

from goals.models import Evidence, Report
from goals.planning import publication
from goals.reporting import thumbnails
from goals.reporting.evidence import serve as serve_evidence


def _public_evidence(pk: int) -> Evidence:
    """An evidence file of an approved report; anything else is not public and answers 404."""
    return get_object_or_404(
        Evidence.objects.filter(
            report__state=Report.State.APPROVED,
            report__target__plan__year__lt=publication.SYNTHETIC_YEARS_FROM,
        ),
        pk=pk,
    )


def evidence(request: HttpRequest, pk: int) -> FileResponse:
    return serve_evidence(_public_evidence(pk), cache_control="public, max-age=86400")


def evidence_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    """A small JPEG of an image evidence file (made on the first request), on the same terms."""
    return thumbnails.serve(_public_evidence(pk), cache_control="public, max-age=86400")
