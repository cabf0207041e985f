"""The county's public page (issue 14 §5), under /p/county/<county code>/ where no login is
needed (dudao/core/middleware.py): a phone-sized page with the supervision office's
contacts, its zones and their inspectors, the documents it chose to publish, the results of
its published campaigns (双随机、一公开: the seed here, the outcomes on the campaign's own
page) and evaluation rounds, and the way to the complaint form.

Everything shown is public already or published by the office: inspectors' names and the
phone the public may see (`Inspector.public_phone`: the mobile only with the inspector's
consent, else the office's public number, as on the school page). Every query is unscoped
on purpose and filtered to the county's office and to what is published. Rate limited per
client address, as the school page (`dudao.core.ratelimit`); every text escaped by the
templates."""

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control

from dudao.audit.middleware import client_ip
from dudao.campaigns.models import Campaign
from dudao.core import files, ratelimit
from dudao.core.paging import paginate
from dudao.evaluations.models import Round, RoundTarget
from dudao.inspectors.models import Inspector, Zone
from dudao.organisations.models import Office, Region

from . import document
from .models import Bulletin, BulletinAttachment

LATEST = 5  # documents on the county page; the rest on its list
LATEST_RESULTS = 10  # campaigns and evaluation rounds on the county page
PUBLIC_PAGE_SIZE = 20
COMPLAINT_PATH = "/p/complaints/new/"  # the complaint form (dudao.complaints), by path


def _wait(request, code: str) -> int:
    address = client_ip(request) or "unknown"
    return ratelimit.count(
        "public-county", address, settings.PUBLIC_PAGE_REQUEST_RATE
    ) or ratelimit.count_distinct("public-county-codes", address, code, settings.PUBLIC_PAGE_RATE)


def _too_many(request, wait: int):
    response = render(request, "bulletins/public/too_many.html", {"seconds": wait}, status=429)
    response["Retry-After"] = str(wait)
    patch_cache_control(response, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def _public(response):
    patch_cache_control(response, public=True, max_age=300)
    response["X-Robots-Tag"] = "noindex"
    return response


def _office(code: str) -> Office:
    """The supervision office of the county `code` (404 if none)."""
    office = (
        # Public (no login): an office is found by its county's division code.
        Office.objects.filter(region__code=code, region__level=Region.Level.COUNTY)
        .select_related("region")
        .first()
    )
    if office is None:
        raise Http404
    return office


def public_bulletins(office):
    """The documents the office publishes on its public page: published, not withdrawn."""
    return Bulletin.objects.unscoped().filter(
        office=office, status=Bulletin.Status.PUBLISHED, publish_on_public_page=True
    )


def complaint_url(office) -> str:
    """The complaint form, told the county (its own URL name once it exists, else its
    path)."""
    try:
        path = reverse("complaints_public:new")
    except NoReverseMatch:
        path = COMPLAINT_PATH
    return f"{path}?county={office.region.code}"


def zones_with_inspectors(office) -> list[dict]:
    """Each zone with its leader (组长, whatever zone the leader's own record names) and its
    active inspectors, the leader first, each with the phone the public may see. Two
    queries."""
    zones = list(Zone.objects.unscoped().filter(office=office).order_by("pk"))
    leaders = {zone.leader_id for zone in zones if zone.leader_id}
    people = {
        inspector.pk: inspector
        for inspector in Inspector.objects.unscoped()
        .filter(Q(zone__in=zones) | Q(pk__in=leaders), office=office, is_active=True)
        .order_by("name", "pk")
    }
    rows = []
    for zone in zones:
        members = [p for p in people.values() if p.zone_id == zone.pk and p.pk != zone.leader_id]
        leader = people.get(zone.leader_id)
        if leader is not None:
            members.insert(0, leader)
        rows.append(
            {
                "zone": zone,
                "inspectors": [
                    {
                        "name": person.name,
                        "is_leader": person.pk == zone.leader_id,
                        "phone": person.public_phone(office),
                    }
                    for person in members
                ],
            }
        )
    return rows


def county_page(request, code):
    wait = _wait(request, code)
    if wait:
        return _too_many(request, wait)
    office = _office(code)
    bulletins = list(public_bulletins(office).order_by("-published_at", "-pk")[: LATEST + 1])
    campaigns = list(
        # Public: the office's published campaigns (一公开).
        Campaign.objects.unscoped()
        .filter(office=office, status=Campaign.Status.PUBLISHED)
        .annotate(schools=Count("targets"))
        .order_by("-published_at", "-pk")[:LATEST_RESULTS]
    )
    rounds = list(
        # Public: the office's published evaluation rounds.
        Round.objects.unscoped()
        .filter(office=office, stage=Round.Stage.PUBLISHED)
        .annotate(targets_count=Count("targets"))
        .order_by("-published_at", "-pk")[:LATEST_RESULTS]
    )
    response = render(
        request,
        "bulletins/public/county.html",
        {
            "office": office,
            "county": office.region,
            "zones": zones_with_inspectors(office),
            "bulletins": bulletins[:LATEST],
            "more_bulletins": len(bulletins) > LATEST,
            "campaigns": campaigns,
            "rounds": rounds,
            "complaint_url": complaint_url(office),
        },
    )
    return _public(response)


def county_bulletins(request, code):
    wait = _wait(request, code)
    if wait:
        return _too_many(request, wait)
    office = _office(code)
    page, query = paginate(
        request,
        public_bulletins(office).order_by("-published_at", "-pk"),
        per_page=PUBLIC_PAGE_SIZE,
    )
    response = render(
        request,
        "bulletins/public/bulletins.html",
        {"office": office, "county": office.region, "page": page, "query": query},
    )
    return _public(response)


def county_bulletin(request, code, pk):
    wait = _wait(request, code)
    if wait:
        return _too_many(request, wait)
    office = _office(code)
    bulletin = public_bulletins(office).filter(pk=pk).first()
    if bulletin is None:
        raise Http404
    attachments = [
        {"title": document.attachment_title(a), "attachment": a}
        for a in BulletinAttachment.objects.filter(bulletin=bulletin).order_by("created_at", "pk")
    ]
    response = render(
        request,
        "bulletins/public/bulletin.html",
        {
            "office": office,
            "county": office.region,
            "item": bulletin,
            "parts": document.sections(bulletin.body),
            "attachments": attachments,
        },
    )
    return _public(response)


def servable(attachment: BulletinAttachment) -> bool:
    """A stored attachment the public may download: its recorded type is one
    `core.files.check_upload` accepts (checked by content when it was added), of the kind
    it was stored as. A row that says otherwise (edited by hand, an older rule) is not
    served."""
    allowed = files.ALLOWED_TYPES.get(attachment.content_type)
    return allowed is not None and allowed[0] == attachment.kind


def county_attachment(request, code, pk, attachment):
    """An attachment of a document the office published on its public page (附件): a
    download named as uploaded (photos shown inline), `nosniff`, never indexed. 404 unless
    the document is this county's, published, not withdrawn and shown publicly."""
    wait = _wait(request, code)
    if wait:
        return _too_many(request, wait)
    office = _office(code)
    item = (
        BulletinAttachment.objects.filter(
            pk=attachment, bulletin__in=public_bulletins(office).filter(pk=pk)
        )
        .select_related("bulletin")
        .first()
    )
    if item is None or not servable(item):
        raise Http404
    response = files.file_response(item.file, item.content_type, item.original_name)
    response["Cache-Control"] = "public, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def ranking(targets) -> list[dict]:
    """A published round's targets in order: by total, highest first; then those vetoed
    (一票否决, no rank), then those without a result; equal totals share a rank (1, 2, 2, 4)."""

    def key(target):
        total = target.total or 0
        return (target.total is None, target.vetoed, -total, target.position, target.pk)

    rows, rank, previous = [], 0, None
    for index, target in enumerate(sorted(targets, key=key), 1):
        if target.vetoed or target.total is None:
            shown = None
        else:
            if previous is None or target.total != previous:
                rank = index
            previous = target.total
            shown = rank
        rows.append({"target": target, "rank": shown})
    return rows


def county_evaluation(request, code, pk):
    wait = _wait(request, code)
    if wait:
        return _too_many(request, wait)
    office = _office(code)
    evaluation = (
        # Public: a published round of this county's office only.
        Round.objects.unscoped()
        .filter(office=office, stage=Round.Stage.PUBLISHED, pk=pk)
        .select_related("framework")
        .first()
    )
    if evaluation is None:
        raise Http404
    targets = (
        RoundTarget.objects.unscoped().filter(round=evaluation).select_related("school", "unit")
    )
    response = render(
        request,
        "bulletins/public/evaluation.html",
        {
            "office": office,
            "county": office.region,
            "round": evaluation,
            "rows": ranking(targets),
        },
    )
    return _public(response)
