"""从文本新建计划 in the Django admin: the published text → a preview → a draft plan.

1. The year, a title, and the text, pasted or uploaded (.txt, .md, .docx): refused beside
   the field when it is too large, of another type, undecodable, has control characters or
   no plan list, or when the year has a plan already. Nothing is stored.
2. The preview: the text with every proposal marked in place (doubtful ones apart), the
   proposals as a table to edit, reject or add to (doubtful rows first, with why), and the
   numbers read as context. What it was made from stays in the session, under a token the
   form carries: the text is never sent back, so it cannot be changed on the way.
3. Confirm: goals.planning.from_text.create_draft makes the draft plan, all or nothing,
   audited; the session's copy is dropped, so a second submit finds nothing to confirm.
   A form whose token, digest or rows do not match the session's is refused.

Mixed into goals.admin.plans.PlanAdmin. Only users who may add and publish plans use it.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib import messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from goals.accounts import permissions
from goals.admin.from_text_forms import SourceForm, proposal_formset
from goals.planning import from_text
from goals.proposals.highlight import Wording, clause_of, marked
from goals.proposals.parser import guess_year
from goals.proposals.text import normalise
from goals.workbooks.plan_import import ImportFailed

SESSION_KEY = "plan_from_text"
TEMPLATE = "admin/goals/plan/from_text.html"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _keep(request, form: SourceForm) -> dict:
    """What the preview was made from, in the session (the form carries only its token)."""
    data, proposed = form.cleaned_data, form.proposed
    year = data["year"]
    kept = {
        "token": secrets.token_urlsafe(16),
        "year": year,
        "title": (data.get("title") or "").strip() or proposed.title[:200] or f"{year}年工作计划",
        "source": data.get("source") or "",
        "text": data["text"],
        "digest": _digest(data["text"]),
        "guessed_year": guess_year(normalise(data["text"])),
        "groups": from_text.groups_of(proposed),
        "rows": from_text.rows_of(proposed),
        "context": [
            {"text": c.text, "reason": c.reason, "clause": c.source_clause} for c in proposed.context
        ],
    }
    request.session[SESSION_KEY] = kept
    return kept


def _ref(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _is_forged(formset) -> bool:
    if not formset.management_form.is_valid() or any("ref" in form.errors for form in formset.forms):
        return True
    codes = {getattr(error, "code", "") for error in formset.non_form_errors().as_data()}
    return bool(codes & {"forged", "too_many_forms", "too_few_forms"})


def _rows_from(formset, kept: dict) -> tuple[list[dict], list[int]]:
    """The rows the admin keeps (in the text's order, added ones last) and the refs rejected."""
    by_ref = {row["ref"]: row for row in kept["rows"]}
    rows, rejected = [], []
    for form in formset.forms:
        data = form.cleaned_data
        ref = data.get("ref")
        if not data or (ref is None and not form.has_changed()):
            continue
        if data.get("reject"):
            if ref is not None:
                rejected.append(ref)
            continue
        original = by_ref.get(ref, {})
        rows.append(
            {
                "ref": ref,
                "group": data["group"],
                "parent": original.get("parent"),
                "name": data["name"].strip(),
                "wording": (data.get("wording") or "").strip(),
                "source_clause": original.get("source_clause")
                or clause_of(kept["text"], (data.get("wording") or "").strip()),
                "kind": data["kind"],
                "comparator": data.get("comparator") or "",
                "target_value": from_text.decimal_text(data.get("target_value")),
                "target_upper": from_text.decimal_text(data.get("target_upper")),
                "unit": data.get("unit") or "",
                "scale": data["scale"],
            }
        )
    rows.sort(key=lambda row: (row["ref"] is None, row["ref"] or 0))
    return rows, rejected


class PlanFromTextAdmin:
    def get_urls(self):
        urls = [
            path("from-text/", self.admin_site.admin_view(self.from_text_view), name="goals_plan_from_text"),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        allowed = self.has_add_permission(request) and permissions.can_publish_plan(request.user)
        return super().changelist_view(request, {**(extra_context or {}), "can_create_from_text": allowed})

    def from_text_view(self, request):
        if not (self.has_add_permission(request) and permissions.can_publish_plan(request.user)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("从文本新建计划"),
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, context)
        form = SourceForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            kept = _keep(request, form)
            return self._preview(request, context, kept)
        return render(request, TEMPLATE, {**context, "form": form})

    def _preview(self, request, context: dict, kept: dict, formset=None, problems=()):
        rows = kept["rows"]
        by_ref = {row["ref"]: row for row in rows}
        groups = [group["name"] for group in kept["groups"]]
        if formset is None:
            ordered = sorted(rows, key=lambda row: (not row["doubts"], row["ref"]))
            formset = proposal_formset(groups, set(by_ref), initial=ordered)
        table = [(form, by_ref.get(_ref(form["ref"].value()))) for form in formset.forms]
        items = [Wording(row["wording"], row["source_clause"], row["target_value"]) for row in rows]
        pieces, located = marked(kept["text"], items)
        guessed = kept.get("guessed_year")
        context.update(
            preview=True,
            kept=kept,
            formset=formset,
            table=table,
            pieces=pieces,
            doubtful={row["ref"] for row in rows if row["doubts"]},
            unlocated=[row for row in rows if row["ref"] not in located],
            doubt_count=sum(1 for row in rows if row["doubts"]),
            year_differs=guessed is not None and guessed != kept["year"],
            guessed_year=guessed,
            problems=problems,
            title=_("从文本新建计划:预览 %(year)s 年计划") % {"year": kept["year"]},
        )
        return render(request, TEMPLATE, context)

    def _confirm(self, request, context: dict):
        kept = request.session.get(SESSION_KEY)
        here = reverse("admin:goals_plan_from_text")
        if (
            not isinstance(kept, dict)
            or not secrets.compare_digest(str(kept.get("token")), request.POST.get("token", ""))
            or request.POST.get("digest") != kept.get("digest")
            or _digest(kept.get("text", "")) != kept.get("digest")
        ):
            messages.error(
                request,
                _("预览已过期或已被替换(例如在另一个窗口重新预览过,或已经确认过):未建立计划,请重新预览。"),
            )
            return redirect(here)
        groups = [group["name"] for group in kept["groups"]]
        refs = {row["ref"] for row in kept["rows"]}
        formset = proposal_formset(groups, refs, data=request.POST)
        valid = formset.is_valid()
        if _is_forged(formset):
            request.session.pop(SESSION_KEY, None)
            messages.error(request, _("表格数据与预览不一致(可能已被改动):未建立计划,请重新预览。"))
            return redirect(here)
        if not valid:
            return self._preview(
                request, context, kept, formset, [_("表格中有需要改正的地方,见下方标出的行。")]
            )
        rows, rejected = _rows_from(formset, kept)
        plan = from_text.plan_of(kept["groups"], rows, year=kept["year"], title=kept["title"])
        try:
            outcome = from_text.create_draft(
                plan,
                year=kept["year"],
                title=kept["title"],
                text=kept["text"],
                source=kept["source"],
                actor=request.user,
                by=_("从文本新建计划"),
                notes=from_text.changes_against(kept["rows"], rows, rejected),
            )
        except ImportFailed as failure:
            return self._preview(request, context, kept, formset, failure.problems)
        request.session.pop(SESSION_KEY, None)
        made = outcome.plan
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=[made],
            action_flag=ADDITION,
            change_message=_("从文本新建"),
            single_object=True,
        )
        messages.success(
            request,
            _(
                "已建立 %(year)s 年计划草稿:%(n)s 个目标。草稿发布前不公开;请补充牵头单位、主题和通过日期后再发布。"
            )
            % {"year": made.year, "n": outcome.counts.get("目标", 0)},
        )
        return redirect(reverse("admin:goals_plan_change", args=[made.pk]))
