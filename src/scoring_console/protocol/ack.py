"""The typed acknowledgement envelope: ``{ok: true, data}`` or ``{ok: false, error}``."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import AckFailed, ErrorCode, PayloadError

M = TypeVar("M", bound=BaseModel)


def ack_ok(data: BaseModel | dict[str, Any] | None) -> dict[str, Any]:
    """A positive ack; models are dumped camelCase."""
    if isinstance(data, BaseModel):
        body: Any = data.model_dump(mode="json", by_alias=True)
    else:
        body = data
    return {"ok": True, "data": body}


def ack_error(
    code: ErrorCode, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A negative ack."""
    error: dict[str, Any] = {"code": str(code), "message": message}
    if details:
        error["details"] = details
    return {"ok": False, "error": error}


def validation_details(exc: ValidationError) -> dict[str, Any]:
    """A compact, JSON-safe summary of a pydantic error for ``details``."""
    return {
        "errors": [
            {"loc": [str(p) for p in err["loc"]], "msg": err["msg"], "type": err["type"]}
            for err in exc.errors(include_url=False, include_input=False)[:20]
        ]
    }


def parse_ack(event: str, raw: Any, model: type[M] | None) -> M | Any:
    """Unwrap an ack: return its validated ``data`` or raise :class:`AckFailed`.

    Raises :class:`PayloadError` when the ack itself is not a valid envelope.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("ok"), bool):
        raise PayloadError(event, "acknowledgement is not an {ok, data|error} envelope")
    if raw["ok"]:
        data = raw.get("data")
        if model is None:
            return data
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise PayloadError(event, "ack data invalid", validation_details(exc)) from None
    error = raw.get("error")
    if not isinstance(error, dict):
        raise PayloadError(event, "failed ack without an error object")
    try:
        code = ErrorCode(str(error.get("code")))
    except ValueError:
        code = ErrorCode.INTERNAL
    details = error.get("details")
    raise AckFailed(
        code, str(error.get("message", "")), details if isinstance(details, dict) else None
    )
