"""Effects on the wire between nodes: JSON, payloads rebuilt from the protocol's models.

A message is one committed transaction: the publishing node's id, the ``seq`` range
``[first, last]`` it consumed, and its effects in order. Payloads travel unmasked and
unstamped (``prevSeq`` is per socket, so every node stamps its own); the receiving node
rebuilds each payload with the event's model from
:data:`~scoring_console.protocol.catalog.SERVER_EVENTS`, so masking sees the same types
as for a local call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scoring_console.protocol.base import ServerMessage
from scoring_console.protocol.catalog import SERVER_EVENTS
from scoring_console.protocol.events import ServerEvent

from ..service.types import Broadcast, CloseSessions, Effect, RoomChange


class CodecError(ValueError):
    """A bus message that is not a well-formed effects message."""


@dataclass(frozen=True)
class EffectsMessage:
    """One committed transaction's effects, as published by ``node``."""

    node: str
    first: int
    last: int
    effects: tuple[Effect, ...]


def encode(message: EffectsMessage) -> str:
    """The JSON text of ``message``."""
    return json.dumps(
        {
            "node": message.node,
            "first": message.first,
            "last": message.last,
            "effects": [_effect_json(e) for e in message.effects],
        },
        separators=(",", ":"),
    )


def decode(text: str | bytes) -> EffectsMessage:
    """Rebuild a message; :class:`CodecError` if it is malformed."""
    try:
        raw = json.loads(text)
        effects = tuple(_effect_from(item) for item in raw["effects"])
        return EffectsMessage(str(raw["node"]), int(raw["first"]), int(raw["last"]), effects)
    except CodecError:
        raise
    except Exception as exc:
        raise CodecError(f"bad effects message: {type(exc).__name__}: {exc}") from None


def _effect_json(effect: Effect) -> dict[str, Any]:
    if isinstance(effect, Broadcast):
        return {
            "kind": "broadcast",
            "event": str(effect.event),
            "payload": effect.payload.to_wire(),
            "rooms": list(effect.rooms),
            "mask": effect.mask_score_for_judges,
            "exclude": list(effect.exclude_user_ids),
        }
    if isinstance(effect, RoomChange):
        return {
            "kind": "rooms",
            "user": effect.user_id,
            "join": list(effect.join),
            "leave": list(effect.leave),
        }
    return {"kind": "close", "user": effect.user_id, "reason": effect.reason}


def _effect_from(item: dict[str, Any]) -> Effect:
    kind = item["kind"]
    if kind == "broadcast":
        event = ServerEvent(item["event"])
        payload = SERVER_EVENTS[event].payload.model_validate(item["payload"])
        if not isinstance(payload, ServerMessage):
            raise CodecError(f"{event} does not carry a server message")
        return Broadcast(
            event,
            payload,
            tuple(item["rooms"]),
            bool(item["mask"]),
            tuple(int(u) for u in item["exclude"]),
        )
    if kind == "rooms":
        return RoomChange(int(item["user"]), tuple(item["join"]), tuple(item["leave"]))
    if kind == "close":
        return CloseSessions(int(item["user"]), str(item["reason"]))
    raise CodecError(f"unknown effect kind {kind!r}")
