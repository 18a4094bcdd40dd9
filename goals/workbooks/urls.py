"""Department workbooks, under /staff/workbook/: download, upload, preview, confirm."""

from django.urls import path

from goals.workbooks import views

urlpatterns = [
    path("workbook/", views.workbook_page, name="workbook"),
    path("workbook/download/", views.workbook_download, name="workbook_download"),
    path("workbook/upload/", views.workbook_upload, name="workbook_upload"),
    path("workbook/confirm/", views.workbook_confirm, name="workbook_confirm"),
]
