"""Staff URLs, mounted at /staff/ inside i18n_patterns (/en/staff/… in English)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.decorators.cache import never_cache

from goals.forms_accounts import StaffAuthenticationForm
from goals.two_factor import views as two_factor
from goals.views import briefings, league, reminders, staff
from goals.workbooks import views as workbooks

urlpatterns = [
    path("", staff.workspace, name="workspace"),
    path("targets/<str:code>/report/", staff.report_target, name="report_target"),
    path("reports/<id:report_id>/resubmit/", staff.resubmit_report, name="resubmit_report"),
    path("review/", staff.review_queue, name="review_queue"),
    path("review/approve/", staff.bulk_approve, name="bulk_approve"),
    path("reports/<id:report_id>/approve/", staff.approve_report, name="approve_report"),
    path("reports/<id:report_id>/return/", staff.return_report, name="return_report"),
    path("evidence/<id:evidence_id>/", staff.evidence_file, name="evidence_file"),
    path("league/", league.staff_league, name="staff_league"),
    path("briefing/", briefings.staff_briefing, name="staff_briefing"),
    path("workbook/", workbooks.workbook_page, name="workbook"),
    path("workbook/download/", workbooks.workbook_download, name="workbook_download"),
    path("workbook/upload/", workbooks.workbook_upload, name="workbook_upload"),
    path("workbook/confirm/", workbooks.workbook_confirm, name="workbook_confirm"),
    path("reminders/", reminders.reminder_preferences, name="reminder_preferences"),
    # Accounts: Django's views with our templates (names chosen not to replace the admin's).
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            authentication_form=StaffAuthenticationForm,
        ),
        name="login",
    ),
    path(
        "logout/",
        auth_views.LogoutView.as_view(template_name="registration/staff_logged_out.html"),
        name="logout",
    ),
    path(
        "password/",
        never_cache(
            auth_views.PasswordChangeView.as_view(
                template_name="registration/staff_password_change_form.html",
                success_url=reverse_lazy("password_change_done"),
            )
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        never_cache(
            auth_views.PasswordChangeDoneView.as_view(
                template_name="registration/staff_password_change_done.html"
            )
        ),
        name="password_change_done",
    ),
    # Two-factor sign-in (goals.two_factor): the code step, enrolment, recovery codes.
    path("two-factor/", two_factor.overview, name="two_factor"),
    path("two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("two-factor/enrol/", two_factor.enrol, name="two_factor_enrol"),
    path("two-factor/recovery/", two_factor.recovery, name="two_factor_recovery"),
]
