"""The competition file on a fresh database: import of the example, idempotency, in-place
updates, dry runs, one transaction, refusals named by file path, export round trip."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scoring_console.protocol import Role
from scoring_console.protocol.competition import (
    CompetitionExportRequest,
    CompetitionImport,
    parse_file,
)
from scoring_console.protocol.payloads import CertificationSign, ContestLock, ScoreSubmit
from scoring_console.protocol.setup import EventSave
from scoring_console.server.db import Database
from scoring_console.server.service import (
    Actor,
    Conflict,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    ScoringService,
)
from tests.server.unit.conftest import FakeClock, new_client_id

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "competition.json"


@dataclass
class Office:
    service: ScoringService
    admin: Actor

    def run(self, raw: dict[str, Any], *, dry_run: bool = False, actor: Actor | None = None) -> Any:
        file, problems = parse_file(raw)
        assert file is not None, problems
        payload = CompetitionImport(file=file, dry_run=dry_run)
        return self.service.competition_import(actor or self.admin, payload)

    def layout(self) -> dict[str, Any]:
        return (
            self.service.areas["competition"]
            .export_file(  # type: ignore[attr-defined]
                self.admin, CompetitionExportRequest()
            )
            .result.file
        )

    def actor(self, username: str) -> Actor:
        user = self.service.accounts.get_user_by_username(username)
        assert user is not None
        return Actor(user.id, user.role, user.username)


@pytest.fixture
def office(db: Database) -> Office:
    service = ScoringService(db, clock=FakeClock())
    user = service.accounts.create_user("chief", "Chief Scorer", Role.ADMIN, "chief-password")
    return Office(service, Actor(user.id, user.role, user.username))


@pytest.fixture
def example() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return raw


def _counts(service: ScoringService) -> tuple[int, ...]:
    with service.db.reading() as conn:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in (
                "events",
                "contests",
                "categories",
                "criteria",
                "contestants",
                "users",
                "assignments",
            )
        )


def test_the_example_file_imports_with_one_time_passwords(
    office: Office, example: dict[str, Any]
) -> None:
    outcome = office.run(example)
    report = outcome.result
    assert _counts(office.service) == (1, 2, 3, 9, 12, 7, 12)
    assert sorted(p.username for p in report.passwords) == sorted(
        u["username"] for u in example["users"]
    )
    jdoe = next(p for p in report.passwords if p.username == "jdoe")
    assert office.service.accounts.authenticate("jdoe", jdoe.password) is not None
    assert office.service.accounts.must_change_password(office.actor("jdoe").user_id)
    assert (
        "contestant 101 Amelia Hart added to Vocal Performance (Senior Showcase)" in report.changes
    )
    assert [e.event for e in outcome.effects if hasattr(e, "event")][-1] == "setup:changed"
    judge = office.actor("akim")
    assert len(office.service.views.snapshot(judge).categories) == 2


def test_importing_the_same_file_twice_changes_nothing(
    office: Office, example: dict[str, Any]
) -> None:
    office.run(example)
    before = (_counts(office.service), office.service.views.current_seq())
    again = office.run(example)
    assert again.result.changes == [] and again.result.passwords == [] and again.effects == []
    assert (_counts(office.service), office.service.views.current_seq()) == before


def test_an_edited_file_updates_in_place(office: Office, example: dict[str, Any]) -> None:
    office.run(example)
    edited = copy.deepcopy(example)
    vocal = edited["contests"][0]["categories"][0]
    vocal["contestants"][0]["name"] = "Amelia Hart-Lee"
    vocal["criteria"][2]["maxScore"] = 8
    vocal["criteria"].append({"name": "Diction", "maxScore": 5})
    vocal["judges"].remove("akim")
    edited["users"][0]["name"] = "Jane Doe-Smith"
    report = office.run(edited).result
    assert set(report.changes) == {
        "account jdoe: name 'Jane Doe' → 'Jane Doe-Smith'",
        "criterion 'Stage Presence' in Vocal Performance (Senior Showcase): maxScore 5 → 8",
        "criterion 'Diction' added to Vocal Performance (Senior Showcase)",
        "contestant 101 'Amelia Hart' → 101 'Amelia Hart-Lee'",
        "judge Ahn Kim removed from Vocal Performance (Senior Showcase)",
    }
    assert _counts(office.service) == (1, 2, 3, 10, 12, 7, 11)
    assert (
        office.layout()["contests"][0]["categories"][0]["contestants"][0]["name"]
        == "Amelia Hart-Lee"
    )


def test_dry_run_reports_without_applying(office: Office, example: dict[str, Any]) -> None:
    report = office.run(example, dry_run=True)
    assert report.result.dry_run and len(report.result.changes) > 30 and report.effects == []
    assert report.result.passwords == []
    assert _counts(office.service) == (0, 0, 0, 0, 0, 1, 0)


def _score(
    office: Office, username: str, category: str, number: int, criterion: str, value: float
) -> None:
    snap = office.service.views.snapshot(office.actor("chief"))
    cat = next(c for c in snap.categories if c.name == category)
    person = next(p for p in snap.contestants if p.number == number)
    crit = next(c for c in cat.criteria if c.name == criterion)
    office.service.scores.submit_score(
        office.actor(username),
        ScoreSubmit(
            client_id=new_client_id(),
            category_id=cat.id,
            contestant_id=person.id,
            criterion_id=crit.id,
            score=value,
        ),
    )


def test_a_file_that_would_lose_scores_is_refused_whole(
    office: Office, example: dict[str, Any]
) -> None:
    office.run(example)
    _score(office, "jdoe", "Vocal Performance", 101, "Interpretation", 9)
    before = _counts(office.service)
    edited = copy.deepcopy(example)
    edited["contests"][1]["categories"][0]["contestants"].append({"number": 205, "name": "New Kid"})
    del edited["contests"][0]["categories"][0]["criteria"][1]
    with pytest.raises(Conflict) as refused:
        office.run(edited)
    assert refused.value.message.startswith(
        "contests[0].categories[0].criteria: criterion 'Interpretation' in Vocal Performance "
        "(Senior Showcase) has 1 score(s)"
    )
    assert _counts(office.service) == before  # the new contestant of the same file is not there


def test_max_score_below_a_score_and_removing_a_signed_judge_are_refused(
    office: Office, example: dict[str, Any]
) -> None:
    office.run(example)
    _score(office, "jdoe", "Vocal Performance", 101, "Stage Presence", 4.5)
    lowered = copy.deepcopy(example)
    lowered["contests"][0]["categories"][0]["criteria"][2]["maxScore"] = 4
    with pytest.raises(Conflict, match=r"already has a score of 4\.5"):
        office.run(lowered)
    snap = office.service.views.snapshot(office.actor("chief"))
    dance = next(c for c in snap.categories if c.name == "Contemporary Dance")
    for person in dance.contestant_ids:
        for crit in dance.criteria:
            office.service.scores.submit_score(
                office.actor("pbrown"),
                ScoreSubmit(
                    client_id=new_client_id(),
                    category_id=dance.id,
                    contestant_id=person,
                    criterion_id=crit.id,
                    score=5,
                ),
            )
    office.service.certification.sign_certification(
        office.actor("pbrown"), CertificationSign(client_id=new_client_id(), category_id=dance.id)
    )
    unsign = copy.deepcopy(example)
    unsign["contests"][0]["categories"][1]["judges"].remove("pbrown")
    with pytest.raises(Locked, match="judge Peter Brown has signed Contemporary Dance"):
        office.run(unsign)


def test_a_locked_contest_refuses_changes_from_the_file(
    office: Office, example: dict[str, Any]
) -> None:
    office.run(example)
    contest_id = next(
        c.id
        for c in office.service.views.snapshot(office.admin).contests
        if c.name == "Junior Showcase"
    )
    office.service.admin.lock_contest(office.admin, ContestLock(contest_id=contest_id))
    edited = copy.deepcopy(example)
    edited["contests"][1]["categories"][0]["contestants"][0]["name"] = "Mia Tanaka-Ito"
    with pytest.raises(
        Locked, match=r"contests\[1\].categories\[0\].contestants\[0\]: Junior Showcase is locked"
    ):
        office.run(edited)
    assert office.run(example).result.changes == []  # unchanged parts of a locked contest are fine


def test_bad_files_name_the_json_path(example: dict[str, Any]) -> None:
    bad = copy.deepcopy(example)
    bad["contests"][0]["categories"][1]["criteria"][2]["maxScore"] = 0
    bad["users"][1]["role"] = "WIZARD"
    bad["contests"][1]["categories"][0]["contestants"][1]["number"] = 201
    file, problems = parse_file(bad)
    assert file is None
    assert "contests[0].categories[1].criteria[2].maxScore: must be > 0" in problems
    assert any(p.startswith("users[1].role: ") for p in problems)
    dup = copy.deepcopy(example)
    dup["contests"][1]["categories"][0]["contestants"][1]["number"] = 201
    dup["contests"][0]["categories"][0]["judges"].append("tally")
    _, problems = parse_file(dup)
    assert problems == [
        "contests[0].categories[0].judges[3]: 'tally' is a TALLY_MASTER, not a JUDGE",
        "contests[1].categories[0].contestants[1].name: number 201 is 'Mia Tanaka' at "
        "contests[1].categories[0].contestants[0]",
        "contests[1].categories[0].contestants[1].number: 201 is listed twice here",
    ]


def test_unknown_judge_is_refused_with_its_path(office: Office, example: dict[str, Any]) -> None:
    edited = copy.deepcopy(example)
    edited["contests"][0]["categories"][0]["judges"].append("ghost")
    with pytest.raises(
        NotFound, match=r"contests\[0\].categories\[0\].judges\[3\]: no active account 'ghost'"
    ):
        office.run(edited)
    assert _counts(office.service) == (0, 0, 0, 0, 0, 1, 0)


def test_organizers_cannot_import_admin_accounts(office: Office, example: dict[str, Any]) -> None:
    office.run(example)
    office.service.accounts.create_user("org", "Org Anizer", Role.ORGANIZER, "organizer-pass")
    edited = copy.deepcopy(example)
    edited["users"].append({"username": "boss", "name": "Big Boss", "role": "ADMIN"})
    with pytest.raises(Forbidden, match=r"users\[6\]: a ORGANIZER cannot create ADMIN accounts"):
        office.run(edited, actor=office.actor("org"))
    assert office.run(example, actor=office.actor("org")).result.changes == []


def test_export_round_trips(office: Office, example: dict[str, Any]) -> None:
    office.run(example)
    exported = office.layout()
    assert exported["event"] == example["event"]
    assert [c["name"] for c in exported["contests"]] == ["Senior Showcase", "Junior Showcase"]
    assert office.run(exported).result.changes == []
    structure = office.service.areas["structure"]
    structure.save_event(office.admin, EventSave(name="Other"))  # type: ignore[attr-defined]
    with pytest.raises(Invalid, match="several events"):
        office.layout()


def test_weights_and_scoring_rules_are_stored_carried_in_sync_and_exported(
    office: Office, example: dict[str, Any]
) -> None:
    edited = copy.deepcopy(example)
    vocal = edited["contests"][0]["categories"][0]
    vocal["scoring"] = {"method": "average", "tieBreak": ["criterion:Technique", "manual"]}
    office.run(edited)
    snap = office.service.views.snapshot(office.admin)
    cat = next(c for c in snap.categories if c.name == "Vocal Performance")
    assert [str(c.weight) for c in cat.criteria] == ["2", "1", "1"]
    assert cat.scoring.method == "average" and cat.scoring.tie_break[0] == "criterion:Technique"
    exported = office.layout()["contests"][0]["categories"][0]
    assert exported["criteria"][0]["weight"] == 2 and exported["scoring"]["method"] == "average"
    assert office.run(edited).result.changes == []
    vocal["criteria"][0]["weight"] = 1.5
    assert office.run(edited).result.changes == [
        "criterion 'Technique' in Vocal Performance (Senior Showcase): weight 2 → 1.5"
    ]
    vocal["scoring"]["tieBreak"] = ["criterion:Nope"]
    _, problems = parse_file(edited)
    assert problems == ["contests[0].categories[0].scoring.tieBreak[0]: no criterion 'Nope' here"]
