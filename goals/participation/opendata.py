"""Residents' questions and the departments' answers as open data (CSV and JSON): confirmed,
not hidden, oldest first. Never an email address; the name as the resident gave it (masked),
or 匿名. A question its resident withdrew keeps its row and the answer, with the question and
name empty (question_withdrawn); answer_revised_on is the day of the latest correction. An
unassigned question (no lead department) has an empty department: 督查室 answers it. Like the other exports, columns are only ever added at the end."""

from __future__ import annotations

from django.utils.translation import gettext as _

from goals.models import Plan, Question

QUESTION_COLUMNS = [
    "question_id",
    "plan_year",
    "target_code",
    "target_name",
    "department",
    "asked_by",
    "question",
    "asked_on",
    "due_on",
    "status",
    "status_label",
    "answer",
    "answered_on",
    "answered_on_time",
    "answer_revised_on",
    "question_withdrawn",
]


def question_records(plan: Plan) -> list[dict]:
    found = (
        Question.objects.public()
        .filter(target__plan=plan)
        .select_related("target", "department")
        .order_by("confirmed_at", "id")
    )
    return [
        {
            "question_id": q.pk,
            "plan_year": plan.year,
            "target_code": q.target.code,
            "target_name": q.target.name,
            "department": q.department.name if q.department else "",
            "asked_by": "" if q.withdrawn_at else (q.name or _("匿名")),
            "question": q.text,
            "asked_on": q.asked_on,
            "due_on": q.due_on,
            "status": q.state,
            "status_label": str(q.get_state_display()),
            "answer": q.answer,
            "answered_on": q.answered_on,
            "answered_on_time": q.on_time,
            "answer_revised_on": q.answer_revised_on,
            "question_withdrawn": q.withdrawn_at is not None,
        }
        for q in found
    ]
