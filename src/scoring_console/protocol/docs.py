"""Render ``docs/protocol.md`` from the catalog and the models.

Run ``python -m scoring_console.protocol.docs > docs/protocol.md``; a test fails when
the committed file differs from what this renders.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic import BaseModel

from .catalog import CLIENT_EVENTS, SERVER_EVENTS
from .errors import AUTH_INVALID_MESSAGE, AUTH_MISSING_MESSAGE, INVALID_EVENT_MESSAGE, ErrorCode
from .payloads import RENEW_GRACE
from .rest import LoginRequest, LoginResponse, RefreshRequest, RefreshResponse
from .roles import ALL_ROLES, Role
from .version import PROTOCOL_VERSION


def _type_of(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        ref = str(prop["$ref"])
        return "`" + ref.rsplit("/", 1)[-1] + "`"
    if "anyOf" in prop:
        return " \\| ".join(_type_of(p, defs) for p in prop["anyOf"])
    kind = prop.get("type")
    if kind == "array":
        return f"array of {_type_of(prop.get('items', {}), defs)}"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if kind == "string" and prop.get("format") == "date-time":
        return "ISO 8601 time"
    return str(kind or "any")


_CONSTRAINTS = {
    "minimum": "≥ {}",
    "exclusiveMinimum": "> {}",
    "maximum": "≤ {}",
    "minLength": "length ≥ {}",
    "maxLength": "length ≤ {}",
    "minItems": "≥ {} items",
    "maxItems": "≤ {} items",
    "pattern": "UUID",
}


def _constraints(prop: dict[str, Any]) -> str:
    found = []
    for option in [prop, *prop.get("anyOf", [])]:
        for key, fmt in _CONSTRAINTS.items():
            if key in option:
                found.append(fmt.format(option[key]))
    return ", ".join(dict.fromkeys(found))


def model_table(model: type[BaseModel]) -> list[str]:
    """A markdown table of a model's wire fields."""
    schema = model.model_json_schema(by_alias=True, mode="serialization")
    defs = schema.get("$defs", {})
    props: dict[str, Any] = schema.get("properties", {})
    if not props:
        return ["_No fields._", ""]
    required = set(schema.get("required", []))
    lines = ["| field | type | required | constraints |", "|---|---|---|---|"]
    for name, prop in props.items():
        req = "yes" if name in required and "default" not in prop else "no"
        lines.append(f"| `{name}` | {_type_of(prop, defs)} | {req} | {_constraints(prop)} |")
    return [*lines, ""]


def _roles(roles: frozenset[Role]) -> str:
    if roles == ALL_ROLES:
        return "every role"
    return ", ".join(f"`{r}`" for r in Role if r in roles)


def _models_used() -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {}
    for spec in CLIENT_EVENTS.values():
        for m in (spec.payload, spec.ack):
            if m is not None:
                seen.setdefault(m.__name__, m)
    for sspec in SERVER_EVENTS.values():
        seen.setdefault(sspec.payload.__name__, sspec.payload)
    nested: dict[str, type[BaseModel]] = {}
    for m in list(seen.values()):
        for field in m.model_fields.values():
            for arg in _walk(field.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    nested.setdefault(arg.__name__, arg)
    for name, m in nested.items():
        seen.setdefault(name, m)
    return [seen[k] for k in sorted(seen)]


def _walk(annotation: Any) -> list[Any]:
    out = [annotation]
    for arg in getattr(annotation, "__args__", ()) or ():
        out.extend(_walk(arg))
    return out


_RECEIPTS_AND_MASKING = [
    "## Receipts and masking",
    "",
    "A judge sees their own scores and nothing of another judge's: no value, and no "
    "masked row either. `scores:updated` and `scores:deleted` about another judge's score "
    "are not sent to a judge, and `sync` and `scores:request` list only the judge's own "
    "scores. A masked row (`score: null`) would still tell, through its `version` and "
    "`updatedAt`, when and how often a colleague changed a cell, and a judge's console "
    "has no use for it. Every other role sees scores whole.",
    "",
    "A sign-off's receipt is a SHA-256 over the signed scores. It is not salted, so anyone "
    "can recompute it from the scores and check it; but for a small panel, someone who "
    "knows every other field of the scores can also find the values by trying them all "
    "against the hash (2 judges × 3 contestants × 1 criterion: under a thousand tries). "
    "So a receipt over scores a recipient may not see never reaches that recipient: a "
    "judge's `certification:updated`, `sync` and sign-off answer carry only the judge's "
    "own receipt; every other sign-off is listed (who, which step, when) with "
    "`receipt: null`. The tally master's, auditor's and board's receipts hash every "
    "panel score, so they reach only the roles that see every score. We chose "
    "withholding over salting the hash with a server secret: a salt would have to be "
    "revealed with the results before anyone could verify a receipt, and a judge gains "
    "nothing from a hash they cannot check.",
    "",
]


def render() -> str:
    """The whole reference document."""
    out: list[str] = [
        "# Scoring Console wire protocol",
        "",
        "<!-- Generated by `make docs` (python -m scoring_console.protocol.docs). "
        "Do not edit by hand: tests/protocol/test_docs.py checks it. -->",
        "",
        f"Protocol version: **{PROTOCOL_VERSION}**. Socket.IO v4, default namespace, JSON, "
        "camelCase field names.",
        "",
        "## Handshake",
        "",
        "`auth = {token, protocol}`. A handshake without `protocol` is taken as the current "
        "version (stock `socket.io-client` and the seed's clients send only `{token}`).",
        "",
        f"- no token → refused with `{AUTH_MISSING_MESSAGE}`",
        f"- bad, expired, wrongly signed or `alg: none` token → `{AUTH_INVALID_MESSAGE}`",
        "- unsupported `protocol` → a message naming the client's and the server's versions",
        "",
        "The connection's token expiry is checked on every call. A client refreshes its "
        "access token over REST before it expires and hands the new one to the live "
        "connection with `auth:renew` (no reconnect, no `sync`); only when that is refused "
        f"(e.g. more than {RENEW_GRACE} s after the old token expired) does it reconnect "
        "with the new token.",
        "",
        "Rooms are derived by the server only: `user:{id}`, `role:{ROLE}`, `event:{id}`, "
        "`contest:{id}`, `category:{id}`, `category:{id}:{ROLE}`. No event lets a client "
        "join a room.",
        "",
        "## Acknowledgements",
        "",
        "Every client event is emitted with an ack callback and answered with "
        "`{ok: true, data}` or `{ok: false, error: {code, message, details?}}`.",
        "",
        "| code | meaning |",
        "|---|---|",
    ]
    meanings = {
        ErrorCode.UNAUTHENTICATED: "the token expired during the session: refresh it and send "
        "`auth:renew` (or reconnect); for `auth:renew`, the token was refused",
        ErrorCode.FORBIDDEN: "the caller's role or assignments do not allow this",
        ErrorCode.VALIDATION_ERROR: "the payload does not match its model (`details.errors`)",
        ErrorCode.NOT_FOUND: "a referenced id does not exist or is not visible to the caller",
        ErrorCode.CONFLICT: "same `clientId` with other content, or a decision already made",
        ErrorCode.LOCKED: "the contest is locked, or the judge's sheet is certified",
        ErrorCode.PRECONDITION_FAILED: "not yet allowed: sheet incomplete, earlier step unsigned, "
        "category not certified",
        ErrorCode.RATE_LIMITED: "too many writes (or reads, in a bucket of their own); retry "
        "after `details.retryAfter` seconds",
        ErrorCode.INVALID_EVENT: "unknown event name",
        ErrorCode.INTERNAL: "server fault; logged, connection kept; retry later",
    }
    out += [f"| `{c}` | {meanings[c]} |" for c in ErrorCode]
    out += [
        "",
        f"An unknown event is also answered with the `error` event `{{message: "
        f'"{INVALID_EVENT_MESSAGE}"}}`. A bad payload never drops the connection.',
        "",
        "## Sequence numbers",
        "",
        "Every server → client event carries `seq` (server-wide, monotonic, persisted) and "
        "`prevSeq`: the `seq` of the previous event this connection was sent, or of its last "
        "`sync`. A client whose last seen `seq` differs from `prevSeq` missed an event and "
        "calls `sync`. Entities carry `version`; an older version never replaces a newer one.",
        "",
        *_RECEIPTS_AND_MASKING,
        "## Client → server events",
        "",
    ]
    for spec in CLIENT_EVENTS.values():
        out += [
            f"### `{spec.name}`",
            "",
            spec.summary,
            "",
            f"- Who may call: {_roles(spec.roles)}",
            f"- Payload: `{spec.payload.__name__}`",
            f"- Ack data: `{spec.ack.__name__ if spec.ack else 'null'}`",
            f"- Emits: {', '.join(f'`{e}`' for e in spec.emits) or '—'}",
            f"- Errors: {', '.join(f'`{c}`' for c in spec.all_errors)}",
            f"- Rate limited: {'yes' if spec.write else 'no'}",
            "",
        ]
    out += ["## Server → client events", ""]
    for sspec in SERVER_EVENTS.values():
        out += [
            f"### `{sspec.name}`",
            "",
            sspec.summary,
            "",
            f"- Payload: `{sspec.payload.__name__}`",
            f"- Recipients: {sspec.recipients}",
            f"- Masked per recipient: {'yes' if sspec.masked else 'no'}",
            "",
        ]
    out += ["## REST", ""]
    for title, req, resp in (
        ("POST /api/auth/login", LoginRequest, LoginResponse),
        ("POST /api/auth/refresh", RefreshRequest, RefreshResponse),
    ):
        out += [
            f"### `{title}`",
            "",
            f"Request `{req.__name__}`, response `{resp.__name__}`; "
            "failure: HTTP 400/401 with `{error: {code, message}}`.",
            "",
        ]
    out += [
        "### `GET /socket-health`",
        "",
        '`{status: "ok", connectedClients, uptime, protocol}`.',
        "",
        "### `GET /metrics`",
        "",
        "Prometheus text: connections, events by name, errors by code, handler latency.",
        "",
        "## Models",
        "",
    ]
    rest_models: list[type[BaseModel]] = [
        LoginRequest,
        LoginResponse,
        RefreshRequest,
        RefreshResponse,
    ]
    for model in [*_models_used(), *rest_models]:
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        out += [f"### `{model.__name__}`", "", doc, "", *model_table(model)]
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    """Print the reference to stdout."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
