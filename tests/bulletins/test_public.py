"""The county's public page (/p/county/<code>/, no login): the office's contacts, its zones
and inspectors with the phone the public may see (as on the school page), the documents the
office chose to publish (published, shown, not withdrawn, this county's only), the published
campaigns (with their draw seed and a link to their page) and evaluation rounds (a ranking
page), the complaint form's link; every text escaped, rate limited, a fixed number of
queries."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from dudao.bulletins import public_views, services
from dudao.bulletins.models import Kind
from dudao.campaigns.models import Campaign, CampaignTarget
from dudao.evaluations.models import Round, RoundTarget
from tests.campaigns.conftest import build_campaign, set_status
from tests.evaluations.round_fixtures import build_framework
from tests.factories import InspectorFactory, SchoolFactory, ZoneFactory

from .conftest import publish, write

XSS = "<script>alert(1)</script>"


def county_url(world, *rest):
    code = world.office.region.code
    if not rest:
        return reverse("bulletins_public:county", args=[code])
    name, *args = rest
    return reverse(f"bulletins_public:{name}", args=[code, *args])


def shown(world, **fields):
    return publish(world, publish_on_public_page=True, **fields)


def published_round(world, title="2026年义务教育学校督导评估", results=()):
    evaluation = Round.objects.unscoped().create(
        office=world.office,
        framework=build_framework(),
        title=title,
        year=2026,
        stage=Round.Stage.PUBLISHED,
    )
    for position, (school, total, grade, vetoed) in enumerate(results, 1):
        RoundTarget.objects.unscoped().create(
            round=evaluation,
            office=world.office,
            school=school,
            position=position,
            total=None if total is None else Decimal(total),
            max_total=Decimal(100),
            grade=grade,
            vetoed=vetoed,
        )
    return evaluation


@pytest.fixture
def county(world):
    office = world.office
    office.public_phone = "0571-87001234"
    office.email = "dudao@example.cn"
    office.address = "上城区解放路1号"
    office.save()
    world.inspector.show_mobile_publicly = True
    world.inspector.phone = "13900000001"
    world.inspector.save()
    return world


def test_county_page_shows_what_is_public(county, client):
    w = county
    public = shown(w, title="关于开学工作督导情况的通报")
    publish(w, title="内部通报")  # not shown publicly
    write(w, title="草稿通报", publish_on_public_page=True)
    withdrawn = services.withdraw_bulletin(w.admin, shown(w, title="已撤回通报"), note="撤回")
    campaign = build_campaign(w, title="双减专项督导")
    Campaign.objects.unscoped().filter(pk=campaign.campaign.pk).update(
        draw_seed="临教督〔2026〕5号"
    )
    set_status(campaign.campaign, Campaign.Status.PUBLISHED)
    running = build_campaign(w, title="进行中的督导")
    evaluation = published_round(w)
    Round.objects.unscoped().create(
        office=w.office, framework=evaluation.framework, title="未公布的评估", year=2026
    )
    response = client.get(county_url(w))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    page = response.content.decode()
    for text in ("0571-87000000", "0571-87001234", "dudao@example.cn", "上城区解放路1号"):
        assert text in page
    assert public.title in page and county_url(w, "bulletin", public.pk) in page
    for hidden in ("内部通报", "草稿通报", withdrawn.title, running.campaign.title, "未公布的评估"):
        assert hidden not in page
    assert reverse("campaigns_public:detail", args=[campaign.campaign.pk]) in page
    assert "临教督〔2026〕5号" in page  # the draw's seed
    assert county_url(w, "evaluation", evaluation.pk) in page
    assert "/p/complaints/new/" in page and f"county={w.office.region.code}" in page


def test_zones_and_the_phones_the_public_may_see(county, client):
    w = county
    page = client.get(county_url(w)).content.decode()
    # The zone, its leader and inspectors; the mobile only with consent, else the office's.
    for name in ("第一责任区", "李组长", "张督学", "赵督学"):
        assert name in page
    assert "13900000001" in page  # 张督学 agreed
    assert w.other_inspector.phone not in page and w.leader.phone not in page
    assert page.count("0571-87001234") >= 3  # the office's number, also for two inspectors
    rows = public_views.zones_with_inspectors(w.office)
    assert rows[0]["inspectors"][0]["name"] == "李组长"  # the leader first
    assert {p["name"]: p["phone"] for p in rows[0]["inspectors"]} == {
        "李组长": "0571-87001234",
        "张督学": "13900000001",
        "赵督学": "0571-87001234",
    }
    assert w.foreign_inspector.name not in page


def test_without_a_public_number_no_phone_is_shown(world, client):
    page = client.get(county_url(world)).content.decode()
    assert world.other_inspector.phone not in page and world.inspector.phone not in page


def test_unknown_counties_and_other_counties_documents(world, client):
    assert client.get(reverse("bulletins_public:county", args=["999999"])).status_code == 404
    township = world.school.office.region.children.first()
    if township is not None:
        assert (
            client.get(reverse("bulletins_public:county", args=[township.code])).status_code == 404
        )
    foreign = services.publish_bulletin(
        world.other_admin,
        services.create_bulletin(
            world.other_admin,
            world.other_office,
            kind=Kind.BULLETIN,
            title="玄武通报",
            body="正文",
            publish_on_public_page=True,
        ),
    )
    assert client.get(county_url(world, "bulletin", foreign.pk)).status_code == 404
    other_code = world.other_office.region.code
    url = reverse("bulletins_public:bulletin", args=[other_code, foreign.pk])
    assert client.get(url).status_code == 200
    hidden = publish(world)
    assert client.get(county_url(world, "bulletin", hidden.pk)).status_code == 404
    draft = write(world, publish_on_public_page=True)
    assert client.get(county_url(world, "bulletin", draft.pk)).status_code == 404


def test_public_document_page(world, client):
    bulletin = shown(world)
    page = client.get(county_url(world, "bulletin", bulletin.pk)).content.decode()
    assert bulletin.title in page and bulletin.number in page
    assert "一、总体情况" in page and world.office.name in page


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def attach(world, bulletin, name="名单.pdf", content=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return services.add_attachment(
        world.admin, bulletin, SimpleUploadedFile(name, content, "application/pdf")
    )


def attachment_url(world, bulletin, attachment):
    return county_url(world, "attachment", bulletin.pk, attachment.pk)


def test_a_public_document_s_attachments_are_downloads(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = write(world, publish_on_public_page=True)
    attachment = attach(world, draft, name="名单<i>.pdf")
    bulletin = services.publish_bulletin(world.admin, draft)
    page = client.get(county_url(world, "bulletin", bulletin.pk)).content.decode()
    url = attachment_url(world, bulletin, attachment)
    assert f'href="{url}"' in page
    assert "名单&lt;i&gt;" in page and "<i>" not in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Robots-Tag"] == "noindex"


def test_attachments_only_of_documents_shown_publicly(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = write(world, publish_on_public_page=True)
    in_draft = attach(world, draft)
    assert client.get(attachment_url(world, draft, in_draft)).status_code == 404
    hidden_draft = write(world, title="不公开的通报")
    hidden_file = attach(world, hidden_draft)
    hidden = services.publish_bulletin(world.admin, hidden_draft)
    assert client.get(attachment_url(world, hidden, hidden_file)).status_code == 404
    shown_bulletin = services.publish_bulletin(world.admin, draft)
    assert client.get(attachment_url(world, shown_bulletin, in_draft)).status_code == 200
    # another document's attachment through this document's address
    assert client.get(attachment_url(world, shown_bulletin, hidden_file)).status_code == 404
    # another county's address
    other = reverse(
        "bulletins_public:attachment",
        args=[world.other_office.region.code, shown_bulletin.pk, in_draft.pk],
    )
    assert client.get(other).status_code == 404
    # withdrawn: gone from the public page, and its files with it
    services.withdraw_bulletin(
        world.admin, shown_bulletin, expected_version=shown_bulletin.version, note="有误"
    )
    assert client.get(attachment_url(world, shown_bulletin, in_draft)).status_code == 404


def test_a_stored_type_the_upload_checks_refuse_is_not_served(world, client, settings, tmp_path):
    from dudao.bulletins.models import BulletinAttachment

    settings.MEDIA_ROOT = tmp_path
    draft = write(world, publish_on_public_page=True)
    attachment = attach(world, draft)
    bulletin = services.publish_bulletin(world.admin, draft)
    BulletinAttachment.objects.filter(pk=attachment.pk).update(content_type="text/html")
    assert client.get(attachment_url(world, bulletin, attachment)).status_code == 404
    assert not public_views.servable(BulletinAttachment(content_type="text/html", kind="document"))
    assert not public_views.servable(
        BulletinAttachment(content_type="application/pdf", kind="image")
    )


def test_list_of_documents_is_paged(world, client):
    for n in range(public_views.LATEST + 2):
        shown(world, title=f"通报第{n}号")
    page = client.get(county_url(world)).content.decode()
    assert page.count("通报第") == public_views.LATEST
    assert county_url(world, "bulletins") in page
    listing = client.get(county_url(world, "bulletins"))
    assert len(listing.context["page"]) == public_views.LATEST + 2


def test_evaluation_ranking(world, client):
    a, b, c, d, e = (SchoolFactory(office=world.office, name=f"{n}小学") for n in "甲乙丙丁戊")
    evaluation = published_round(
        world,
        results=[
            (a, "86.5", "良好", False),
            (b, "92", "优秀", False),
            (c, "86.5", "良好", False),
            (d, "95", "", True),  # vetoed: after every other, no rank
            (e, None, "", False),
        ],
    )
    rows = public_views.ranking(RoundTarget.objects.unscoped().filter(round=evaluation))
    assert [(r["target"].name, r["rank"]) for r in rows] == [
        ("乙小学", 1),
        ("甲小学", 2),
        ("丙小学", 2),
        ("丁小学", None),
        ("戊小学", None),
    ]
    page = client.get(county_url(world, "evaluation", evaluation.pk)).content.decode()
    assert "乙小学" in page and "92" in page and "86.5" in page
    draft = Round.objects.unscoped().create(
        office=world.office, framework=evaluation.framework, title="准备中", year=2026
    )
    assert client.get(county_url(world, "evaluation", draft.pk)).status_code == 404
    other = reverse(
        "bulletins_public:evaluation", args=[world.other_office.region.code, evaluation.pk]
    )
    assert client.get(other).status_code == 404


def test_every_public_text_is_escaped(world, client):
    office = world.office
    office.name, office.address, office.email = XSS, XSS, "x@example.cn"
    office.hotline = XSS[:30]
    office.save()
    ZoneFactory(office=office, name=XSS)
    world.inspector.name = XSS
    world.inspector.save()
    bulletin = shown(world, title=XSS, body=f"一、{XSS}\n{XSS}")
    campaign = build_campaign(world, title=XSS).campaign
    Campaign.objects.unscoped().filter(pk=campaign.pk).update(draw_seed=XSS)
    set_status(campaign, Campaign.Status.PUBLISHED)
    evaluation = published_round(
        world,
        title=XSS,
        results=[(SchoolFactory(office=office, name=XSS[:50]), "90", XSS[:20], False)],
    )
    for url in (
        county_url(world),
        county_url(world, "bulletins"),
        county_url(world, "bulletin", bulletin.pk),
        county_url(world, "evaluation", evaluation.pk),
    ):
        page = client.get(url).content.decode()
        assert "<script>" not in page, url
        assert "&lt;script&gt;" in page, url


@override_settings(PUBLIC_PAGE_REQUEST_RATE=3)
def test_rate_limited(world, client):
    url = county_url(world)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert client.get(county_url(world, "bulletins")).status_code == 429


@override_settings(PUBLIC_PAGE_RATE=2)
def test_many_counties_from_one_address_are_limited(world, client):
    codes = [world.office.region.code, world.other_office.region.code, "330103"]
    statuses = [client.get(reverse("bulletins_public:county", args=[c])).status_code for c in codes]
    assert statuses == [200, 200, 429]


def test_query_count_does_not_grow(world, client, django_assert_max_num_queries):
    def grow():
        zone = ZoneFactory(office=world.office, name=f"责任区{Round.objects.unscoped().count()}")
        for n in range(3):
            InspectorFactory(office=world.office, zone=zone, name=f"督学{zone.pk}{n}")
        shown(world)
        campaign = build_campaign(world).campaign
        set_status(campaign, Campaign.Status.PUBLISHED)
        CampaignTarget.objects.unscoped().filter(campaign=campaign).count()
        published_round(world, results=[(world.school, "90", "优秀", False)])

    grow()
    with django_assert_max_num_queries(8) as first:
        client.get(county_url(world))
    grow()
    grow()
    with django_assert_max_num_queries(len(first)):
        client.get(county_url(world))
