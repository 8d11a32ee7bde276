"""The written protocol reference is generated from the catalog and must not drift."""

from pathlib import Path

from scoring_console.protocol import CLIENT_EVENTS, SERVER_EVENTS, ClientEvent, ServerEvent
from scoring_console.protocol.docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def test_committed_reference_matches_the_models() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run `make docs` and commit"


def test_every_event_has_a_catalog_entry_and_a_section() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert set(CLIENT_EVENTS) == set(ClientEvent)
    assert set(SERVER_EVENTS) == set(ServerEvent)
    for name in [*ClientEvent, *ServerEvent]:
        assert f"### `{name}`" in text


def test_seed_event_names_are_kept() -> None:
    seed = {
        "scores:updated", "scores:deleted", "certification:updated", "notification",
        "system:announcement", "user:active", "contest:locked", "results:published",
        "deduction:requested", "deduction:pending", "assignment:created", "assignment:new",
        "score:removal-requested", "score:removal-pending", "scores:request", "scores:data",
    }  # fmt: skip
    names = {str(n) for n in [*ClientEvent, *ServerEvent]}
    assert seed <= names
