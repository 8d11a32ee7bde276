"""scrypt password hashes: salted, verifiable, robust against malformed input."""

from __future__ import annotations

from scoring_console.server.passwords import hash_password, verify_password


def test_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("demo")
    assert stored.startswith("scrypt$")
    assert verify_password("demo", stored)
    assert not verify_password("Demo", stored)
    assert not verify_password("", stored)


def test_each_hash_has_its_own_salt() -> None:
    assert hash_password("demo") != hash_password("demo")


def test_malformed_hashes_never_verify() -> None:
    for stored in ("", "demo", "scrypt$1$2$3", "bcrypt$16384$8$1$00$00", "scrypt$x$8$1$zz$zz"):
        assert not verify_password("demo", stored)
