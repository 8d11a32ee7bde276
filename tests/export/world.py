"""A finished competition day on a real server database, for export tests and the README.

``seed_world(data_dir)`` loads the demo data and plays a day through the real
:class:`ScoringService` with a fixed, stepping clock (so the reports never depend on
today's date): in *Vocal Performance* all five judges fill and sign their sheets, a
deduction is approved, the tally master, auditor and board sign and the results are
published; in *Contemporary Dance* judge1 signs, asks to reopen, is reopened by the
tally master and corrects a score with a reason. Run it as a script to make the data
dir the README's sample PDFs were printed from::

    python -m tests.export.world DATA_DIR
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scoring_console.protocol.entities import Category
from scoring_console.protocol.payloads import (
    CertificationSign,
    DeductionCreate,
    DeductionDecision,
    ResultsPublish,
    ScoreSubmit,
)
from scoring_console.protocol.reopen import ReopenDecision, ReopenRequestCreate
from scoring_console.server.db import open_database
from scoring_console.server.demo_data import seed_demo
from scoring_console.server.service import Actor, ScoringService
from tests.helpers import postgres

START = datetime(2026, 6, 13, 18, 0, tzinfo=UTC)


class SteppingClock:
    """Starts at :data:`START` and moves 20 seconds each time it is read."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=20)
        return self.now


@dataclass
class World:
    """What the day produced, for assertions."""

    vocal: Category
    dance: Category
    actors: dict[str, Actor]
    receipts: dict[str, str]
    """username → receipt of their current sign-off of Vocal Performance."""
    superseded_receipt: str
    """judge1's first receipt of Contemporary Dance, superseded by the reopen."""
    dance_receipt: str
    """judge1's receipt of Contemporary Dance after the correction."""


def value(judge_index: int, contestant_index: int, criterion_index: int) -> float:
    """A judge's score of one cell: distinct per judge, contestant and criterion."""
    return min(10.0, 5.0 + 0.5 * contestant_index + 0.25 * criterion_index + 0.1 * judge_index)


def _fill(service: ScoringService, judge: Actor, index: int, category: Category) -> None:
    for ci, contestant in enumerate(category.contestant_ids):
        for ki, criterion in enumerate(category.criteria):
            comment = "Strong finish" if (index, ci, ki) == (0, 0, 0) else None
            service.submit_score(
                judge,
                ScoreSubmit(
                    client_id=str(uuid.uuid4()),
                    category_id=category.id,
                    contestant_id=contestant,
                    criterion_id=criterion.id,
                    score=value(index, ci, ki),
                    comment=comment,
                ),
            )


def _sign(service: ScoringService, actor: Actor, category: Category) -> str:
    payload = CertificationSign(client_id=str(uuid.uuid4()), category_id=category.id)
    return service.sign_certification(actor, payload).result.receipt


def seed_world(data_dir: Path) -> World:
    """Seed the demo data into ``data_dir/scoring.db`` and play the day."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(postgres.database_target(data_dir))
    try:
        seed_demo(db)
        service = ScoringService(db, clock=SteppingClock())
        actors = {u.username: Actor(u.id, u.role, u.username) for u in service.list_users()}
        snap = service.snapshot(actors["admin"])
        by_name = {c.name: c for c in snap.categories}
        vocal, dance = by_name["Vocal Performance"], by_name["Contemporary Dance"]
        judges = [actors[f"judge{i}"] for i in range(1, 6)]
        receipts: dict[str, str] = {}
        for index, judge in enumerate(judges):
            _fill(service, judge, index, vocal)
        deduction = service.request_deduction(
            actors["tally1"],
            DeductionCreate(
                client_id=str(uuid.uuid4()),
                category_id=vocal.id,
                contestant_id=vocal.contestant_ids[1],
                amount=1.5,
                reason="Performance ran over time",
            ),
        ).result
        service.decide_deduction(
            actors["auditor1"], DeductionDecision(deduction_id=deduction.id, approve=True)
        )
        for judge in judges:
            receipts[judge.username] = _sign(service, judge, vocal)
        for name in ("tally1", "auditor1", "board1"):
            receipts[name] = _sign(service, actors[name], vocal)
        service.publish_results(actors["admin"], ResultsPublish(category_id=vocal.id))

        judge1, tally = actors["judge1"], actors["tally1"]
        _fill(service, judge1, 0, dance)
        superseded = _sign(service, judge1, dance)
        request = service.request_reopen(
            judge1,
            ReopenRequestCreate(
                client_id=str(uuid.uuid4()),
                category_id=dance.id,
                reason="Typed Musicality of #103 into the wrong row",
            ),
        ).result
        service.decide_reopen(tally, ReopenDecision(request_id=request.id, approve=True))
        service.submit_score(
            judge1,
            ScoreSubmit(
                client_id=str(uuid.uuid4()),
                category_id=dance.id,
                contestant_id=dance.contestant_ids[2],
                criterion_id=dance.criteria[2].id,
                score=8.75,
                reason="Corrected from my paper notes",
            ),
        )
        dance_receipt = _sign(service, judge1, dance)
    finally:
        db.close()
    return World(vocal, dance, actors, receipts, superseded, dance_receipt)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.export.world DATA_DIR")
    seed_world(Path(sys.argv[1]))
    print(f"seeded {sys.argv[1]}")
