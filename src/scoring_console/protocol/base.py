"""Base models and constrained field types for everything that crosses the wire.

Two kinds of model:

* :class:`WireModel` for what the server sends (entities, events, acks): camelCase on
  the wire, lax parsing of JSON-ish values such as ISO timestamps.
* :class:`InboundModel` for what a client sends: strict types (no ``"1"`` for ``1``,
  no ``true`` for ``1``), unknown fields refused, finite numbers only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

MAX_ID = 2**53 - 1  # largest integer a JavaScript client represents exactly

Id = Annotated[int, Field(gt=0, le=MAX_ID)]
"""A database identifier: a positive integer."""

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

ClientId = Annotated[str, Field(min_length=36, max_length=36, pattern=UUID_PATTERN)]
"""A client-generated UUID identifying one write, for idempotent replays."""

ScoreValue = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]
"""A score value; the server also checks it against the criterion's ``maxScore``."""

Amount = Annotated[float, Field(gt=0, le=10_000, allow_inf_nan=False)]
"""A positive, finite deduction amount."""


def refuse_nul(value: Any) -> None:
    """``ValueError`` if a string anywhere in ``value`` holds a NUL character (no text
    the server stores may: PostgreSQL's text type cannot hold it)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text must not contain NUL characters")
    elif isinstance(value, dict):
        for item in value.values():
            refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_nul(item)


def _strip_nonempty(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise ValueError("must not be blank")
    return stripped


Comment = Annotated[str, Field(max_length=500)]
Reason = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_strip_nonempty)]
Message = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_strip_nonempty)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Seq = Annotated[int, Field(ge=0)]


class WireModel(BaseModel):
    """A payload as it travels: camelCase aliases, Python names in code."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="ignore",
        ser_json_inf_nan="null",
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict sent over Socket.IO (camelCase, ISO timestamps)."""
        return self.model_dump(mode="json", by_alias=True)


class InboundModel(WireModel):
    """A client → server payload: strict, closed, finite."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        str_max_length=2000,
    )

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        refuse_nul(data)
        return data


class ServerMessage(WireModel):
    """Base of every server → client event payload.

    ``seq`` is the server-wide monotonic sequence number of the change the event
    reports. ``prevSeq`` is the ``seq`` of the previous event the server delivered to
    *this* connection (or of the ``sync`` snapshot it answered last): a client whose
    last seen ``seq`` differs from an incoming ``prevSeq`` missed something and calls
    ``sync``. A global ``seq`` alone cannot show a gap, because each client receives
    only the events its rooms and role allow.
    """

    seq: Seq = 0
    prev_seq: Seq | None = None


Timestamp = datetime
