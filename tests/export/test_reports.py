"""Every report, from a real server's data through a real client core, opened again:
PDF text (pypdf), embedded fonts, paper sizes, the QR code (zxing-cpp), CSV rows."""

from __future__ import annotations

import csv
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import zxingcpp
from pypdf import PdfReader

from scoring_console.export import ExportError, ExportSource, ReportKind, build_report
from scoring_console.export.csv_out import write_csv
from scoring_console.export.pdf import PageSize, write_pdf
from tests.export.conftest import compact, pdf_text
from tests.export.world import World, value

SourceFor = Callable[[str], Awaitable[ExportSource]]

VOCAL_NAMES = [
    "Amelia Hart",
    "Noah Fischer",
    "Chloe Dubois",
    "Mateo García",
    "Hannah Schultz",
    "Ravi Patel",
]
JUDGE_NAMES = ["Maria Alvarez", "Kenji Watanabe", "Fatima Okafor", "Liam O'Connor", "Sofia Rossi"]


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for spreadsheet programs
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def fonts_embedded(path: Path) -> list[str]:
    """Base names of every font used; fails if one is not embedded."""
    names = []
    for page in PdfReader(path).pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            names.append(str(font["/BaseFont"]))
    return names


def qr_codes(path: Path) -> list[str]:
    """The text of every QR code in the PDF's images, page by page."""
    found = []
    for page in PdfReader(path).pages:
        for image in page.images:
            found += [b.text for b in zxingcpp.read_barcodes(image.image)]
    return found


def export(source: ExportSource, kind: ReportKind, tmp: Path, fmt: str, **scope: int) -> Path:
    report = build_report(kind, source, **scope)
    path = tmp / f"{kind.value}.{fmt}"
    if fmt == "pdf":
        write_pdf(report, path)
    else:
        write_csv(report, path)
    return path


async def test_results_pdf_and_csv(source_for: SourceFor, world: World, tmp_path: Path) -> None:
    source = await source_for("tally1")
    pdf = export(source, ReportKind.RESULTS, tmp_path, "pdf", category_id=world.vocal.id)
    text = pdf_text(pdf)
    assert "Results — Vocal Performance" in text and "Status: CERTIFIED" in text
    assert "Rule: Total = sum of the judges' totals − approved deductions" in text
    # place, number, name, score sum, deductions, total, as the server ranks them
    assert "1 106 Ravi Patel 119.25 0.00 119.25" in text
    assert "5 102 Noah Fischer 89.25 1.50 87.75" in text
    assert "Performance ran over time" in text and "Aisha Khan" in text
    for name in [*JUDGE_NAMES, "Thomas Becker", "Henrik Larsen"]:
        assert name in text
    for receipt in world.receipts.values():
        assert f"Receipt: {receipt}" in text
    assert text.count("matches") == len(world.receipts)
    assert fonts_embedded(pdf)
    assert PdfReader(pdf).pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4

    rows = read_csv(
        export(source, ReportKind.RESULTS, tmp_path, "csv", contest_id=world.vocal.contest_id)
    )
    vocal = [r for r in rows if r["category"] == "Vocal Performance"]
    assert [r["contestant"] for r in vocal] == [
        "Ravi Patel",
        "Hannah Schultz",
        "Mateo García",
        "Chloe Dubois",
        "Noah Fischer",
        "Amelia Hart",
    ]
    assert (vocal[4]["number"], vocal[4]["deductions"], vocal[4]["total"]) == (
        "102",
        "1.50",
        "87.75",
    )
    assert {r["status"] for r in vocal} == {"certified"}
    assert {r["status"] for r in rows if r["category"] == "Contemporary Dance"} == {"provisional"}


async def test_letter_paper(source_for: SourceFor, world: World, tmp_path: Path) -> None:
    source = await source_for("tally1")
    report = build_report(ReportKind.RESULTS, source, category_id=world.vocal.id)
    path = tmp_path / "letter.pdf"
    write_pdf(report, path, PageSize.LETTER)
    box = PdfReader(path).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((612, 792), abs=1)
    assert "Ravi Patel" in pdf_text(path)


async def test_filled_sheets_show_values_totals_receipts_and_a_qr_that_decodes(
    source_for: SourceFor, world: World, tmp_path: Path
) -> None:
    source = await source_for("tally1")
    pdf = export(source, ReportKind.SHEETS, tmp_path, "pdf", category_id=world.vocal.id)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 5  # one page per judge
    text = pdf_text(pdf)
    for name in JUDGE_NAMES:
        assert f"Score sheet — {name}" in text
    # Maria Alvarez (judge index 0), Ravi Patel (contestant index 5): 7.50 7.75 8.00 = 23.25
    row = [value(0, 5, k) for k in range(3)]
    assert f"106 Ravi Patel {row[0]:.2f} {row[1]:.2f} {row[2]:.2f} {sum(row):.2f}" in text
    assert "Strong finish" in text  # the comment judge1 left
    assert "Receipt check: matches the server (18 scores)" in text
    judge_receipts = {world.receipts[f"judge{i}"] for i in range(1, 6)}
    assert all(receipt in compact(text) for receipt in judge_receipts)
    assert sorted(qr_codes(pdf)) == sorted(judge_receipts)
    assert fonts_embedded(pdf)

    rows = read_csv(export(source, ReportKind.SHEETS, tmp_path, "csv", category_id=world.vocal.id))
    assert len(rows) == 5 * 6 * 3
    maria = [r for r in rows if r["judge"] == "Maria Alvarez"]
    assert {r["receipt"] for r in maria} == {world.receipts["judge1"]}
    assert maria[0]["comment"] == "Strong finish" and maria[0]["score"] == "5.00"


async def test_a_judge_gets_only_their_own_sheet_and_no_results(
    source_for: SourceFor, world: World, tmp_path: Path
) -> None:
    source = await source_for("judge2")
    pdf = export(source, ReportKind.SHEETS, tmp_path, "pdf", category_id=world.vocal.id)
    text = pdf_text(pdf)
    assert "Score sheet — Kenji Watanabe" in text and "Maria Alvarez" not in text
    assert qr_codes(pdf) == [world.receipts["judge2"]]
    with pytest.raises(ExportError, match="judges cannot export results"):
        build_report(ReportKind.RESULTS, source, category_id=world.vocal.id)


async def test_blank_paper_sheets(source_for: SourceFor, world: World, tmp_path: Path) -> None:
    source = await source_for("tally1")
    pdf = export(source, ReportKind.BLANK_SHEETS, tmp_path, "pdf", category_id=world.vocal.id)
    text = pdf_text(pdf)
    assert len(PdfReader(pdf).pages) == 5
    for name in JUDGE_NAMES:
        assert f"Paper score sheet — {name}" in text
    for number, name in zip(range(101, 107), VOCAL_NAMES, strict=True):
        assert f"{number} {name}" in text
    for criterion in ("Technique (max 10.00)", "Interpretation (max 10.00)"):
        assert criterion in text
    assert "5.20" not in text  # no score is printed on a blank sheet
    assert "Entered from paper by" in text and "Confirmed by" in text
    rows = read_csv(
        export(source, ReportKind.BLANK_SHEETS, tmp_path, "csv", category_id=world.vocal.id)
    )
    assert len(rows) == 5 * 6 * 3 and {r["score"] for r in rows} == {""}
    assert list(rows[0]) == [
        "category",
        "judge",
        "number",
        "contestant",
        "criterion",
        "max_score",
        "score",
    ]


async def test_audit_report(source_for: SourceFor, world: World, tmp_path: Path) -> None:
    source = await source_for("auditor1")
    pdf = export(source, ReportKind.AUDIT, tmp_path, "pdf", category_id=world.dance.id)
    text = pdf_text(pdf)
    box = PdfReader(pdf).pages[0].mediabox
    assert box.width > box.height  # landscape
    for phrase in (
        "reopen.requested",
        "Typed Musicality of #103 into the wrong row",
        "reopen.approved",
        "signoff.superseded",
        "Corrected from my paper notes",
        "score=8.75",
    ):
        assert phrase in text, phrase
    rows = read_csv(export(source, ReportKind.AUDIT, tmp_path, "csv", category_id=world.dance.id))
    (corrected,) = [r for r in rows if r["reason"] == "Corrected from my paper notes"]
    assert corrected["action"] == "score.updated" and corrected["actor"] == "judge1"
    assert '"score": 8.75' in corrected["new"] and len(corrected["client_id"]) == 36
    assert corrected["at"].startswith("2026-06-13T")


async def test_certification_report_lists_superseded_receipts(
    source_for: SourceFor, world: World, tmp_path: Path
) -> None:
    source = await source_for("tally1")
    pdf = export(
        source, ReportKind.CERTIFICATION, tmp_path, "pdf", contest_id=world.vocal.contest_id
    )
    text = pdf_text(pdf)
    assert "Certification — Senior Showcase" in text
    assert "Status: certified" in text and "Still to sign:" in text
    assert f"Receipt: {world.dance_receipt}" in text
    assert world.superseded_receipt in compact(text)
    assert "Superseded receipts (sheet reopened)" in text
    rows = read_csv(
        export(source, ReportKind.CERTIFICATION, tmp_path, "csv", contest_id=world.vocal.contest_id)
    )
    assert [r["step"] for r in rows if r["category"] == "Vocal Performance"] == (
        ["judge"] * 5 + ["tally master", "auditor", "board"]
    )
    assert {r["check"] for r in rows} == {"matches"}


async def test_scope_errors_are_clear(source_for: SourceFor, world: World) -> None:
    source = await source_for("tally1")
    with pytest.raises(ExportError, match="category 999 is not one this account can see"):
        build_report(ReportKind.RESULTS, source, category_id=999)
    with pytest.raises(ExportError, match="per category"):
        build_report(ReportKind.SHEETS, source, contest_id=world.vocal.contest_id)
    with pytest.raises(ExportError, match="which category"):
        build_report(ReportKind.AUDIT, source)
