"""Named constraints: each one refused by the database and, with the same rule, by clean()."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from goals.models import Measure, Report, ReportedFigure, Target
from goals.models.plan import TargetGroup
from tests.builders import make_action, make_pillar, make_plan, make_project, make_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(make_plan(2023))


def target(project, **kw):
    fields = {
        "plan": project.plan,
        "group": project,
        "code": "P1.9",
        "name": "x",
        "wording": "x",
        "kind": Target.Kind.AT_LEAST,
        "target_value": D(10),
        "unit": "个",
    }
    fields.update(kw)
    return Target(**fields)


def assert_refused(obj, constraint: str, field: str | None = None):
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    if field:
        assert field in caught.value.message_dict, caught.value.message_dict
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        obj.save()


@pytest.mark.parametrize(
    ("fields", "constraint", "field"),
    [
        (
            {"kind": Target.Kind.RANGE, "target_value": D(3), "target_upper": D(2)},
            "target_range_lower_not_above_upper",
            "target_upper",
        ),
        ({"kind": Target.Kind.RANGE, "target_upper": None}, "target_upper_iff_range", "target_upper"),
        ({"target_upper": D(20)}, "target_upper_iff_range", "target_upper"),
        ({"target_value": D(-1)}, "target_values_not_negative", "target_value"),
        ({"baseline_value": D(-1)}, "target_values_not_negative", "baseline_value"),
        ({"target_value": None}, "target_value_iff_not_milestone", "target_value"),
        ({"kind": Target.Kind.MILESTONE}, "target_value_iff_not_milestone", "target_value"),
        ({"weight": D(0)}, "target_weight_positive", "weight"),
        ({"tolerance_percent": D(101)}, "target_tolerance_percent_valid", "tolerance_percent"),
        ({"scale": 1000}, "target_scale_valid", "scale"),
        ({"kind": "guess"}, "target_kind_valid", "kind"),
    ],
)
def test_it_refuses_an_impossible_target(project, fields, constraint, field):
    assert_refused(target(project, **fields), constraint, field)


def test_it_refuses_duplicate_codes_within_a_plan_but_not_across_plans(project):
    make_target(project, "P1.1")
    assert_refused(target(project, code="P1.1"), "target_code_unique_in_plan|UNIQUE", "code")
    other = make_project(make_plan(2022))
    make_target(other, "P1.1")  # same code, other plan: fine


def test_a_target_cannot_be_its_own_parent(project):
    t = make_target(project, "P1.1")
    t.parent = t
    assert_refused(t, "target_not_own_parent", "parent")


def test_a_target_always_has_exactly_one_group(project):
    # One non-null foreign key to the table projects and measures share: no group is refused…
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            plan=project.plan, code="X", name="x", wording="x", kind="at_least", target_value=D(1)
        )
    # …and "two groups" cannot even be expressed.
    assert [
        f.name for f in Target._meta.fields if f.related_model and issubclass(f.related_model, TargetGroup)
    ] == ["group"]


def test_a_sub_target_stays_in_its_parents_group(project):
    parent = make_target(project, "P1.1")
    other = make_project(project.plan, "P2")
    with pytest.raises(ValidationError, match="同一项目或举措"):
        target(other, code="P2.1", parent=parent).full_clean()


def test_a_measure_belongs_to_one_action_or_one_pillar():
    plan = make_plan(2023)
    action, pillar = make_action(plan), make_pillar(plan)
    both = Measure(plan=plan, code="M1", name="m", kind="measure", action=action, pillar=pillar)
    assert_refused(both, "measure_has_one_parent")
    neither = Measure(plan=plan, code="M2", name="m", kind="measure")
    assert_refused(neither, "measure_has_one_parent")


def test_a_reported_figure_is_never_negative():
    figure = ReportedFigure(plan=make_plan(2023), code="R1", name="r", year=2022, value=D(-5))
    assert_refused(figure, "reportedfigure_value_not_negative", "value")


def test_reports_keep_their_review_consistent(project):
    t = make_target(project, "P1.1")
    with pytest.raises(IntegrityError, match="report_value_not_negative"), transaction.atomic():
        Report.objects.create(target=t, value=D(-1), as_of="2023-05-01")
    with pytest.raises(IntegrityError, match="report_reviewed_has_reviewer"), transaction.atomic():
        Report.objects.create(target=t, value=D(1), as_of="2023-05-01", state=Report.State.APPROVED)
    assert not Report.objects.exists()


def test_natural_keys_round_trip(project):
    t = make_target(project, "P1.1")
    assert t.natural_key() == (2023, "P1.1")
    assert Target.objects.get_by_natural_key(2023, "P1.1") == t
    assert TargetGroup.objects.get_by_natural_key(2023, project.code).pk == project.pk


def test_every_model_of_both_apps_is_in_the_admin():
    from django.apps import apps
    from django.contrib import admin

    models = [*apps.get_app_config("goals").get_models(), *apps.get_app_config("projects").get_models()]
    assert [m.__name__ for m in models if m not in admin.site._registry] == []
    for model in models:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(model._meta.verbose_name)), model
