"""Password hashing with scrypt (stdlib ``hashlib.scrypt``) and a per-user random salt.

Stored form: ``scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>``, so the cost can be raised
later without breaking existing hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_N = 2**14
_R = 8
_P = 1
_DKLEN = 32
_SALT_BYTES = 16
_PREFIX = "scrypt"


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` in the stored form."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _derive(password, salt, _N, _R, _P)
    return f"{_PREFIX}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored``; False for a wrong password or a bad hash."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _PREFIX:
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = bytes.fromhex(parts[4])
        expected = bytes.fromhex(parts[5])
        digest = _derive(password, salt, n, r, p)
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=_DKLEN
    )
