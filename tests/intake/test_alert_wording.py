"""An early warning reads as the office writes it (issue 18 item 1): people gathering about the subject the county
files such gatherings under (集体上访) are not said to petition 'because of a collective petition'."""
from sqlalchemy import select

from lianxin.auth import Staff
from lianxin.directory import load_directory
from lianxin.i18n.kept_texts import directory_names, read
from services.intake.models import Alert
from services.intake.schemas import ReportIn
from services.intake.texts import TEXTS
from tests.support.county import SAMPLE

OPERATOR = Staff(code="hotline-op-01", role="operator", token_sha256="0" * 64)
GATHERING = {"channel": "visit", "village": "chengguan-dongguan", "category": "collective-petition",
             "content": "三十多人堵在镇政府门口", "people_count": 30, "gathering": True}


def alert_said(database, intake, report: dict, *langs: str) -> list[str]:
    """The early warning the report raised as taken in, said in each of ``langs``."""
    with database.unit_of_work() as uow:
        intake.take_in(uow, ReportIn(**report), OPERATOR)
        uow.commit()
        message = uow.session.scalars(select(Alert.message)).one()
    return [read(message, lang, TEXTS, directory_names(load_directory(SAMPLE))) for lang in langs]


def test_a_gathering_names_its_place_and_people_and_its_subject_as_a_subject(database, intake):
    assert alert_said(database, intake, GATHERING, "zh", "en") \
        == ["城关镇发生 30 人聚集上访（问题类别：集体上访）：领导须在一小时内拿出处置方案",
            "30 people are gathering to petition in 城关镇 (subject: 集体上访): leaders to have a plan within the hour"]


def test_a_gathering_about_another_subject_says_it_the_same_way(database, intake):
    assert alert_said(database, intake, {**GATHERING, "category": "wage-arrears"}, "zh") \
        == ["城关镇发生 30 人聚集上访（问题类别：拖欠工资）：领导须在一小时内拿出处置方案"]


def test_a_gathering_in_no_known_place(database, intake):
    place = {"village": None, "location": "县城某处", "content": "有人聚集"}
    assert alert_said(database, intake, {**GATHERING, **place}, "zh", "en") \
        == ["发生 30 人聚集上访，地点不明（问题类别：集体上访）：领导须在一小时内拿出处置方案",
            "30 people are gathering to petition, place unknown (subject: 集体上访): leaders to have a plan "
            "within the hour"]
