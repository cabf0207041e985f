"""The summaries page: who reads whose summary, the links, the downloads; and the list
filters added for the summaries' links narrow their lists (visits, notices, cases,
campaigns, rounds, complaints, bulletins)."""

import pytest

from dudao.summaries import figures

from .helpers import build_year

pytestmark = pytest.mark.django_db


def keys(user):
    return [subject.key for subject in figures.subjects_for(user)]


def test_who_may_choose_which_summary(world):
    zone, mine = f"zone-{world.zone.pk}", f"inspector-{world.inspector.pk}"
    admin = keys(world.admin)
    assert admin[0] == "office" and zone in admin and mine in admin
    leader = keys(world.zone_leader)
    assert "office" not in leader and leader[0] == zone and mine in leader
    assert keys(world.inspector_user) == [mine]
    for user in (world.school_user, world.viewer, world.superuser):
        assert keys(user) == []
    assert f"inspector-{world.foreign_inspector.pk}" not in admin


def test_the_page_shows_the_figures_with_their_links(world, login):
    build_year(world)
    response = login(world.admin).get("/summaries/?subject=office&period=year&year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="figure-link-visits"' in html
    assert "/visits/?status=submitted&amp;visited_from=2026-01-01&amp;visited_to=2026-12-31" in html
    assert "/findings/ledger/?found_from=2026-01-01&amp;found_to=2026-12-31&amp;area=6" in html
    assert 'name="text"' in html  # the admin edits the words
    assert "/summaries/summary.docx?subject=office&amp;period=year&amp;year=2026" in html


def test_readers_other_than_the_office_admin_see_the_words_but_no_form(world, login):
    response = login(world.zone_leader).get(f"/summaries/?subject=zone-{world.zone.pk}")
    assert response.status_code == 200
    assert 'name="text"' not in response.content.decode()


@pytest.mark.parametrize(
    "role, subject",
    [
        ("zone_leader", "office"),
        ("inspector_user", "office"),
        ("inspector_user", "inspector-{other}"),
        ("inspector_user", "zone-{zone}"),
        ("other_admin", "zone-{zone}"),
        ("admin", "inspector-{foreign}"),
        ("admin", "nonsense"),
    ],
)
def test_other_summaries_are_not_found(world, login, role, subject):
    key = subject.format(
        other=world.other_inspector.pk, zone=world.zone.pk, foreign=world.foreign_inspector.pk
    )
    client = login(getattr(world, role))
    assert client.get(f"/summaries/?subject={key}").status_code == 404
    assert client.get(f"/summaries/summary.docx?subject={key}").status_code == 404


@pytest.mark.parametrize("role", ["school_user", "viewer", "superuser"])
def test_the_page_is_refused_to_those_without_an_office(world, login, role):
    client = login(getattr(world, role))
    assert client.get("/summaries/").status_code == 403
    assert client.get("/summaries/summary.xlsx").status_code == 403


def test_an_unknown_format_is_not_found(world, login):
    assert login(world.admin).get("/summaries/summary.csv").status_code == 404


def test_the_menu_offers_the_page_to_its_readers(world, login):
    for user, shown in (
        (world.admin, True),
        (world.inspector_user, True),
        (world.school_user, False),
    ):
        html = login(user).get("/").content.decode()
        assert ('href="/summaries/"' in html) is shown


LIST_FILTERS = [
    # (list url, a filter added for the summaries, the rows it must leave out)
    ("/visits/?status=submitted", "&visited_from=2026-01-01&visited_to=2026-06-30"),
    ("/visits/?status=submitted", "&unannounced=yes"),
    ("/visits/?", "feedback_from=2026-01-01&feedback_to=2026-12-31"),
    ("/visits/?status=submitted", "&zone={zone}"),
    ("/findings/notices/?", "issued_from=2026-01-01&issued_to=2026-06-30"),
    ("/findings/cases/?", "opened_from=2026-04-01&opened_to=2026-12-31"),
    ("/campaigns/?", "held=yes&starts_from=2026-01-01&starts_to=2026-12-31"),
    ("/complaints/?", "received_from=2026-01-01&received_to=2026-06-30"),
    ("/complaints/?", "solved=yes"),
    ("/bulletins/?", "published_from=2026-01-01&published_to=2026-06-30"),
    ("/evaluations/?", "published_from=2026-01-01&published_to=2026-06-30"),
]


def test_the_new_list_filters_narrow_their_lists(world, login):
    """Each list's filter leaves rows out (the figures tests show it keeps the right ones)."""
    from dudao.evaluations.models import Round
    from tests.evaluations.round_fixtures import build_round

    build_year(world)
    build_round(world, stage=Round.Stage.PUBLISHED)
    client = login(world.admin)
    for base, extra in LIST_FILTERS:
        extra = extra.format(zone=world.zone.pk)
        whole_page, narrowed_page = client.get(base), client.get(base + extra)
        assert whole_page.status_code == narrowed_page.status_code == 200, base
        whole = whole_page.context["page"].paginator.count
        narrowed = narrowed_page.context["page"].paginator.count
        assert narrowed < whole, (base, extra, narrowed, whole)
