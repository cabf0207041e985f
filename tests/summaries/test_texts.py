"""The office's own words in a summary: saved by an audited service with a version check,
an emptied text brings the draft back, only the office admin writes (docs/rules.md §30)."""

import pytest

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.summaries import figures, periods, report, services
from dudao.summaries.models import SummarySection, SummaryText

pytestmark = pytest.mark.django_db

YEAR = periods.whole_year(2026)


def subject(user, key="office"):
    return figures.subject_for(user, key)


def words(user, key="office", period=YEAR):
    from django.utils import timezone

    summary = figures.compute(user, subject(user, key), period, timezone.localdate())
    return report.words(user, summary)


def test_saving_replaces_the_draft_and_emptying_brings_it_back(world):
    before = words(world.admin)[SummarySection.PRACTICES]
    assert before["text"] == "" and before["version"] == 0
    row = services.save_summary_text(
        world.admin, subject(world.admin), YEAR, "practices", "一是建章立制。\n二是强化培训。", 0
    )
    after = words(world.admin)[SummarySection.PRACTICES]
    assert after["lines"] == ["一是建章立制。", "二是强化培训。"]
    assert after["version"] == row.version == 1
    services.save_summary_text(world.admin, subject(world.admin), YEAR, "practices", "", 1)
    back = words(world.admin)[SummarySection.PRACTICES]
    assert back["text"] == "" and back["lines"] == before["lines"]
    assert AuditEntry.objects.unscoped().filter(target_type="summaries.SummaryText").count() == 2


def test_a_stale_version_is_refused_and_writes_nothing(world):
    services.save_summary_text(world.admin, subject(world.admin), YEAR, "plans", "甲。", 0)
    with pytest.raises(StaleObject):
        services.save_summary_text(world.admin, subject(world.admin), YEAR, "plans", "乙。", 0)
    with pytest.raises(StaleObject):
        services.save_summary_text(world.admin, subject(world.admin), YEAR, "plans", "乙。", 7)
    assert SummaryText.objects.unscoped().get().text == "甲。"


def test_texts_belong_to_their_summary(world):
    zone_key = f"zone-{world.zone.pk}"
    services.save_summary_text(
        world.admin, subject(world.admin, zone_key), YEAR, "results", "区", 0
    )
    h1 = periods.first_half(2026)
    services.save_summary_text(world.admin, subject(world.admin), h1, "results", "上半年", 0)
    assert words(world.admin)["results"]["text"] == ""
    assert words(world.admin, zone_key)["results"]["text"] == "区"
    assert words(world.admin, period=h1)["results"]["text"] == "上半年"
    # The zone leader reads the zone's text; the inspector does not see the office's.
    assert words(world.zone_leader, zone_key)["results"]["text"] == "区"


@pytest.mark.parametrize("role", ["zone_leader", "inspector_user", "other_admin", "superuser"])
def test_only_the_office_admin_writes(world, role):
    actor = getattr(world, role)
    target = figures.Subject(figures.OFFICE, world.office)
    with pytest.raises(NotPermitted):
        services.save_summary_text(actor, target, YEAR, "plans", "越权。", 0)
    assert not SummaryText.objects.unscoped().exists()


def test_bad_sections_and_long_texts_are_refused(world):
    with pytest.raises(DomainError):
        services.save_summary_text(world.admin, subject(world.admin), YEAR, "nope", "甲", 0)
    with pytest.raises(DomainError):
        services.save_summary_text(
            world.admin, subject(world.admin), YEAR, "plans", "字" * (services.TEXT_MAX + 1), 0
        )
    assert not SummaryText.objects.unscoped().exists()


def test_the_page_saves_a_section_with_htmx(world, login):
    client = login(world.admin)
    data = {
        "subject": "office",
        "period": "year",
        "year": "2026",
        "section": "problems",
        "version": "0",
        "text": "督学队伍结构老化。",
    }
    response = client.post("/summaries/text/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "督学队伍结构老化。" in response.content.decode()
    assert words(world.admin)["problems"]["lines"] == ["督学队伍结构老化。"]
    # The same version again: refused, shown on the form, nothing changed.
    response = client.post("/summaries/text/", {**data, "text": "改"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert words(world.admin)["problems"]["lines"] == ["督学队伍结构老化。"]
    # Saving the draft unchanged keeps following the draft.
    draft = words(world.admin)["plans"]["draft"]
    client.post("/summaries/text/", {**data, "section": "plans", "text": draft})
    assert not SummaryText.objects.unscoped().filter(section="plans").exists()


def test_others_cannot_save_through_the_page(world, login):
    data = {"subject": "office", "period": "year", "year": "2026", "section": "plans"}
    data |= {"version": "0", "text": "越权。"}
    assert login(world.zone_leader).post("/summaries/text/", data).status_code == 404
    zone = {**data, "subject": f"zone-{world.zone.pk}"}
    assert login(world.zone_leader).post("/summaries/text/", zone).status_code == 403
    assert not SummaryText.objects.unscoped().exists()
