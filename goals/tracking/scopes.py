"""Which target groups a project, action or pillar page shows: filters on TargetGroup for
goals.tracking.evaluation.evaluate_plan(scope=…)."""

from __future__ import annotations

from django.db.models import Q


def project_scope(code: str) -> Q:
    """The target groups a project page shows: the project (a group's code is unique in its
    plan; the page answers 404 unless that group is a project)."""
    return Q(code=code)


def action_scope(code: str) -> Q:
    """The target groups an action page shows: the action's measures."""
    return Q(measure__action__code=code)


def pillar_scope(code: str) -> Q:
    """The target groups a pillar page shows: the measures of its actions and its own."""
    return Q(measure__action__pillars__code=code) | Q(measure__pillar__code=code)
