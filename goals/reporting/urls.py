"""Reporting and review, under /staff/: the workspace, a report, the review queue, evidence."""

from django.urls import path

from goals.reporting.views import closing, confirm, evidence, leader, review, workspace

urlpatterns = [
    path("", workspace.workspace, name="workspace"),
    path("targets/<str:code>/report/", workspace.report_target, name="report_target"),
    path("reports/<id:report_id>/resubmit/", workspace.resubmit_report, name="resubmit_report"),
    path("leader/", leader.leader_workspace, name="leader_workspace"),
    path("confirm/", confirm.confirm_queue, name="confirm_queue"),
    path("reports/<id:report_id>/confirm/", confirm.confirm_report, name="confirm_report"),
    path("reports/<id:report_id>/head-return/", confirm.return_report, name="head_return_report"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/approve/", review.bulk_approve, name="bulk_approve"),
    path("reports/<id:report_id>/approve/", review.approve_report, name="approve_report"),
    path("reports/<id:report_id>/return/", review.return_report, name="return_report"),
    path("plans/<year:year>/close/", closing.close_plan, name="close_plan"),
    path("evidence/<id:evidence_id>/", evidence.evidence_file, name="evidence_file"),
    path("evidence/<id:evidence_id>/preview/", evidence.evidence_preview, name="evidence_preview"),
]
