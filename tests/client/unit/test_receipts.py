"""Receipt checks against the local state: match, mismatch, hidden values, lookup."""

from __future__ import annotations

from scoring_console.client.receipts import ReceiptStatus, check_category, check_receipt
from scoring_console.client.state import StateStore
from scoring_console.protocol.entities import (
    Certification,
    CertificationSignoff,
    CertificationStatus,
)
from scoring_console.protocol.receipt import compute_receipt
from scoring_console.protocol.roles import Role

from .factories import NOW, score, snapshot


def _state(values: list[float | None], receipt_of: list[float]) -> tuple[StateStore, str]:
    """Judge 10's two scores with ``values`` in our state; the server signed ``receipt_of``."""
    mine = [score(i + 1, value=v, contestant=i + 1) for i, v in enumerate(values)]
    signed = [score(i + 1, value=v, contestant=i + 1) for i, v in enumerate(receipt_of)]
    receipt = compute_receipt(1, 10, "JUDGE", signed)
    cert = Certification(
        category_id=1,
        status=CertificationStatus.JUDGES_SIGNING,
        required_judge_ids=[10, 11],
        signoffs=[
            CertificationSignoff(
                role=Role.JUDGE, user_id=10, user_name="Judge One", signed_at=NOW, receipt=receipt
            )
        ],
        version=1,
        seq=2,
    )
    state = StateStore()
    state.apply_snapshot(snapshot(scores=mine, certifications=[cert]))
    return state, receipt


def test_our_copy_matches_the_server() -> None:
    state, receipt = _state([7.0, 8.5], [7.0, 8.5])
    (check,) = check_category(state, 1)
    assert check.status is ReceiptStatus.MATCHES and check.computed == receipt
    assert check.message == "matches the server (2 scores)"
    found = check_receipt(state, receipt.upper())
    assert found is not None and found.status is ReceiptStatus.MATCHES


def test_a_different_value_is_a_clear_mismatch() -> None:
    state, receipt = _state([7.0, 8.0], [7.0, 8.5])
    (check,) = check_category(state, 1)
    assert check.status is ReceiptStatus.MISMATCH
    assert receipt in check.message and str(check.computed) in check.message


def test_hidden_values_cannot_be_checked_and_unknown_receipts_are_not_found() -> None:
    state, _ = _state([None, None], [7.0, 8.5])
    (check,) = check_category(state, 1)
    assert check.status is ReceiptStatus.UNKNOWN and check.computed is None
    assert check_receipt(state, "0" * 64) is None
