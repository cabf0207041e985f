"""The document of a bulletin, notice or briefing (GB/T 9704): its 版头 (the office, the
number, the red line), title, 主送, "一、" headings, 附件 and 落款 in Word and PDF; rendered
once in LibreOffice (A4, about 28 characters a line, the 落款 on one page, the 版头 first);
a fixed number of queries."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from dudao.bulletins import document, services
from dudao.bulletins.models import Audience, Kind
from dudao.reports import exporter
from dudao.reports.exporter import long_date
from tests.factories import SchoolFactory
from tests.reports.helpers import body, docx_text
from tests.reports.test_documents_layout import (
    assert_layout,
    assert_serif_fallback,
    assert_word_rules,
    render,
)

from .conftest import BODY, publish, write

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def prefixed(world):
    world.office.document_prefix = "上督"
    world.office.save()
    return world


@pytest.fixture
def bulletin(prefixed):
    draft = write(prefixed)
    for name in ("“双减”专项督导问题清单.pdf", "整改情况报告表.pdf"):
        services.add_attachment(
            prefixed.admin,
            draft,
            SimpleUploadedFile(name, PDF + name.encode(), "application/pdf"),
        )
    return publish(prefixed, draft)


def zh(text):
    with translation.override("zh-hans"):
        return _(text)


def test_sections_from_the_text():
    parts = document.sections(BODY)
    assert [p.heading for p in parts] == ["", "一、总体情况", "二、存在问题", "三、工作要求"]
    assert parts[0].paragraphs[0].startswith("为贯彻落实")
    long_line = "一、" + "很长的一句话" * 10
    assert document.sections(long_line)[0].heading == ""  # a paragraph, not a heading
    assert document.sections("\n\n  \n") == []


def test_attachment_lines():
    assert document.attachment_lines([]) == []
    with translation.override("zh-hans"):
        lines = document.attachment_lines(["名单", "报告表"])
    assert lines[0].endswith("1. 名单") and lines[1] == "\u3000\u3000\u30002. 报告表"


def test_word_document(world, client, bulletin):
    client.force_login(world.school_user)
    response = client.get(reverse("bulletins:document", args=[bulletin.pk, "docx"]))
    assert response.status_code == 200
    text = docx_text(body(response))
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == world.office.name  # the 版头
    assert lines[1] == "上督通〔2026〕1号"
    assert lines[2] == bulletin.title
    assert lines[3] == zh("All schools and kindergartens") + "："
    for heading in ("一、总体情况", "二、存在问题", "三、工作要求"):
        assert heading in lines
    assert any(line.endswith("1. “双减”专项督导问题清单") for line in lines)
    assert "\u3000\u3000\u30002. 整改情况报告表" in lines
    assert lines[-2:] == [world.office.name, long_date(bulletin.published_at.date())]
    assert (
        "上督通〔2026〕1号" in response["Content-Disposition"]
        or "filename*" in response["Content-Disposition"]
    )


def test_recipient_lines(world):
    names = {
        Audience.ZONE: zh("The schools of %(zone)s") % {"zone": "第一责任区"},
        Audience.INSPECTORS: zh("Every inspector"),
    }
    for audience, expected in names.items():
        fields = {"zone": world.zone} if audience == Audience.ZONE else {}
        built = exporter.build(
            document.NAME, world.admin, publish(world, audience=audience, **fields).pk
        )
        assert built.recipient == expected
    few = publish(world, audience=Audience.SCHOOLS, schools=[world.school, world.far_school])
    assert exporter.build(document.NAME, world.admin, few.pk).recipient == "湖滨小学、城东中学"
    many = [SchoolFactory(office=world.office) for _ in range(document.NAMED_SCHOOLS + 1)]
    lots = publish(world, audience=Audience.SCHOOLS, schools=many)
    assert exporter.build(document.NAME, world.admin, lots.pk).recipient == zh(
        "The schools concerned"
    )
    briefing = publish(world, kind=Kind.BRIEFING, title="督导简报", topic="work")
    built = exporter.build(document.NAME, world.admin, briefing.pk)
    assert built.recipient == "" and built.number == "〔2026〕第1期"
    assert built.masthead == zh("%(county)s Education Supervision Briefing") % {"county": "上城区"}


def test_a_draft_shows_no_number_yet(world):
    built = exporter.build(document.NAME, world.admin, write(world).pk)
    assert built.figures["number"] == ""
    assert built.number == zh("(numbered on publication)")


def test_pdf(world, client, bulletin):
    client.force_login(world.admin)
    response = client.get(reverse("bulletins:document", args=[bulletin.pk, "pdf"]))
    assert response.status_code == 200
    assert body(response).startswith(b"%PDF")
    assert client.get(reverse("bulletins:document", args=[bulletin.pk, "xlsx"])).status_code == 404


def test_renders_in_libreoffice(world, client, bulletin, tmp_path):
    client.force_login(world.admin)
    content = body(client.get(reverse("bulletins:document", args=[bulletin.pk, "docx"])))
    assert_word_rules(content)
    rendered = render(content, tmp_path, "bulletin")
    assert_layout(rendered, office=world.office.name, date=long_date(bulletin.published_at.date()))
    assert_serif_fallback(rendered)
    lines = [re.sub(r"\s+", "", line["text"]) for line in rendered["pages"][0]["lines"]]
    # The 版头 opens the first page: the office, the number, then the title.
    assert lines[0] == world.office.name
    assert lines.index("上督通〔2026〕1号") < lines.index(re.sub(r"\s+", "", bulletin.title))
    assert "一、总体情况" in lines


def test_briefing_renders_in_libreoffice(world, client, tmp_path):
    briefing = publish(world, kind=Kind.BRIEFING, title="全县“双减”督导工作简报", topic="work")
    client.force_login(world.admin)
    content = body(client.get(reverse("bulletins:document", args=[briefing.pk, "docx"])))
    rendered = render(content, tmp_path, "briefing")
    assert_layout(rendered, office=world.office.name, date=long_date(briefing.published_at.date()))
    lines = [re.sub(r"\s+", "", line["text"]) for line in rendered["pages"][0]["lines"]]
    masthead = zh("%(county)s Education Supervision Briefing") % {"county": "上城区"}
    assert lines[0] == re.sub(r"\s+", "", masthead)
    assert lines[1] == "〔2026〕第1期"


def test_query_count_is_fixed(world):
    bulletin = publish(world, audience=Audience.SCHOOLS, schools=[world.school])

    def count(pk):
        with CaptureQueriesContext(connection) as queries:
            exporter.build(document.NAME, world.admin, pk)
        return len(queries)

    small = count(bulletin.pk)
    many = publish(
        world,
        audience=Audience.SCHOOLS,
        schools=[SchoolFactory(office=world.office) for _ in range(12)],
    )
    assert count(many.pk) == small <= 5
