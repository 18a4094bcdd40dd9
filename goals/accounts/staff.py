"""What every staff view shares: sign-in required (with the answers htmx needs), the user's
departments, the plan staff work on, the page that says why something was refused, and the
sign-in lockout page.
Staff views import these from here; no view module imports another."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_htmx.middleware import HtmxDetails

from goals.accounts import permissions
from goals.models import Department, Plan
from goals.planning import publication, states


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def staff_login_required(view):
    """login_required, except that an htmx request from a signed-out user gets a bare 401.

    Redirecting it to the sign-in page would swap that page into the row and lose what the
    official typed; staff.js instead says "sign in again in another tab", and the form stays.
    403 and 404 are rendered in here (in Chinese, saying why), so that the decorators
    outside (never_cache) apply to them too.
    """
    protected = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            return HttpResponse(
                _("登录已过期,请重新登录。"), status=401, content_type="text/plain; charset=utf-8"
            )
        try:
            return protected(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return refused(request, 403, str(refusal) or _("您没有权限进行此操作。"))
        except Http404 as missing:
            return refused(request, 404, str(missing) or _("没有找到该页面。"))

    return wrapper


def refused(request, status: int, message: str) -> HttpResponse:
    return render(request, "staff/refused.html", {"status": status, "message": message}, status=status)


@dataclass
class StaffYear:
    """The plan a staff page works on, and the plans its year switcher offers."""

    plan: Plan | None
    plans: list[Plan] = field(default_factory=list)
    all_years: bool = False  # a page that can also show every open year at once (the review queue)

    @property
    def query(self) -> str:
        """The query string that keeps a link or a form on this year."""
        return f"?year={self.plan.year}" if self.plan is not None else ""

    @property
    def switcher(self) -> bool:
        return len(self.plans) > 1 or bool(self.plan and self.plan.is_draft)

    @property
    def open_plans(self) -> list[Plan]:
        return [p for p in self.plans if p.is_open]


def staff_plans(user) -> list[Plan]:
    """The plans staff work on, oldest first: every published plan not yet closed (January:
    the old year's December is still due while the new year has begun), and drafts for
    those who prepare them. Synthetic plans only when pinned as public."""
    statuses = [Plan.Status.PUBLISHED]
    if permissions.can_see_drafts(user):
        statuses.append(Plan.Status.DRAFT)
    pinned = publication.public_year() or 0
    plans = Plan.objects.filter(status__in=statuses).order_by("year")
    return [p for p in plans if p.year < publication.SYNTHETIC_YEARS_FROM or p.year == pinned]


def default_plan(plans: list[Plan], day: datetime.date) -> Plan | None:
    """The oldest open plan that still has something due on `day` (its last deadline and the
    grace period not yet past), else the newest open plan, else the newest one offered."""
    open_plans = [p for p in plans if p.is_open]
    for plan in open_plans[:-1]:
        if day < states.closable_from(plan):
            return plan
    if open_plans:
        return open_plans[-1]
    return plans[-1] if plans else None


def staff_year(request) -> StaffYear:
    """The plan `?year=YYYY` names among those the user may work on, else the default."""
    plans = staff_plans(request.user)
    raw = request.GET.get("year", "").strip()
    chosen = next((p for p in plans if raw.isdigit() and p.year == int(raw)), None)
    return StaffYear(chosen or default_plan(plans, timezone.localdate()), plans)


def named_plan(request) -> Plan | None:
    """The plan a form posts to: the one `?year=` names, which must be offered to the user.

    Never another year's plan in its place (a form opened for 2024 and sent after 2024 was
    closed must not land on 2025's target of the same code): a closed year is refused with
    a message (403), a year not offered is 404. Without `?year=`, the default plan."""
    year = staff_year(request)
    raw = request.GET.get("year", "").strip()
    if not raw or (year.plan is not None and str(year.plan.year) == raw):
        return year.plan
    named = Plan.objects.filter(year=int(raw)).first() if raw.isdigit() and len(raw) == 4 else None
    if named is not None and named.is_closed:
        raise PermissionDenied(
            _("%(year)s 年计划已结项,不再接受报告;如需更正结项数据,请联系管理员。") % {"year": named.year}
        )
    raise Http404(_("没有可填报的该年度计划。"))


def staff_plan(request=None) -> Plan | None:
    """The plan a staff page works on (see staff_year); without a request, the public one."""
    if request is None:
        return publication.public_plan()
    return staff_year(request).plan


def user_departments(user):
    if permissions.is_admin(user):
        return Department.objects.all()
    return Department.objects.filter(members=user)


# Sign-in lockout (django-axes calls this through settings.AXES_LOCKOUT_CALLABLE; the
# two-factor step answers the same way).
@never_cache
def lockout(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Too many failed sign-ins for this username from this address: say so, in Chinese, with 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/lockout.html", context, status=429)
