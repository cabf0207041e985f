"""The public answer pages (/p/surveys/<token>/): answering anonymously on a phone, one answer
per device, the daily cap per network, the rate limits, the honeypot and the stamp, a closed
or not yet open survey, and what is (not) stored."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.surveys import answering, services
from dudao.surveys.models import Answer, Response

from .helpers import link_of

pytestmark = pytest.mark.django_db
PHONE = {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone) MicroMessenger", "REMOTE_ADDR": "203.0.113.7"}


def url(survey, school):
    return reverse("surveys_public:answer", args=[link_of(survey, school).token])


def stamp_of(response) -> str:
    return re.search(r'name="stamp" value="([^"]+)"', response.content.decode()).group(1)


def filled(q, stamp, **changes):
    data = {
        "stamp": stamp,
        f"q{q['1.1'].pk}": "满意",
        f"q{q['1.2'].pk}": "4",
        f"q{q['1.3'].pk}": ["食堂", "图书"],
        f"q{q['1.4'].pk}": "小学",
        f"q{q['2.1'].pk}": "",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def send(client, clock, survey, school, q, wait=5, **changes):
    """Open the form, wait `wait` seconds as a person would, send it."""
    page = client.get(url(survey, school), **PHONE)
    assert page.status_code == 200
    clock.shift(datetime.timedelta(seconds=wait))
    return client.post(url(survey, school), filled(q, stamp_of(page), **changes), **PHONE)


def test_a_parent_answers_on_a_phone(world, survey, q, clock):
    client = Client()
    page = client.get(url(survey, world.school), **PHONE)
    body = page.content.decode()
    assert "家长满意度调查" in body and "湖滨小学" in body
    assert "csrfmiddlewaretoken" in body and 'name="website"' in body
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex"
    clock.shift(datetime.timedelta(seconds=20))
    sent = client.post(url(survey, world.school), filled(q, stamp_of(page)), **PHONE)
    assert sent.status_code == 302
    assert sent.url == reverse("surveys_public:done", args=[link_of(survey, world.school).token])
    response = Response.objects.unscoped().get()
    assert (response.school_id, response.survey_id, response.day) == (
        world.school.pk,
        survey.pk,
        timezone.localdate(),
    )
    answers = sorted(
        Answer.objects.unscoped()
        .filter(response=response)
        .values_list("question__code", "choice", "satisfied")
    )
    assert answers == [
        ("1.1", "满意", True),
        ("1.2", "4", True),
        ("1.3", "图书", None),
        ("1.3", "食堂", None),
        ("1.4", "小学", None),
    ]
    thanks = client.get(sent.url, **PHONE)
    assert "thanks" in thanks.content.decode()


def test_nothing_identifying_is_stored(world, survey, q, clock):
    send(Client(), clock, survey, world.school, q)
    response = Response.objects.unscoped().get()
    row = " ".join(str(v) for v in Response.objects.unscoped().values_list().get())
    assert "203.0.113.7" not in row and "iPhone" not in row
    assert response.client_hash == answering.client_hash(
        "203.0.113.7", survey.pk, timezone.localdate()
    )
    assert re.fullmatch(r"[0-9a-f]{64}", response.client_hash)
    # no audit row either: it would keep the address and the browser
    from dudao.audit.models import AuditEntry

    assert not AuditEntry.objects.unscoped().filter(target_type="surveys.response").exists()
    assert not AuditEntry.objects.unscoped().filter(ip="203.0.113.7").exists()


def test_the_network_of_an_address():
    assert answering.network_of("203.0.113.7") == "203.0.113.7"
    assert answering.network_of("2001:db8:1:2:aa:bb:cc:dd") == "2001:db8:1:2::/64"
    assert answering.network_of("::ffff:203.0.113.7") == "203.0.113.7"
    assert answering.network_of("nonsense") == answering.network_of(None) == ""
    day = datetime.date(2026, 11, 23)
    one = answering.client_hash("2001:db8:1:2::1", 1, day)
    assert one == answering.client_hash("2001:db8:1:2::ffff", 1, day)  # same /64
    assert one != answering.client_hash("2001:db8:1:2::1", 2, day)  # another survey
    assert one != answering.client_hash("2001:db8:1:2::1", 1, day + datetime.timedelta(days=1))


def test_one_answer_per_device(world, survey, q, clock):
    client = Client()
    assert send(client, clock, survey, world.school, q).status_code == 302
    cookie = client.cookies[answering.cookie_name(link_of(survey, world.school))]
    assert cookie["httponly"] and cookie["path"] == "/p/surveys/"
    again = client.get(url(survey, world.school), **PHONE)
    assert 'data-testid="answered"' in again.content.decode()
    posted = client.post(url(survey, world.school), filled(q, "x"), **PHONE)
    assert 'data-testid="answered"' in posted.content.decode()
    assert Response.objects.unscoped().count() == 1
    # the same phone may answer for another school's link (a second child)
    assert send(client, clock, survey, world.zone_school, q).status_code == 302
    # a forged cookie is not believed
    other = Client()
    other.cookies[answering.cookie_name(link_of(survey, world.far_school))] = "1"
    assert "answered" not in other.get(url(survey, world.far_school), **PHONE).content.decode()


def test_the_daily_cap_per_network(world, survey, q, clock, settings):
    settings.SURVEY_DAILY_PER_NETWORK = 2
    for _ in range(2):
        assert send(Client(), clock, survey, world.school, q).status_code == 302
    refused = send(Client(), clock, survey, world.school, q)
    assert refused.status_code == 429 and 'data-testid="cap"' in refused.content.decode()
    assert Response.objects.unscoped().count() == 2
    elsewhere = dict(PHONE, REMOTE_ADDR="198.51.100.9")
    client = Client()
    page = client.get(url(survey, world.school), **elsewhere)
    clock.shift(datetime.timedelta(seconds=5))
    sent = client.post(url(survey, world.school), filled(q, stamp_of(page)), **elsewhere)
    assert sent.status_code == 302
    clock.shift(datetime.timedelta(days=1))  # a new day, a new count
    assert send(Client(), clock, survey, world.school, q).status_code == 302


def test_the_rate_limit_on_submissions(world, survey, q, clock, settings):
    settings.SURVEY_POST_RATE = 2
    client = Client()
    page = client.get(url(survey, world.school), **PHONE)
    clock.shift(datetime.timedelta(seconds=5))
    data = filled(q, stamp_of(page), **{f"q{q['1.1'].pk}": None})  # missing: re-shown
    assert client.post(url(survey, world.school), data, **PHONE).status_code == 200
    assert client.post(url(survey, world.school), data, **PHONE).status_code == 200
    refused = client.post(url(survey, world.school), filled(q, stamp_of(page)), **PHONE)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Response.objects.unscoped().count() == 0


def test_the_rate_limit_on_pages(world, survey, settings):
    settings.PUBLIC_PAGE_REQUEST_RATE = 3
    client = Client()
    for _ in range(3):
        assert client.get(url(survey, world.school), **PHONE).status_code == 200
    assert client.get(url(survey, world.school), **PHONE).status_code == 429


def test_the_honeypot_and_the_too_fast_are_thanked_and_not_stored(world, survey, q, clock):
    bot = send(Client(), clock, survey, world.school, q, website="http://spam.example")
    assert bot.status_code == 302 and bot.url.endswith("/done/")
    hasty = send(Client(), clock, survey, world.school, q, wait=0)
    assert hasty.status_code == 302 and hasty.url.endswith("/done/")
    assert Response.objects.unscoped().count() == 0
    assert answering.cookie_name(link_of(survey, world.school)) not in bot.cookies


def test_a_missing_forged_or_foreign_stamp_asks_again(world, survey, q, clock):
    client = Client()
    other = client.get(url(survey, world.zone_school), **PHONE)
    clock.shift(datetime.timedelta(seconds=5))
    for stamp in ("", "forged:stamp", stamp_of(other)):
        page = client.post(url(survey, world.school), filled(q, stamp), **PHONE)
        assert page.status_code == 200
        assert 'class="errorlist card"' in page.content.decode()
    clock.shift(datetime.timedelta(days=2))  # a day-old form
    page = client.post(url(survey, world.zone_school), filled(q, stamp_of(other)), **PHONE)
    assert page.status_code == 200
    assert Response.objects.unscoped().count() == 0


def test_wrong_or_missing_answers_are_shown_again(world, survey, q, clock):
    missing = send(Client(), clock, survey, world.school, q, **{f"q{q['1.2'].pk}": None})
    assert missing.status_code == 200
    assert f'id="q{q["1.2"].pk}"' in missing.content.decode()
    wrong = send(Client(), clock, survey, world.school, q, **{f"q{q['1.1'].pk}": "非常满意"})
    assert wrong.status_code == 200
    optional = send(
        Client(), clock, survey, world.school, q, **{f"q{q['1.3'].pk}": None}
    )  # an optional question left empty is fine
    assert optional.status_code == 302
    assert Response.objects.unscoped().count() == 1


def test_a_closed_survey_refuses(world, survey, q, clock):
    client = Client()
    page = client.get(url(survey, world.school), **PHONE)
    services.close_survey(world.admin, survey)
    clock.shift(datetime.timedelta(seconds=5))
    posted = client.post(url(survey, world.school), filled(q, stamp_of(page)), **PHONE)
    assert posted.status_code == 200 and 'data-testid="closed"' in posted.content.decode()
    assert Response.objects.unscoped().count() == 0
    with pytest.raises(Exception, match=r"no answers|不接受答卷"):
        services.submit_response(
            link_of(survey, world.school), {q["1.1"].pk: "满意", q["1.2"].pk: "5"}
        )


def test_after_its_closing_day_a_survey_refuses(world, survey, q, clock):
    clock.shift(datetime.timedelta(days=11))  # closes_on was today + 10
    page = Client().get(url(survey, world.school), **PHONE)
    assert 'data-testid="closed"' in page.content.decode()


def test_before_its_opening_day(world, questionnaire):
    from .helpers import make_survey

    today = timezone.localdate()
    later = make_survey(
        world,
        questionnaire,
        opens_on=today + datetime.timedelta(days=2),
        closes_on=today + datetime.timedelta(days=9),
    )
    page = Client().get(url(later, world.school), **PHONE)
    assert 'data-testid="not-yet"' in page.content.decode()


def test_a_draft_or_unknown_link_is_not_found(world, questionnaire):
    from .helpers import make_survey

    draft = make_survey(world, questionnaire, open_it=False)
    assert Client().get(url(draft, world.school), **PHONE).status_code == 404
    assert Client().get("/p/surveys/nosuchtoken123456/", **PHONE).status_code == 404


def test_free_text_is_stored_as_written_and_escaped_when_shown(world, survey, q, clock):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>=cmd|"/c calc"!A1'
    send(Client(), clock, survey, world.school, q, **{f"q{q['2.1'].pk}": attack})
    stored = Answer.objects.unscoped().get(question=q["2.1"])
    assert stored.text == attack
    survey.min_answers = 1
    survey.save()
    client = Client()
    client.force_login(world.admin)
    body = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_text_answers_are_bounded(world, survey, q, clock):
    long = send(Client(), clock, survey, world.school, q, **{f"q{q['2.1'].pk}": "长" * 1001})
    assert long.status_code == 200
    assert Response.objects.unscoped().count() == 0
