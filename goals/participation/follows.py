"""Following an item by email: asked for (pending, nothing sent but the confirmation link),
confirmed (from then on, updates), left (one click), or everything deleted by its owner."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from goals.models import Follow, FollowSent, Question
from goals.participation import questions, states


def request_follow(*, item: states.Item, email: str, language: str, frequency: str) -> tuple[Follow, bool]:
    """A pending follow, or the one this address already has for the item. Returns it and
    whether a confirmation should be sent (not for one already confirmed)."""
    with transaction.atomic():
        follow, created = Follow.objects.select_for_update().get_or_create(
            email=email.lower(),
            plan=item.plan,
            kind=item.kind,
            code=item.code,
            defaults={"language": language, "frequency": frequency},
        )
        if follow.confirmed_at is not None:
            return follow, False
        if not created:
            follow.language, follow.frequency = language, frequency
            follow.save(update_fields=["language", "frequency"])
    return follow, True


def confirm(follow: Follow) -> Follow:
    """Confirmed: updates start from how the item stands now (nothing is sent for it)."""
    with transaction.atomic():
        locked = Follow.objects.select_for_update().select_related("plan").get(pk=follow.pk)
        if locked.confirmed_at is None:
            day = states.day_for(locked.plan, timezone.localdate())
            result = states.evaluate_item(locked.plan, locked.kind, locked.code, day)
            locked.snapshot = states.states(result, locked.kind, locked.code)
            locked.confirmed_at = timezone.now()
            locked.save(update_fields=["snapshot", "confirmed_at"])
    return locked


def unsubscribe(follow_id: int) -> bool:
    """Stop following (the row goes: nothing is kept). False when it was already gone."""
    deleted, _rows = Follow.objects.filter(pk=follow_id).delete()
    return bool(deleted)


def following(email: str) -> list[Follow]:
    return list(Follow.objects.filter(email=email.lower(), confirmed_at__isnull=False).select_related("plan"))


def delete_everything(email: str) -> dict[str, int]:
    """Every follow and question this address submitted, and the log of what was sent to it.

    Questions go as `questions.remove_for_resident` says (an answered one keeps the
    department's answer, without the resident's words); each writes an audit entry with no
    personal data, which also moves the published version (goals.planning.publication)."""
    email = email.lower()
    with transaction.atomic():
        asked = list(Question.objects.select_for_update().filter(email__iexact=email))
        for question in asked:
            questions.remove_for_resident(question)
        follows, _rows = Follow.objects.filter(email=email).delete()
        FollowSent.objects.filter(email=email).delete()
    return {"follows": follows, "questions": len(asked)}
