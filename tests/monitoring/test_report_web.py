"""The exports: the 校际差异系数表 XLSX, the DOCX monitoring report, the template."""

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from dudao.monitoring import services
from dudao.monitoring.fields import HEADERS

from .webdata import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(world):
    seed(world)
    return world


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_xlsx_table_contains_the_figures(seeded, client):
    ruleset = services.default_ruleset(seeded.office, "basic")
    result = services.evaluate_year(seeded.office, 2025, ruleset)
    client.force_login(seeded.admin)
    response = client.get(f"/monitoring/2025/rules/{ruleset.pk}/table.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert "校际差异系数表" in workbook.sheetnames
    values = [c for row in workbook["校际差异系数表"].iter_rows(values_only=True) for c in row]
    text = " ".join(str(v) for v in values if v is not None)
    assert "生均教学及辅助用房面积" in text and "综合差异系数" in text
    cv = result.levels["primary"].composite_cv_rounded
    assert any(isinstance(v, float) and abs(v - cv) < 1e-6 for v in values) or str(cv) in text


def test_viewer_can_export_for_an_office_in_scope(seeded, client):
    ruleset = services.default_ruleset(seeded.office, "quality")
    client.force_login(seeded.viewer)
    url = f"/monitoring/2025/rules/{ruleset.pk}/table.xlsx?office={seeded.office.pk}"
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("regime", ["basic", "quality"])
def test_docx_report_opens_and_contains_the_figures(seeded, client, regime):
    ruleset = services.default_ruleset(seeded.office, regime)
    result = services.evaluate_year(seeded.office, 2025, ruleset)
    client.force_login(seeded.admin)
    response = client.get(f"/monitoring/2025/rules/{ruleset.pk}/report.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = docx_text(response.content)
    assert seeded.office.name in text
    # Official text names the rule set by its Chinese title, not its internal name.
    assert result.rule_set["title"] in text
    assert ruleset.name not in text and f"版本{ruleset.version}" not in text
    level = result.levels["primary"]
    assert level.indicators[0].label in text
    assert f"{level.indicators[0].cv_rounded:.3f}" in text
    if regime == "basic":
        assert f"{level.composite_cv_rounded:.3f}" in text
    assert "2024" in text  # the trend section


def test_template_download_has_the_headers(seeded, client):
    client.force_login(seeded.admin)
    response = client.get("/monitoring/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert tuple(c.value for c in sheet[1]) == HEADERS


def test_docx_report_renders_in_libreoffice(seeded, client, tmp_path):
    """The monitoring report in a real reader: A4 pages with the office and the figures."""
    from tests.libreoffice import rendered, squeezed

    ruleset = services.default_ruleset(seeded.office, "basic")
    client.force_login(seeded.admin)
    response = client.get(f"/monitoring/2025/rules/{ruleset.pk}/report.docx")
    page = rendered(response.content, tmp_path, "monitoring")
    assert page.is_a4_portrait
    assert page.pages >= 1
    assert squeezed(seeded.office.name) in squeezed(page.text)
