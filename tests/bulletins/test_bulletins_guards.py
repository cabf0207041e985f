"""Who may write and who reads what: the office admin of the document's office writes,
publishes, withdraws, reminds and switches the public page; every other role, the other
county and the superuser are refused and nothing is written. A school reads only the
documents sent to it, an inspector those sent to the inspectors; drafts are the office's;
the other county's documents are not found (404)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.accounts.scoping import bulletin_reads_for, bulletin_recipients_for, bulletins_for
from dudao.audit.models import AuditEntry
from dudao.bulletins import services
from dudao.bulletins.models import (
    Audience,
    Bulletin,
    BulletinAttachment,
    BulletinEvent,
    BulletinRead,
    BulletinRecipient,
    Kind,
)
from dudao.core.errors import NotPermitted
from dudao.notifications.models import Notification

from .conftest import publish, write

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def rows():
    return (
        Bulletin.objects.unscoped().count(),
        Bulletin.objects.unscoped().filter(status="draft").count(),
        BulletinRecipient.objects.unscoped().count(),
        BulletinEvent.objects.count(),
        BulletinAttachment.objects.count(),
        Notification.objects.unscoped().count(),
        AuditEntry.objects.unscoped().count(),
    )


@pytest.mark.parametrize(
    "role", ["zone_leader", "inspector", "school", "viewer", "other_admin", "superuser"]
)
def test_only_the_office_admin_writes(world, role):
    actor = world.personas()[role]
    draft = write(world)
    attachment = services.add_attachment(
        world.admin, draft, SimpleUploadedFile("名单.pdf", PDF, "application/pdf")
    )
    published = publish(world)
    before = rows()
    fields = {"kind": Kind.BULLETIN, "title": "x", "body": "y"}
    calls = [
        lambda: services.create_bulletin(actor, world.office, **fields),
        lambda: services.update_bulletin(actor, draft, **fields),
        lambda: services.add_attachment(
            actor, draft, SimpleUploadedFile("b.pdf", PDF + b" ", "application/pdf")
        ),
        lambda: services.delete_attachment(actor, attachment),
        lambda: services.publish_bulletin(actor, draft),
        lambda: services.withdraw_bulletin(actor, published, note="x"),
        lambda: services.set_public(actor, published, True),
        lambda: services.remind_unread(actor, published),
    ]
    for call in calls:
        with pytest.raises(NotPermitted):
            call()
    assert rows() == before


def test_scopes(world, to_schools, to_zone):
    draft = write(world)
    inspectors = publish(world, audience=Audience.INSPECTORS, title="督学工作通知")
    chosen = publish(world, audience=Audience.SCHOOLS, schools=[world.far_school])
    foreign = services.publish_bulletin(
        world.other_admin,
        services.create_bulletin(
            world.other_admin, world.other_office, kind=Kind.BULLETIN, title="玄武通报", body="正文"
        ),
    )
    withdrawn = services.withdraw_bulletin(world.admin, publish(world), note="撤回")

    def seen(user):
        return set(bulletins_for(user).values_list("pk", flat=True))

    mine = {to_schools.pk, to_zone.pk, inspectors.pk, chosen.pk, draft.pk, withdrawn.pk}
    assert seen(world.admin) == mine
    assert seen(world.viewer) == mine - {draft.pk}
    assert seen(world.school_user) == {to_schools.pk, to_zone.pk}
    assert seen(world.inspector_user) == {inspectors.pk}
    assert seen(world.zone_leader) == {inspectors.pk}
    assert seen(world.other_admin) == {foreign.pk}
    assert seen(world.superuser) == mine | {foreign.pk}
    recipient_schools = set(
        bulletin_recipients_for(world.school_user).values_list("school_id", flat=True)
    )
    assert recipient_schools == {world.school.pk}
    services.mark_read(world.school_user, to_schools)
    assert bulletin_reads_for(world.school_user).count() == 1
    assert bulletin_reads_for(world.inspector_user).count() == 0
    assert bulletin_reads_for(world.admin).count() == 1
    assert bulletin_reads_for(world.other_admin).count() == 0
    assert BulletinRead.objects.visible_to(world.viewer).count() == 1


def test_pages_answer_404_out_of_scope(world, client, to_zone):
    chosen = publish(world, audience=Audience.SCHOOLS, schools=[world.far_school])
    draft = write(world)
    expected = {
        world.school_user: {to_zone: 200, chosen: 404, draft: 404},
        world.inspector_user: {to_zone: 404, chosen: 404, draft: 404},
        world.other_admin: {to_zone: 404, chosen: 404, draft: 404},
        world.viewer: {to_zone: 200, chosen: 200, draft: 404},
        world.admin: {to_zone: 200, chosen: 200, draft: 200},
    }
    for user, answers in expected.items():
        client.force_login(user)
        for bulletin, status in answers.items():
            url = reverse("bulletins:detail", args=[bulletin.pk])
            assert client.get(url).status_code == status, (user, bulletin.title)
            docx = reverse("bulletins:document", args=[bulletin.pk, "docx"])
            assert client.get(docx).status_code == status, (user, bulletin.title, "docx")


def test_attachments_follow_their_document(world, client):
    draft = write(world, audience=Audience.ZONE, zone=world.zone)
    attachment = services.add_attachment(
        world.admin, draft, SimpleUploadedFile("名单.pdf", PDF, "application/pdf")
    )
    url = reverse("bulletins:attachment", args=[attachment.pk])
    client.force_login(world.school_user)
    assert client.get(url).status_code == 404  # a draft
    publish(world, draft)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(world.other_admin)
    assert client.get(url).status_code == 404
