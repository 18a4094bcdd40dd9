"""Next year's plan: copy the structure, carry unfinished targets (linked to their
predecessors), and the public target page shows the target across years."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command

from goals.models import Plan, Target
from goals.planning import carryover
from tests.builders import approved, make_user


def test_it_copies_the_structure_and_carries_only_unfinished_targets(seeded):
    reviewer = make_user("carry-reviewer")
    approved(
        Target.objects.get(plan=seeded, code="P7.2"), 3100, datetime.date(2024, 12, 20), reviewer=reviewer
    )
    approved(
        Target.objects.get(plan=seeded, code="P1.3"), 120, datetime.date(2024, 12, 20), reviewer=reviewer
    )
    out = io.StringIO()
    call_command("carry_targets", "2024", "2025", "--copy-structure", stdout=out)
    plan = Plan.objects.get(year=2025)
    carried = {t.code: t for t in Target.objects.filter(plan=plan).select_related("predecessor")}
    assert "P1.3" in carried and carried["P1.3"].predecessor.plan.year == 2024
    assert "P7.2" not in carried  # done in 2024
    assert "A6.1" not in carried  # a ceiling: held or breached is final
    assert all(t.predecessor.code == code for code, t in carried.items())
    assert carried["P1.3"].group.plan == plan
    assert "新建" in out.getvalue()
    # Carrying again links nothing twice and creates nothing new.
    again = carryover.carry(seeded, plan)
    assert not again.created and not again.linked
    assert Target.objects.filter(plan=plan).count() == len(carried)


def test_an_imported_plan_links_its_targets_of_the_same_code(seeded):
    from goals.workbooks import plan as plan_workbook
    from goals.workbooks import plan_import

    plan_import.import_plan(plan_workbook.export(seeded), year=2025)
    new = Plan.objects.get(year=2025)
    done = carryover.carry(seeded, new)
    assert not done.created and len(done.linked) == len(carryover.unfinished(seeded))
    assert Target.objects.get(plan=new, code="P1.3").predecessor.code == "P1.3"


def test_the_public_target_page_shows_the_target_across_years(seeded, client, settings):
    reviewer = make_user("carry-reviewer")
    approved(
        Target.objects.get(plan=seeded, code="P1.3"), 120, datetime.date(2024, 12, 20), reviewer=reviewer
    )
    approved(
        Target.objects.get(plan=seeded, code="P7.2"), 3100, datetime.date(2024, 12, 20), reviewer=reviewer
    )
    call_command("carry_targets", "2024", "2025", "--copy-structure", stdout=io.StringIO())
    Plan.objects.filter(year=2025).update(status=Plan.Status.PUBLISHED)  # a draft is not public
    settings.PUBLIC_PLAN_YEAR = 2025
    html = client.get("/targets/P1.3/").content.decode()
    assert "历年情况" in html and "2024" in html and "120个" in html
    settings.PUBLIC_PLAN_YEAR = 2024
    html = client.get("/targets/P1.3/").content.decode()
    assert "历年情况" in html and "2025" in html
    assert "历年情况" not in client.get("/targets/P7.2/").content.decode()  # done: not carried
