"""``scoring-cli doctor``: what this installation uses, without a server or a login.

Prints the version, whether it runs frozen (a PyInstaller bundle), the keyring setting
and the backend class ``keyring`` chose — the bundle's smoke test checks it names a real
backend where the desktop has one, not ``keyring.backends.fail.Keyring`` — and a pinned
certificate, if any.
"""

from __future__ import annotations

import platform
import sys
from typing import Any

import keyring

from scoring_console import __version__

from ..keyring_choice import keyring_backend_from_env, keyring_choice, keyring_usable
from ..tls import pinned_cafile
from .output import Output


def _class_name(obj: object) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def doctor_report() -> dict[str, Any]:
    """The facts, as a JSON-able mapping."""
    chosen = keyring_backend_from_env()
    backend = chosen if chosen is not None else keyring.get_keyring()
    chained = [_class_name(b) for b in getattr(backend, "backends", [])]
    return {
        "version": __version__,
        "frozen": bool(getattr(sys, "frozen", False)),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "keyringSetting": keyring_choice(),
        "keyringBackend": _class_name(backend),
        "keyringChained": chained,
        "keyringUsable": keyring_usable(backend),
        "pinnedCertificate": pinned_cafile(),
    }


def run_doctor(output: Output) -> int:
    """Print the report (``--json``: one object); always exit 0."""
    report = doctor_report()
    human = [
        f"scoring-cli {report['version']} (python {report['python']}"
        + (", frozen bundle)" if report["frozen"] else ")"),
        f"platform:   {report['platform']}",
        f"keyring:    {report['keyringSetting']} -> {report['keyringBackend']}"
        + (f" [{', '.join(report['keyringChained'])}]" if report["keyringChained"] else "")
        + ("" if report["keyringUsable"] else " (no keyring: logins last one session)"),
        f"pinned TLS certificate: {report['pinnedCertificate'] or 'none (system CAs)'}",
    ]
    output.result(human, report)
    return 0
