"""Django admin (plans.py, records.py): the plan, targets and their assignment, reports (read-only), the audit trail and residents' questions (read-only, no email).

Every save or delete of public data moves the publication stamp (goals.planning.publication.bump) so
cached public pages refresh at once. Every change of a target's lead or co-departments, on
the target's page or in a project's or measure's target inline, is recorded as an
AuditEntry (调整分工) with before → after, and bumps Target.revision so that a report form
opened before the change is refused (optimistic concurrency).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from goals.accounts.forms import AdminSignInForm
from goals.admin import channels, closing, duties, plans, records  # noqa: F401  (registers the model admins)

admin.site.site_header = _("常州经开区工作目标管理")
admin.site.site_title = _("工作目标管理")
admin.site.index_title = _("管理首页")
admin.site.login_form = AdminSignInForm
