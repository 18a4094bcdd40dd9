"""Staff: each user's reminder email preferences (opt out, language)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from goals.accounts.staff import staff_login_required
from goals.models import ReminderPreference
from goals.planning import publication


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["opt_out", "language"]


@never_cache
@staff_login_required
@require_http_methods(["GET", "POST"])
def reminder_preferences(request: HttpRequest) -> HttpResponse:
    preference = ReminderPreference.objects.filter(user=request.user).first() or ReminderPreference(
        user=request.user
    )
    form = PreferenceForm(request.POST or None, instance=preference, label_suffix="")
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("提醒设置已保存。"))
        return redirect("reminder_preferences")
    plan = publication.public_plan()
    context = {
        "form": form,
        "email": request.user.email,
        "mandatory": bool(plan and plan.deadline_reminders_mandatory),
    }
    return render(request, "staff/reminders.html", context, status=422 if form.errors else 200)
