"""Every program answers --help and --version without loading Qt (a machine without
Qt's system libraries can still ask what the program is)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scoring_console import __version__

BIN = Path(sys.executable).parent


@pytest.fixture
def env_without_qt(tmp_path: Path) -> dict[str, str]:
    """An environment where ``import PySide6`` fails, as without Qt's libraries."""
    fake = tmp_path / "no-qt" / "PySide6"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ImportError('libxcb-cursor.so.0: cannot open shared object file')\n"
    )
    return dict(os.environ, PYTHONPATH=str(fake.parent))


@pytest.mark.parametrize("program", ["scoring-console", "scoring-server", "scoring-cli"])
def test_version_and_help_without_qt(program: str, env_without_qt: dict[str, str]) -> None:
    version = subprocess.run(
        [str(BIN / program), "--version"],
        env=env_without_qt,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"{program} {__version__}"
    helped = subprocess.run(
        [str(BIN / program), "--help"],
        env=env_without_qt,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert helped.returncode == 0, helped.stderr
    assert "--version" in helped.stdout and "usage:" in helped.stdout


def test_the_fake_really_hides_qt(env_without_qt: dict[str, str]) -> None:
    started = subprocess.run(
        [str(BIN / "scoring-console"), "--server", "http://127.0.0.1:9"],
        env=env_without_qt,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "libxcb-cursor.so.0" in started.stderr


def test_a_bad_console_option_is_refused_before_qt(env_without_qt: dict[str, str]) -> None:
    result = subprocess.run(
        [str(BIN / "scoring-console"), "--size", "wide"],
        env=env_without_qt,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "WIDTHxHEIGHT" in result.stderr


@pytest.mark.parametrize(
    ("setting", "backend", "usable"),
    [
        ("memory", "scoring_console.client.memory_keyring.MemoryKeyring", True),
        ("none", "keyring.backends.fail.Keyring", False),
    ],
)
def test_cli_doctor_names_the_keyring_backend(
    setting: str, backend: str, usable: bool, tmp_path: Path
) -> None:
    import json

    from tests.server.ops.certs import self_signed

    pem, _ = self_signed(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "SCORING_USERNAME"}
    env.update(SCORING_CONSOLE_KEYRING=setting, SCORING_CONSOLE_CAFILE=str(pem))
    result = subprocess.run(
        [str(BIN / "scoring-cli"), "--json", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["keyringBackend"] == backend and report["keyringUsable"] is usable
    assert report["keyringSetting"] == setting and report["frozen"] is False
    assert report["pinnedCertificate"] == str(pem)
