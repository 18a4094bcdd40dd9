"""Staff sign-in: Django's views with our templates (names chosen not to replace the admin's),
the password change and the two-factor steps (goals.accounts.two_factor)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.decorators.cache import never_cache

from goals.accounts.forms import StaffAuthenticationForm
from goals.accounts.two_factor import views as two_factor

urlpatterns = [
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
    # Two-factor sign-in (goals.accounts.two_factor): the code step, enrolment, recovery codes.
    path("two-factor/", two_factor.overview, name="two_factor"),
    path("two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("two-factor/enrol/", two_factor.enrol, name="two_factor_enrol"),
    path("two-factor/recovery/", two_factor.recovery, name="two_factor_recovery"),
]
