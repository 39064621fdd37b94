"""Searching reports by words as staff type them (issue 18 item 2): "村里停水", "停水了", "停水 饮水" and
"自来水没有了" found nothing although ten reports read 「村里自来水停水一周，饮水困难。」. Measured on the labelled
reports (services/intake/reports_labelled.yaml) with the very SQL condition intake runs, on SQLite and
PostgreSQL; ``python -m tests.intake.test_search_words`` prints the figures (whole-string search against bigrams).
"""
from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, select

from lianxin.testing import Office
from services.intake.categories import labelled_set
from services.intake.word_search import grams, matched

WATER_CUT = "村里自来水停水一周，饮水困难。"
# what staff would type, and the specific problem of the labelled set it looks for
QUERIES = [("村里停水", "停水断水"), ("停水了", "停水断水"), ("停水 饮水", "停水断水"), ("自来水没有了", "停水断水"),
           ("没水吃", "停水断水"), ("水管爆了", "停水断水"), ("路灯坏了", "路灯不亮"), ("路灯不亮了", "路灯不亮"),
           ("垃圾没人清运", "垃圾清运"), ("下水道堵了", "下水道堵塞"), ("半夜施工太吵", "噪声扰民"),
           ("养猪场臭得很", "养殖臭气"), ("班车停运了", "班车停运"), ("老板拖欠工钱", "拖欠工钱")]


def test_the_words_are_cut_into_bigrams_without_what_says_nothing_of_the_matter():
    assert grams("村里停水") == ["村里", "里停", "停水"]
    assert grams("停水了") == grams("停水的") == ["停水"]
    assert grams("自来水没有了") == ["自来", "来水"]
    assert grams("停水 饮水") == ["停水", "饮水"]
    assert grams("ＡＴＭ机坏了") == ["atm", "机坏"]
    assert grams("水") == ["水"] and grams("没有") == ["没有"]  # nothing but function words: as typed


def searched_table(connection, texts: list[str]) -> Table:
    """A temporary table of ``texts`` (gone with the connection), ids in the order given."""
    table = Table("searched", MetaData(), Column("id", Integer, primary_key=True), Column("content", Text),
                  prefixes=["TEMPORARY"])
    table.create(connection)
    connection.execute(table.insert(), [{"id": n, "content": text} for n, text in enumerate(texts, 1)])
    return table


def found(connection, table: Table, words: str) -> list[int]:
    """The ids found for ``words`` as intake lists them: best matched first, then newest (highest id)."""
    held, how_well = matched(table.c.content, words)
    query = select(table.c.id).where(held).order_by(how_well.desc(), table.c.id.desc())
    return list(connection.scalars(query))


def as_typed(connection, table: Table, words: str) -> list[int]:
    """What the search found before: the words as one string."""
    return list(connection.scalars(select(table.c.id).where(table.c.content.contains(words, autoescape=True))))


def figures(connection) -> list[dict]:
    """Per query: found as one string, found by bigrams, of those about the problem and of its subject, and the
    problem's reports."""
    reports = labelled_set()[0]
    table = searched_table(connection, [r.text for r in reports])
    rows = []
    for words, problem in QUERIES:
        about = {n for n, r in enumerate(reports, 1) if r.problem == problem}
        [subject] = {reports[n - 1].category for n in about}
        hits = found(connection, table, words)
        rows.append({"words": words, "before": len(as_typed(connection, table, words)), "now": len(hits),
                     "on_problem": len(about & set(hits)), "on_subject": sum(reports[n - 1].category == subject
                                                                             for n in hits),
                     "problem": problem, "problem_reports": len(about)})
    return rows


@pytest.fixture(params=["sqlite", "postgresql"])
def connection(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'search.db'}"
        engine = create_engine(url)
        with engine.connect() as conn:
            yield conn
        engine.dispose()
        return
    with request.getfixturevalue("kept_databases").lend() as urls:
        engine = create_engine(urls["intake"])
        with engine.connect() as conn:
            yield conn
            conn.rollback()
        engine.dispose()


def test_the_reviewers_words_find_the_ten_water_cuts_newest_first(connection):
    table = searched_table(connection, ["村里的路灯坏了", *[WATER_CUT] * 10, "自来水水费太贵", "停电了"])
    water_cuts = list(range(11, 1, -1))
    for words in ("村里停水", "停水了", "停水 饮水", "停水", "饮水困难"):
        assert found(connection, table, words) == water_cuts, words
    for words in ("自来水没有了", "自来水"):  # the newest first: the water bill too speaks of 自来水
        assert found(connection, table, words) == [12, *water_cuts], words
    assert found(connection, table, "村里停电") == [] and found(connection, table, "路灯 停水") == []
    assert found(connection, table, "50%") == [] and found(connection, table, "没有") == []


def test_on_the_labelled_reports_every_query_finds_more_and_mostly_its_problem(connection):
    rows = figures(connection)
    for row in rows:
        assert row["now"] >= row["before"], row
        assert row["on_subject"] == row["now"], row  # what is found is on the matter searched for
    assert sum(r["now"] for r in rows) >= 2 * sum(r["before"] for r in rows)


if __name__ == "__main__":
    with create_engine("sqlite://").connect() as conn:
        print("words\tas one string\tbigrams\tof its subject\tof the problem\tproblem (its reports)")
        rows = figures(conn)
        for row in rows:
            print(f"{row['words']}\t{row['before']}\t{row['now']}\t{row['on_subject']}\t{row['on_problem']}\t"
                  f"{row['problem']} ({row['problem_reports']})")
        total = {k: sum(r[k] for r in rows) for k in ("before", "now", "on_subject", "on_problem")}
        print("all\t{before}\t{now}\t{on_subject}\t{on_problem}".format(**total))


@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start("intake", "accounts")
    yield office
    office.stop()


@pytest.mark.integration
def test_intake_lists_what_the_words_find_best_matched_then_newest_page_by_page(office):
    place = {"channel": "hotline", "village": "shihe-hekou"}
    with office.client("intake", "supervisor-01") as intake:
        ids = [intake.post("/reports", json={**place, "content": text}).json()["report_id"]
               for text in ("村里停水了三天", WATER_CUT, WATER_CUT, "路灯坏了")]
        searched = intake.get("/reports", params={"q": "村里停水"}).json()
        assert [r["report_id"] for r in searched["reports"]] == [ids[0], ids[2], ids[1]]
        first = intake.get("/reports", params={"q": "停水了", "limit": 2}).json()
        rest = intake.get("/reports", params={"q": "停水了", "limit": 2, "after": first["next_after"]}).json()
        assert [r["report_id"] for r in first["reports"] + rest["reports"]] == [ids[2], ids[1], ids[0]]
        assert intake.get("/reports", params={"q": "自来水没有了"}).json()["reports"][0]["report_id"] == ids[2]
