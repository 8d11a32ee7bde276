"""``scoring-cli admin`` as a black box: a fresh data dir made by ``scoring-server init``,
a real server process, the example competition file, CSV lists, and a judge's first login
with a generated password that must be changed."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import postgres
from tests.helpers.server_process import ServerProcess

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "competition.json"
ADMIN_PASSWORD = "chief-password"


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Office:
    url: str
    home: Path
    tmp: Path

    def cli(
        self, *args: str, user: str = "chief", password: str = ADMIN_PASSWORD, **env: str
    ) -> Run:
        environ = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SCORING_") or k == "SCORING_CONSOLE_HOME"
        }
        environ.update(SCORING_CONSOLE_KEYRING="memory", SCORING_PASSWORD=password, **env)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "scoring_console.client.cli",
                "--server",
                self.url,
                "--username",
                user,
                "--data-dir",
                str(self.home),
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
            env=environ,
            stdin=subprocess.DEVNULL,
        )
        return Run(result.returncode, result.stdout, result.stderr)

    def write(self, name: str, data: Any) -> Path:
        path = self.tmp / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(json.dumps(data), encoding="utf-8")
        return path


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    data = tmp_path / "server"
    init = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring_console.server",
            "init",
            "--data-dir",
            str(data),
            "--admin",
            "chief",
            *postgres.server_args(data),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "SCORING_PASSWORD": ADMIN_PASSWORD},
        stdin=subprocess.DEVNULL,
    )
    assert init.returncode == 0, init.stderr
    proc = ServerProcess(data_dir=data, demo=False)
    proc.start()
    try:
        yield Office(proc.url, tmp_path / "cli", tmp_path)
    finally:
        proc.stop()


def _example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


@pytest.mark.slow
def test_import_twice_edit_export_and_a_judges_first_login(office: Office) -> None:
    dry = office.cli("admin", "import", str(EXAMPLE), "--dry-run")
    assert dry.code == 0, dry.err
    assert "(dry run, nothing applied)" in dry.out and "one-time" not in dry.out
    first = office.cli("admin", "import", str(EXAMPLE))
    assert first.code == 0, first.err
    assert (
        "would change" not in first.out
        and "changed: category 'Variety Talent' created in Junior Showcase" in first.out
    )
    passwords = dict(
        line.strip().split(": ", 1)
        for line in first.out.split("one-time passwords")[1].splitlines()[1:]
    )
    assert set(passwords) == {"jdoe", "mrossi", "akim", "lnovak", "pbrown", "tally"}

    again = office.cli("admin", "import", str(EXAMPLE))
    assert again.code == 0 and "nothing to change" in again.out, again

    edited = _example()
    edited["contests"][1]["categories"][0]["contestants"][0]["name"] = "Mia Tanaka-Ito"
    changed = office.cli("admin", "import", str(office.write("edited.json", edited)))
    assert changed.code == 0, changed.err
    assert "changed: contestant 201 'Mia Tanaka' → 201 'Mia Tanaka-Ito'" in changed.out

    exported = office.tmp / "export.json"
    out = office.cli("admin", "export", str(exported))
    assert out.code == 0 and "2 contest(s), 3 categor(ies), 7 account(s)" in out.out, out
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["contests"][1]["categories"][0]["contestants"][0]["name"] == "Mia Tanaka-Ito"
    assert office.cli("admin", "import", str(exported)).out.startswith("nothing to change")

    # the judge's first login: the generated password must be replaced
    refused = office.cli("status", user="jdoe", password=passwords["jdoe"])
    assert refused.code == 2 and "must be changed: set SCORING_NEW_PASSWORD" in refused.err
    status = office.cli(
        "--json",
        "status",
        user="jdoe",
        password=passwords["jdoe"],
        SCORING_NEW_PASSWORD="jane-new-password",
    )
    assert status.code == 0, status.err
    assert json.loads(status.out)["user"]["username"] == "jdoe"
    again_status = office.cli("status", user="jdoe", password="jane-new-password")
    assert again_status.code == 0, again_status.err
    old = office.cli("status", user="jdoe", password=passwords["jdoe"])
    assert old.code == 4


def test_bad_file_names_the_path_and_sends_nothing(office: Office) -> None:
    bad = _example()
    bad["contests"][0]["categories"][1]["criteria"][2]["maxScore"] = 0
    run = office.cli("admin", "import", str(office.write("bad.json", bad)))
    assert run.code == 5
    assert "contests[0].categories[1].criteria[2].maxScore: must be > 0" in run.err
    export = office.cli("admin", "export", str(office.tmp / "nothing.json"))
    assert export.code == 1 and "there is no event yet" in export.err
    broken = office.write("broken.json", b'{"event": ')
    run = office.cli("admin", "import", str(broken))
    assert run.code == 5 and "is not JSON: line 1" in run.err


@pytest.mark.slow
def test_csv_contestants_and_users_with_bom_and_semicolons(office: Office) -> None:
    assert office.cli("admin", "import", str(EXAMPLE)).code == 0
    people = office.write(
        "people.csv", "\ufeffBib;Name\n104;Mateo García\n109;Yara Haddad\n\n".encode()
    )
    run = office.cli(
        "admin",
        "import-csv",
        "contestants",
        str(people),
        "--category",
        "Senior Showcase/Vocal Performance",
    )
    assert run.code == 0, run.err
    assert "changed: contestant 104 'Mateo Garcia' → 104 'Mateo García'" in run.out
    assert (
        "changed: contestant 109 Yara Haddad added to Vocal Performance (Senior Showcase)"
        in run.out
    )
    users = office.write(
        "users.csv", b"username,name,role\nnew1,New One,judge\njdoe,Jane D.,JUDGE\n"
    )
    run = office.cli("admin", "import-csv", "users", str(users))
    assert run.code == 0, run.err
    assert "account new1 (New One, JUDGE) created" in run.out and "new1: " in run.out
    assert "account jdoe: name 'Jane Doe' → 'Jane D.'" in run.out
    wrong = office.write("wrong.csv", b"number,name\nabc,Nobody\n")
    run = office.cli(
        "admin", "import-csv", "contestants", str(wrong), "--category", "Variety Talent"
    )
    assert run.code == 5 and "row 2: number: 'abc' is not a whole number" in run.err
    missing = office.write("missing.csv", b"name\nNobody\n")
    run = office.cli(
        "admin", "import-csv", "contestants", str(missing), "--category", "Variety Talent"
    )
    assert run.code == 5 and "missing column(s) number" in run.err


def test_accounts_reset_and_deactivate(office: Office) -> None:
    edited = copy.deepcopy(_example())
    edited["users"][0]["password"] = "jane-password"
    assert office.cli("admin", "import", str(office.write("c.json", edited))).code == 0
    assert office.cli("status", user="jdoe", password="jane-password").code == 0
    off = office.cli("admin", "deactivate", "jdoe")
    assert off.code == 0 and "jdoe: deactivated" in off.out
    assert office.cli("status", user="jdoe", password="jane-password").code == 4
    assert office.cli("admin", "reactivate", "jdoe").code == 0
    reset = office.cli("admin", "reset-password", "jdoe")
    assert reset.code == 0 and "new one-time password" in reset.out
    listing = office.cli("admin", "users")
    assert "jdoe" in listing.out and "must change password" in listing.out
    judge = office.cli("admin", "users", user="jdoe", password="jane-password")
    assert judge.code == 4  # the old password is gone


def test_csv_problems_name_the_row_and_the_person_not_a_generated_file(office: Office) -> None:
    """A spreadsheet row reusing another category's bib number, a repeated number or a
    misspelt role used to be reported at positions of the merged file the office never
    saw (``contests[0].categories[1].contestants[0].name: …``); now the CSV row, the
    person and the category are named, and nothing is applied."""
    assert office.cli("admin", "import", str(EXAMPLE)).code == 0
    people = office.write("people.csv", b"number;name\n110;Zoe Quinn\n105;Zoe Quinn\n110;Z. Q.\n")
    run = office.cli(
        "admin", "import-csv", "contestants", str(people), "--category", "Vocal Performance"
    )
    assert run.code == 5, run
    assert (
        "row 3: number 105 is already Hannah Schultz (in Contemporary Dance); use a free "
        "number, or that name to add them to this category too" in run.err
    )
    assert "row 4: number 110 is also on row 2" in run.err
    assert "contests[" not in run.err
    # the same person may compete in a second category under the same number
    same = office.write("same.csv", b"number,name\n105,Hannah Schultz\n")
    run = office.cli(
        "admin", "import-csv", "contestants", str(same), "--category", "Vocal Performance"
    )
    assert run.code == 0, run.err
    assert "contestant 105 Hannah Schultz added to Vocal Performance (Senior Showcase)" in run.out
    users = office.write("users.csv", b"username,name,role\nnew2,New Two,Jduge\n")
    run = office.cli("admin", "import-csv", "users", str(users))
    assert run.code == 5
    assert "row 2: role: 'Jduge' is not one of JUDGE, TALLY_MASTER, AUDITOR" in run.err
    assert "users[" not in run.err
    assert "new2" not in office.cli("admin", "users").out
    exported = office.tmp / "after.json"
    assert office.cli("admin", "export", str(exported)).code == 0
    assert "Zoe Quinn" not in exported.read_text(encoding="utf-8")
