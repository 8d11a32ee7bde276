"""``scoring-cli export`` and ``verify-receipt`` as a black box against a server process."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from pypdf import PdfReader

from tests.client.integration.test_cli import Cli
from tests.export.conftest import pdf_text
from tests.export.world import World
from tests.helpers.server_process import ServerProcess


@pytest.fixture
def world_cli(world_dir: tuple[Path, World], tmp_path: Path) -> Iterator[Cli]:
    proc = ServerProcess(data_dir=world_dir[0], demo=False)
    proc.start()
    env = dict(os.environ, SCORING_CONSOLE_KEYRING="memory", SCORING_PASSWORD="demo")
    env.pop("SCORING_SERVER", None)
    env.pop("SCORING_USERNAME", None)
    try:
        yield Cli(proc.url, tmp_path / "cli-data", env)
    finally:
        proc.stop()


async def test_export_every_kind_as_pdf_and_csv(
    world_cli: Cli, world: World, tmp_path: Path
) -> None:
    category = str(world.vocal.id)
    for kind in ("results", "sheets", "blank-sheets", "audit", "certification"):
        pdf = tmp_path / f"{kind}.pdf"
        done = await world_cli.run(
            "export", kind, "--category", category, "--output", str(pdf), user="tally1"
        )
        assert done.code == 0, done.err
        assert f"to {pdf}" in done.out
        assert "Vocal Performance" in pdf_text(pdf)
        table = tmp_path / f"{kind}.csv"
        done = await world_cli.run(
            "--json",
            "export",
            kind,
            "--category",
            category,
            "--output",
            str(table),
            user="tally1",
        )
        assert done.code == 0, done.err
        assert done.json()["format"] == "csv" and done.json()["rows"] > 0
        assert table.read_text(encoding="utf-8-sig").splitlines()[0].count(",") >= 5
    sheet = PdfReader(tmp_path / "sheets.pdf").pages[0]
    (image,) = sheet.images
    (code,) = zxingcpp.read_barcodes(image.image)
    assert code.text in world.receipts.values()


async def test_contest_results_on_letter_paper(
    world_cli: Cli, world: World, tmp_path: Path
) -> None:
    out = tmp_path / "contest.pdf"
    done = await world_cli.run(
        "export",
        "results",
        "--contest",
        str(world.vocal.contest_id),
        "--output",
        str(out),
        "--page-size",
        "Letter",
        user="board1",
    )
    assert done.code == 0, done.err
    text = pdf_text(out)
    assert "Vocal Performance" in text and "Contemporary Dance" in text
    assert float(PdfReader(out).pages[0].mediabox.width) == pytest.approx(612, abs=1)


async def test_export_errors_are_one_clear_line(world_cli: Cli, tmp_path: Path) -> None:
    missing = await world_cli.run(
        "export",
        "results",
        "--category",
        "999",
        "--output",
        str(tmp_path / "x.pdf"),
        user="tally1",
    )
    assert missing.code == 5 and "category 999 is not one this account can see" in missing.err
    judge = await world_cli.run(
        "export", "results", "--category", "1", "--output", str(tmp_path / "x.pdf")
    )
    assert judge.code == 5 and "judges cannot export results" in judge.err
    unscoped = await world_cli.run("export", "audit", "--output", str(tmp_path / "x.pdf"))
    assert unscoped.code == 2 and "--category" in unscoped.err


async def test_verify_receipt(world_cli: Cli, world: World) -> None:
    ok = await world_cli.run("verify-receipt", world.receipts["judge1"], user="judge1")
    assert ok.code == 0, ok.err
    assert "matches the server" in ok.out and "Maria Alvarez" in ok.out
    board = await world_cli.run(
        "--json", "verify-receipt", world.receipts["board1"], user="auditor1"
    )
    assert board.code == 0 and board.json()["status"] == "matches"
    assert board.json()["scoreCount"] == 5 * 6 * 3
    old = await world_cli.run("verify-receipt", world.superseded_receipt, user="judge1")
    assert old.code == 1 and "superseded" in old.out
    assert "Typed Musicality of #103 into the wrong row" in old.out
    unknown = await world_cli.run("verify-receipt", "0" * 64, user="judge1")
    assert unknown.code == 5 and "no sign-off" in unknown.err


async def test_paper_sheet_from_the_blank_csv_entered_and_confirmed(
    world_cli: Cli, world: World, tmp_path: Path
) -> None:
    blank = tmp_path / "blank.csv"
    done = await world_cli.run(
        "export",
        "blank-sheets",
        "--category",
        str(world.dance.id),
        "--output",
        str(blank),
        user="tally1",
    )
    assert done.code == 0, done.err
    with blank.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["judge"] == "Kenji Watanabe"]
    assert len(rows) == 6 * 3
    for index, row in enumerate(rows):
        row["score"] = f"{6 + (index % 4) * 0.5}"
    filled = tmp_path / "kenji.csv"
    with filled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    entered = await world_cli.run(
        "--json",
        "paper-submit",
        "--category",
        str(world.dance.id),
        "--judge",
        "judge2",
        "--file",
        str(filled),
        "--note",
        "tablet failed",
        user="tally1",
    )
    assert entered.code == 0, entered.err
    sheet = entered.json()
    assert (sheet["status"], sheet["judgeName"], len(sheet["entries"])) == (
        "PENDING",
        "Kenji Watanabe",
        18,
    )
    own = await world_cli.run("paper-decide", str(sheet["id"]), user="tally1")
    assert own.code != 0 and "second person" in own.err
    confirmed = await world_cli.run("paper-decide", str(sheet["id"]), user="auditor1")
    assert confirmed.code == 0 and "approved" in confirmed.out, confirmed.err
    listing = await world_cli.run("paper-list", user="auditor1")
    assert "Kenji Watanabe, 18 scores, entered by Thomas Becker: approved" in listing.out
    sheets = tmp_path / "sheets.csv"
    done = await world_cli.run(
        "export",
        "sheets",
        "--category",
        str(world.dance.id),
        "--output",
        str(sheets),
        user="tally1",
    )
    with sheets.open(encoding="utf-8-sig", newline="") as handle:
        kenji = [r for r in csv.DictReader(handle) if r["judge"] == "Kenji Watanabe"]
    assert [r["score"] for r in kenji] == [f"{6 + (i % 4) * 0.5:.2f}" for i in range(18)]
