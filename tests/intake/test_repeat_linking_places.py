"""Which reports are one case when the operator gives the township alone (issue 18 item 6, found in use): the
place written in the words counts, and the same person's other problem is another case. The reviewer's reports
of 城关镇 with the village left empty, through intake's use case (take in, then sort)."""
from sqlalchemy import select

from lianxin.auth import Staff
from services.intake.models import Report
from services.intake.schemas import ReportIn
from tests.support.sorting import sort_registered

OPERATOR = Staff(code="hotline-op-01", role="operator", token_sha256="0" * 64)
ZHANG = {"name": "张建军", "phone": "13800000000"}  # the same (bogus) number on two reports
LIGHTS_DONGGUAN = "东关社区路灯坏了三个月没人修"
RUBBISH_XIGUAN = "西关社区垃圾堆了一周没人清运"


def taken_in(database, intake, content, reporter=None, **place) -> str:
    report = {"channel": "hotline", "township": "chengguan", "content": content, "reporter": reporter, **place}
    with database.unit_of_work() as uow:
        taken, _ = intake.take_in(uow, ReportIn(**report), OPERATOR)
        uow.commit()
        report_id = taken.report_id
    sort_registered(database, intake)
    return report_id


def linked(database) -> dict[str, str | None]:
    """Each report and the report it was joined to, if any."""
    with database.unit_of_work() as uow:
        return {r.report_id: r.duplicate_of and f"R{r.duplicate_of:08d}" for r in uow.session.scalars(select(Report))}


def test_street_lights_of_two_named_communities_are_two_cases(database, intake):
    dongguan = taken_in(database, intake, LIGHTS_DONGGUAN, ZHANG)
    beijie = taken_in(database, intake, "北街社区的路灯坏了半个月", {"name": "王五", "phone": "13712345678"})
    assert linked(database)[beijie] is None, f"北街社区's lights joined {dongguan}'s in 东关社区"


def test_the_same_person_on_another_problem_opens_another_case_and_its_repeat_joins_it(database, intake):
    lights = taken_in(database, intake, LIGHTS_DONGGUAN, ZHANG)
    rubbish = taken_in(database, intake, RUBBISH_XIGUAN, ZHANG)
    again = taken_in(database, intake, RUBBISH_XIGUAN, {"name": "赵六", "phone": "13912345678"})
    assert linked(database) == {lights: None, rubbish: None, again: rubbish}


def test_the_same_person_on_the_same_problem_in_other_words_is_one_case(database, intake):
    first = taken_in(database, intake, LIGHTS_DONGGUAN, ZHANG)
    again = taken_in(database, intake, "我又打电话了，东关那边晚上还是黑漆漆的，灯没人修", ZHANG)
    assert linked(database)[again] == first


def test_a_village_given_and_the_same_village_written_are_one_place(database, intake):
    written = taken_in(database, intake, LIGHTS_DONGGUAN, ZHANG)
    given = taken_in(database, intake, "我们这儿路灯坏了好久，天一黑就黑灯瞎火的",
                     {"name": "钱七", "phone": "13612345678"}, village="chengguan-dongguan")
    assert linked(database)[given] == written


def test_the_township_alone_needs_the_words_themselves_alike(database, intake):
    first = taken_in(database, intake, "镇上路灯坏了好多天了，晚上看不见路")
    other_words = taken_in(database, intake, "天一黑这条街上就黑灯瞎火的，杆子上的灯都坏了")
    same_words = taken_in(database, intake, "镇上路灯坏了好多天了，晚上看不见路，没人管")
    assert linked(database) == {first: None, other_words: None, same_words: first}
