"""The rectification requirement (整改要求) of a finding recorded on the visit form: asked
beside each item's finding, required on submit for 限期整改, a default for 立行立改 left
empty, kept with the draft, shown on the visit and printed in the rectification notice."""

from django.urls import reverse
from django.utils import translation

from dudao.rectification import services as rectification
from dudao.rectification.models import Finding
from dudao.reports import exporter
from dudao.visits import services
from dudao.visits.models import AreaCheck, Visit
from tests.reports.helpers import body, docx_tables
from tests.visits.test_visit_findings import draft_with_photos, form_data, in_days

REQUIREMENT = "补齐留样记录，建立专人负责制度"


def submit(client, visit, data):
    return client.post(reverse("visits:edit", args=[visit.pk]), data)


def test_the_requirement_reaches_the_finding(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    response = submit(client, visit, form_data(visit, files))
    assert response.status_code == 302
    findings = {f.area: f for f in Finding.objects.unscoped().filter(visit=visit)}
    assert findings[7].required_action == REQUIREMENT
    # 立行立改 left empty: the default requirement, in the office's language
    with translation.override("zh-hans"):
        default = str(services.ON_THE_SPOT_REQUIREMENT)
    assert findings[6].required_action == default == services.on_the_spot_requirement()


def test_the_default_is_in_the_office_language_whatever_the_screen_speaks(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    client.cookies["django_language"] = "en"
    assert submit(client, visit, form_data(visit, files)).status_code == 302
    finding = Finding.objects.unscoped().get(visit=visit, area=6)
    assert finding.required_action == services.on_the_spot_requirement()


def test_a_requirement_written_for_on_the_spot_is_kept(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    data = form_data(visit, files, area_6_required_action="  当场清理通道杂物  ")
    assert submit(client, visit, data).status_code == 302
    finding = Finding.objects.unscoped().get(visit=visit, area=6)
    assert finding.required_action == "当场清理通道杂物"


def test_by_a_deadline_without_a_requirement_is_refused_on_submit(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    data = form_data(visit, files, area_7_required_action="  ")
    response = submit(client, visit, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["area_7_required_action"]
    body_text = response.content.decode()
    assert 'aria-invalid="true"' in body_text
    assert 'id="id_area_7_required_action_error"' in body_text
    visit.refresh_from_db()
    assert visit.is_draft and not Finding.objects.unscoped().exists()
    # what was typed stays in the page
    assert "食堂留样记录不全" in body_text


def test_a_draft_may_leave_the_requirement_for_later(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    data = form_data(visit, files, area_7_required_action="")
    del data["submit"]
    data["save"] = "1"
    assert submit(client, visit, data).status_code == 302
    autosave = client.post(reverse("visits:autosave", args=[world.school.pk]), data)
    assert "autosave-ok" in autosave.content.decode()
    # the requirement typed later is kept with the draft and shown again
    data["area_7_required_action"] = REQUIREMENT
    assert submit(client, visit, data).status_code == 302
    check = AreaCheck.objects.get(visit=visit, area=7)
    assert check.planned_finding["required_action"] == REQUIREMENT
    page = client.get(reverse("visits:edit", args=[visit.pk]))
    assert page.context["form"]["area_7_required_action"].value() == REQUIREMENT
    assert f">\n{REQUIREMENT}</textarea>" in page.content.decode()


def test_the_visit_page_shows_the_requirement(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    response = submit(client, visit, form_data(visit, files))
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="required-action-7"' in page
    assert REQUIREMENT in page


def test_the_notice_prints_the_requirement_of_a_finding_made_on_the_visit_form(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    submit(client, visit, form_data(visit, files))
    visit = Visit.objects.unscoped().get(pk=visit.pk)
    assert visit.status == Visit.Status.SUBMITTED
    finding = Finding.objects.unscoped().get(visit=visit, area=7)
    notice = rectification.issue_notice(
        world.inspector_user, [finding], expected_versions={finding.pk: finding.version}
    )
    # the builder's table: 序号, 督导事项, 存在问题, 整改要求, 整改期限
    report = exporter.build("notice", world.inspector_user, notice)
    rows = report.sections[0].tables[0].rows
    assert [row[2:4] for row in rows] == [["食堂留样记录不全", REQUIREMENT]]
    # and the Word file the school receives
    response = client.get(reverse("reports:notice_docx", args=[notice.pk]))
    assert response.status_code == 200
    table = docx_tables(body(response))[0]
    assert table[1][2] == "食堂留样记录不全"
    assert table[1][3] == REQUIREMENT
    assert notice.deadline == in_days(14)
