"""Handshake authentication, protocol version check and the REST auth endpoints."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import aiohttp
import pytest

from scoring_console.protocol import ErrorCode
from scoring_console.protocol.errors import AUTH_INVALID_MESSAGE, AUTH_MISSING_MESSAGE
from scoring_console.protocol.version import PROTOCOL_VERSION
from tests.helpers import postgres
from tests.helpers.sio_client import (
    access_claims,
    forge_token,
    login,
    post_json,
    signing_key,
    try_connect,
)
from tests.server.integration.conftest import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _b64(obj: dict[str, Any]) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def _key(live: Live) -> str | bytes:
    tokens = await live.login("judge1")
    return signing_key(live.data_dir, tokens.access)


@pytest.mark.parametrize("auth", [{}, None, {"token": ""}, {"protocol": 1}])
async def test_missing_token_is_refused(shared_live: Live, auth: Any) -> None:
    assert await try_connect(shared_live.url, auth) == AUTH_MISSING_MESSAGE


async def test_valid_token_is_accepted_and_forged_valid_token_too(shared_live: Live) -> None:
    tokens = await shared_live.login("judge1")
    assert await try_connect(shared_live.url, {"token": tokens.access, "protocol": 1}) is None
    # A token we sign with the server's secret and the documented claims works: the
    # forging helper really produces what the server accepts (so refusals below mean
    # the specific defect, not a broken forger).
    key = await _key(shared_live)
    forged = forge_token(key, access_claims(tokens.user))
    assert await try_connect(shared_live.url, {"token": forged}) is None


BAD_TOKENS = [
    "malformed",
    "garbage_three_parts",
    "expired",
    "wrong_signature",
    "alg_none",
    "alg_none_unsigned_header",
    "hs512",
    "unknown_user",
    "refresh_as_access",
    "not_a_string",
]


async def _bad_token(live: Live, kind: str) -> Any:
    tokens = await live.login("judge1")
    key = await _key(live)
    user = tokens.user
    if kind == "malformed":
        return "not-a-jwt"
    if kind == "garbage_three_parts":
        return "abc.def.ghi"
    if kind == "expired":
        now = int(time.time())
        return forge_token(key, access_claims(user, iat=now - 7200, exp=now - 3600))
    if kind == "wrong_signature":
        return forge_token("0" * 64, access_claims(user))
    if kind == "alg_none":
        return _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(access_claims(user)) + "."
    if kind == "alg_none_unsigned_header":
        # alg none but with a (meaningless) signature segment copied from a real token
        sig = tokens.access.split(".")[2]
        return _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(access_claims(user)) + "." + sig
    if kind == "hs512":
        secret = key if isinstance(key, bytes) else key.encode()
        return forge_token(secret * 2, access_claims(user), algorithm="HS512")
    if kind == "unknown_user":
        ghost = {"id": 987654, "username": "ghost", "role": "ADMIN"}
        return forge_token(key, access_claims(ghost))
    if kind == "refresh_as_access":
        return tokens.refresh
    if kind == "not_a_string":
        return 12345
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", BAD_TOKENS)
async def test_bad_token_is_refused_with_invalid_token(shared_live: Live, kind: str) -> None:
    token = await _bad_token(shared_live, kind)
    assert await try_connect(shared_live.url, {"token": token, "protocol": 1}) == (
        AUTH_INVALID_MESSAGE
    )


async def test_access_claims_with_type_refresh_refused(shared_live: Live) -> None:
    tokens = await shared_live.login("judge2")
    key = await _key(shared_live)
    token = forge_token(key, access_claims(tokens.user, type="refresh"))
    assert await try_connect(shared_live.url, {"token": token}) == AUTH_INVALID_MESSAGE


async def test_handshake_without_protocol_is_current_version(shared_live: Live) -> None:
    tokens = await shared_live.login("tally1")
    assert await try_connect(shared_live.url, {"token": tokens.access}) is None
    assert (
        await try_connect(shared_live.url, {"token": tokens.access, "protocol": PROTOCOL_VERSION})
        is None
    )


@pytest.mark.parametrize("version", [999, 0])
async def test_unsupported_protocol_refused_naming_both_versions(
    shared_live: Live, version: int
) -> None:
    tokens = await shared_live.login("tally1")
    message = await try_connect(shared_live.url, {"token": tokens.access, "protocol": version})
    assert message is not None, f"protocol {version} accepted"
    assert str(version) in message and str(PROTOCOL_VERSION) in message, message
    assert message not in (AUTH_INVALID_MESSAGE, AUTH_MISSING_MESSAGE)


@pytest.mark.parametrize(
    "body",
    [
        {"username": "judge1", "password": "wrong"},
        {"username": "nobody-here", "password": "demo"},
    ],
)
async def test_rest_login_bad_credentials_is_401_with_error_body(
    shared_live: Live, body: dict[str, str]
) -> None:
    status, answer = await post_json(shared_live.url, "/api/auth/login", body)
    assert status == 401, answer
    assert isinstance(answer, dict) and isinstance(answer.get("error"), dict), answer
    assert answer["error"]["code"] in {c.value for c in ErrorCode}, answer
    assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]


async def test_rest_login_malformed_body_is_a_typed_4xx(shared_live: Live) -> None:
    status, answer = await post_json(shared_live.url, "/api/auth/login", {"user": 1})
    assert 400 <= status < 500, (status, answer)
    assert isinstance(answer, dict) and answer["error"]["code"] in {c.value for c in ErrorCode}


async def test_refresh_rotation_spends_the_old_token(shared_live: Live) -> None:
    tokens = await shared_live.login("auditor1")
    status, first = await post_json(
        shared_live.url, "/api/auth/refresh", {"refreshToken": tokens.refresh}
    )
    assert status == 200, first
    assert first["refreshToken"] != tokens.refresh
    # the new access token works on the socket
    assert await try_connect(shared_live.url, {"token": first["accessToken"]}) is None
    # the old refresh token is spent
    status, again = await post_json(
        shared_live.url, "/api/auth/refresh", {"refreshToken": tokens.refresh}
    )
    assert status == 401, again
    assert again["error"]["code"] in {c.value for c in ErrorCode}
    # the rotated one works exactly once
    status, second = await post_json(
        shared_live.url, "/api/auth/refresh", {"refreshToken": first["refreshToken"]}
    )
    assert status == 200, second
    status, _ = await post_json(
        shared_live.url, "/api/auth/refresh", {"refreshToken": first["refreshToken"]}
    )
    assert status == 401


async def test_access_token_is_not_a_refresh_token(shared_live: Live) -> None:
    tokens = await shared_live.login("auditor1")
    status, answer = await post_json(
        shared_live.url, "/api/auth/refresh", {"refreshToken": tokens.access}
    )
    assert status == 401, answer


async def test_deactivated_user_is_refused(shared_live: Live) -> None:
    tokens = await shared_live.login("judge5")
    assert await try_connect(shared_live.url, {"token": tokens.access}) is None
    with postgres.connect_to(shared_live.data_dir) as db:
        db.execute("UPDATE users SET active = 0 WHERE username = ?", ("judge5",))
    assert await try_connect(shared_live.url, {"token": tokens.access}) == AUTH_INVALID_MESSAGE
    status, _ = await post_json(
        shared_live.url, "/api/auth/refresh", {"refreshToken": tokens.refresh}
    )
    assert status == 401
    status, _ = await post_json(
        shared_live.url, "/api/auth/login", {"username": "judge5", "password": "demo"}
    )
    assert status == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'{"username": 5, "password": true}', "application/json"),
        (b"username=judge1&password=demo", "application/x-www-form-urlencoded"),
        (b'{"username": "judge1", "password": "' + b"x" * 2_000_000 + b'"}', "application/json"),
    ],
    ids=["broken-json", "empty", "array", "wrong-types", "form", "2MB"],
)
async def test_rest_login_garbage_is_a_typed_4xx(
    shared_live: Live, body: bytes, content_type: str
) -> None:
    for path in ("/api/auth/login", "/api/auth/refresh"):
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                shared_live.url + path, data=body, headers={"Content-Type": content_type}
            ) as resp,
        ):
            assert 400 <= resp.status < 500, (path, resp.status, await resp.text())
            if resp.status != 413:
                answer = await resp.json(content_type=None)
                assert answer["error"]["code"] in {c.value for c in ErrorCode}, answer
    # the server is still fine: a real login and handshake work
    tokens = await login(shared_live.url, "judge1")
    assert await try_connect(shared_live.url, {"token": tokens.access}) is None


async def test_polling_transport_handshake_and_refusals(shared_live: Live) -> None:
    tokens = await shared_live.login("tally1")
    polling = ["polling"]
    assert await try_connect(shared_live.url, {"token": tokens.access}, polling) is None
    assert await try_connect(shared_live.url, {}, polling) == AUTH_MISSING_MESSAGE
    assert await try_connect(shared_live.url, {"token": "x.y.z"}, polling) == AUTH_INVALID_MESSAGE
