"""Evidence in the review queue: image thumbnails and a small PDF's first page rendered to an
image (PDFium), served to whoever may see the report (the evidence download's checks),
cached on disk, and never for a PDF over the size bound."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from goals.models import Evidence
from goals.reporting import services, thumbnails
from tests.builders import evidence as files
from tests.personas import DAY, as_user


def pdf_of(color, size=(595, 842)) -> bytes:
    """A one-page PDF (made by Pillow) whose page is filled with `color`."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PDF", resolution=72)
    return out.getvalue()


def submit(world, author, *uploads):
    return services.submit_report(
        target=world.own_target, value=10, as_of=DAY, author=author, evidence=list(uploads)
    )


@pytest.fixture
def report(world, official_own, media):
    pdf = SimpleUploadedFile("验收报告.pdf", pdf_of((20, 90, 200)), content_type="application/pdf")
    return submit(world, official_own, (pdf, "application/pdf"), *files("现场.png"))


def test_the_queue_shows_an_image_and_a_pdfs_first_page_beside_the_figure(report, reviewer):
    html = as_user(reviewer).get(reverse("review_queue")).content.decode()
    for item in report.evidence.all():
        assert reverse("evidence_preview", args=[item.pk]) in html
    assert html.count('class="evidence-preview evidence-page"') == 1  # the PDF's page, drawn larger


def test_the_first_page_is_rendered_small_and_in_its_colours(report, reviewer, media):
    pdf = report.evidence.get(content_type="application/pdf")
    response = as_user(reviewer).get(reverse("evidence_preview", args=[pdf.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private, no-store")
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size[0] <= thumbnails.PAGE_BOX[0] and image.size[1] <= thumbnails.PAGE_BOX[1]
    assert image.size[1] > 500  # an A4 page, not a postage stamp
    red, green, blue = image.convert("RGB").getpixel((image.size[0] // 2, image.size[1] // 2))
    assert blue > 150 and red < 80
    # Made once, then served from the cache: the stored PDF is not read again.
    cached = media / thumbnails.thumbnail_name(pdf)
    assert cached.is_file()
    pdf.file.delete(save=False)
    assert as_user(reviewer).get(reverse("evidence_preview", args=[pdf.pk])).status_code == 200


def test_an_image_gets_its_thumbnail(report, official_own):
    image = report.evidence.get(content_type="image/png")
    response = as_user(official_own).get(reverse("evidence_preview", args=[image.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_only_those_who_may_see_the_report_get_the_preview(report, official_other, anonymous):
    pdf = report.evidence.get(content_type="application/pdf")
    url = reverse("evidence_preview", args=[pdf.pk])
    assert as_user(official_other).get(url).status_code == 404
    assert as_user(anonymous).get(url).status_code == 302
    # The public thumbnail of an unapproved report's PDF does not exist either.
    assert as_user(None).get(reverse("evidence_thumbnail", args=[pdf.pk])).status_code == 404


def test_a_large_or_broken_pdf_gets_no_preview(world, official_own, reviewer, media):
    big = SimpleUploadedFile("大文件.pdf", pdf_of((0, 0, 0)), content_type="application/pdf")
    broken = SimpleUploadedFile(
        "坏文件.pdf", b"%PDF-1.4\nnot really\n%%EOF\n", content_type="application/pdf"
    )
    report = submit(world, official_own, (big, "application/pdf"), (broken, "application/pdf"))
    large = report.evidence.get(original_name="大文件.pdf")
    Evidence.objects.filter(pk=large.pk).update(size=Evidence.PREVIEW_PDF_MAX_BYTES + 1)
    html = as_user(reviewer).get(reverse("review_queue")).content.decode()
    assert reverse("evidence_preview", args=[large.pk]) not in html
    assert as_user(reviewer).get(reverse("evidence_preview", args=[large.pk])).status_code == 404
    bad = report.evidence.get(original_name="坏文件.pdf")
    assert as_user(reviewer).get(reverse("evidence_preview", args=[bad.pk])).status_code == 404
