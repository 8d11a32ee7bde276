"""Text with a NUL character is refused at the wire with a validation error (no engine
the server stores text in may hold it: PostgreSQL's text type cannot)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from scoring_console.protocol.payloads import ScoreSubmit

CLIENT_ID = "7d1c0f8e-5b7a-4c51-9a3e-2f6d8b1e4c90"


def _submit(comment: str) -> ScoreSubmit:
    return ScoreSubmit.model_validate(
        {
            "clientId": CLIENT_ID,
            "categoryId": 1,
            "contestantId": 1,
            "criterionId": 1,
            "score": 5.0,
            "comment": comment,
        }
    )


def test_a_nul_anywhere_in_the_text_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        _submit("fine\x00not")


def test_other_control_characters_and_unicode_still_pass() -> None:
    assert _submit("tab\tand ümlaut ✓").comment == "tab\tand ümlaut ✓"
