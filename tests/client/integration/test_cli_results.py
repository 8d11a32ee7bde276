"""``scoring-cli results``: the ranking by the category's rules, against a real server."""

from __future__ import annotations

from tests.client.integration.conftest import server_snapshot
from tests.client.integration.scoring_helpers import score_rows
from tests.client.integration.test_cli import Cli, cli  # noqa: F401  (fixture)

JUDGES = [f"judge{i}" for i in range(1, 6)]


async def test_results_json_shape_ranks_and_provisional_status(cli: Cli) -> None:  # noqa: F811
    snapshot = await server_snapshot(cli.server)
    category = min((c for c in snapshot.categories), key=lambda c: c.id)
    criteria = [k.id for k in category.criteria]
    a, b, c = category.contestant_ids[:3]
    for i, judge in enumerate(JUDGES):
        # a and b tie exactly: 0.1 + 0.2 on one side, 0.3 + 0.0 on the other
        rows = {a: [0.1, 0.2, 5.0], b: [0.3, 0.0, 5.0], c: [9.0, 9.0, 9.0 - i * 0.5]}
        await score_rows(cli.server, judge, category.id, criteria, rows)

    result = await cli.run("--json", "results", "--category", str(category.id), user="tally1")
    assert result.code == 0, result.err
    data = result.json()
    assert set(data) == {"categoryId", "status", "ranking"}
    assert data["categoryId"] == category.id and data["status"] == "provisional"
    by_id = {row["contestantId"]: row for row in data["ranking"]}
    assert set(by_id[a]) == {"contestantId", "number", "name", "total", "rank"}
    names = {x.id: (x.number, x.name) for x in snapshot.contestants}
    assert (by_id[a]["number"], by_id[a]["name"]) == names[a]
    assert by_id[c]["rank"] == 1 and by_id[c]["total"] == 130.0  # 5 × 27 − (0+.5+1+1.5+2)
    assert by_id[a]["rank"] == by_id[b]["rank"] == 2  # an exact tie, not float noise
    assert by_id[a]["total"] == by_id[b]["total"] == 26.5
    assert by_id[category.contestant_ids[3]]["rank"] == 4  # unscored: total 0

    # the option also works after the command, and people get a table with marks
    late_json = await cli.run("results", "--category", str(category.id), "--json", user="tally1")
    assert late_json.json() == data
    human = await cli.run("results", "--category", str(category.id), user="tally1")
    assert human.code == 0, human.err
    assert "provisional" in human.out and "0 of 15 scores" in human.out
    assert "26.50" in human.out


async def test_results_refuses_judges_and_unknown_categories(cli: Cli) -> None:  # noqa: F811
    judge = await cli.run("results", "--category", "1", user="judge1")
    assert judge.code == 1 and "judges do not see totals" in judge.err
    unknown = await cli.run("results", "--category", "9999", user="tally1")
    assert unknown.code == 5 and "category 9999" in unknown.err
