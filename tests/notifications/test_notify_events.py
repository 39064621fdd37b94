"""Who is told of a return refused and of a ten-day digest, from the events (on SQLite, no bus): the unit
hears the office's reason once, never also "sent again"; leaders and supervisors hear of each ten-day digest;
intake puts digest.published in its outbox with the digest it stores."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import services.intake.service as intake
import services.notifications.service as notifications
from lianxin.auth import load_credentials
from lianxin.db import Database
from lianxin.directory import load_directory
from lianxin.events import AlertRaised, CaseDispatched, CaseOverdue, CaseReturnRefused, DigestPublished, parse_event
from lianxin.messaging_tables import outbox
from lianxin.notify.contacts import StaffFileContacts
from lianxin.notify.schedule import QuietHours
from services.intake import digest_records, digest_writing
from services.notifications.models import Delivery
from services.notifications.telling import Teller
from tests.support.county import SAMPLE

REFUSED_AT = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)
DEADLINE = REFUSED_AT + timedelta(days=7)
DIRECTORY = load_directory(SAMPLE)


@pytest.fixture
def database(tmp_path):
    found = Database.of_service(notifications, f"sqlite:///{tmp_path}/notifications.db")
    yield found
    found.stop()


@pytest.fixture
def teller():
    return Teller(StaffFileContacts(load_credentials(SAMPLE.with_name("staff.yaml"))), DIRECTORY,
                  QuietHours.parse(""))


def refusal(reason="属城关镇辖区，请继续办理"):
    return CaseReturnRefused(case_id="C00000007", unit="chengguan", reason=reason, refused_by="supervisor-01",
                             refused_at=REFUSED_AT, deadline=DEADLINE, round=0)


def sent_again():
    return CaseDispatched(case_id="C00000007", report_id="R00000007", unit="chengguan", unit_kind="township",
                          category="roads", severity="general", deadline=DEADLINE, routing_reason="x",
                          received_at=REFUSED_AT - timedelta(days=2), dispatched_at=REFUSED_AT, redispatch=True)


def apply(database, handler, payload):
    with database.unit_of_work() as uow:
        handler(uow, payload)
        uow.commit()


def told(database) -> list[tuple[str, str, str]]:
    with database.unit_of_work() as uow:
        return sorted((d.recipient, d.channel, d.template) for d in uow.session.scalars(select(Delivery)))


UNIT = [("chengguan-handler", "email"), ("chengguan-handler", "sms"), ("chengguan-head", "email")]


@pytest.mark.parametrize("order", ["refusal first", "dispatch first"])
def test_a_refused_return_tells_the_unit_the_reason_once_whichever_event_comes_first(database, teller, order):
    steps = [(teller.return_refused, refusal()), (teller.case_dispatched, sent_again())]
    for handler, payload in (steps if order == "refusal first" else steps[::-1]):
        apply(database, handler, payload)
    assert told(database) == [(code, channel, "case_return_refused") for code, channel in UNIT]
    with database.unit_of_work() as uow:
        variables = uow.session.scalars(select(Delivery.variables)).first()
    assert variables == {"case_id": "C00000007", "reason": "属城关镇辖区，请继续办理", "deadline": "2026-12-10"}
    apply(database, teller.return_refused, refusal())  # the same event again
    assert len(told(database)) == 3


def test_a_long_reason_is_cut_to_what_an_sms_template_variable_takes(database, teller):
    apply(database, teller.return_refused, refusal("此事" * 40))
    with database.unit_of_work() as uow:
        reason = uow.session.scalars(select(Delivery.variables)).first()["reason"]
    assert len(reason) == 35 and reason.endswith("…")


def digest(kind="ten-day"):
    return DigestPublished(kind=kind, year=2026, issue=34, period_start="2026-12-01", period_end="2026-12-10",
                           reports=12, published_at=REFUSED_AT)


def test_leaders_and_supervisors_hear_of_each_ten_day_digest_once_and_not_of_the_weekly_one(database, teller):
    apply(database, teller.digest_published, digest("week"))
    assert told(database) == []
    apply(database, teller.digest_published, digest())
    apply(database, teller.digest_published, digest())
    found = told(database)
    assert {("li-secretary", "email", "digest_published"), ("supervisor-01", "sms", "digest_published")} <= set(found)
    assert not any(code.startswith("chengguan") for code, _, _ in found)
    assert len(found) == len(set(found))
    with database.unit_of_work() as uow:
        variables = uow.session.scalars(select(Delivery.variables)).first()
    assert variables == {"issue": "34", "period": "2026-12-01~2026-12-10", "reports": "12"}


def test_intake_announces_each_digest_it_stores_with_no_item_of_it(tmp_path):
    database = Database.of_service(intake, f"sqlite:///{tmp_path}/intake.db")
    try:
        today = digest_writing.county_day(datetime.now(timezone.utc))
        with database.unit_of_work() as uow:
            digest_records.produce_due(uow, DIRECTORY, today)
            uow.commit()
        with database.unit_of_work() as uow:
            digest_records.produce_due(uow, DIRECTORY, today)  # stored already: nothing announced again
            uow.commit()
            bodies = list(uow.session.execute(select(outbox.c.body).where(outbox.c.type == "digest.published")))
    finally:
        database.stop()
    events = sorted((parse_event(body) for body, in bodies), key=lambda e: e.data["kind"])
    assert [e.data["kind"] for e in events] == ["ten-day", "week"]
    ten_day = events[0].data
    ended = digest_writing.ten_day_period(today).previous()
    assert (ten_day["issue"], ten_day["period_start"], ten_day["reports"]) == (ended.issue, ended.start.isoformat(), 0)
    assert set(json.loads(bodies[0][0])["data"]) == {"kind", "year", "issue", "period_start", "period_end", "reports",
                                                     "published_at"}


def key_case(unit="shihe", round_=0, redispatch=False, at=REFUSED_AT):
    return CaseDispatched(case_id="C00000057", report_id="R00000057", unit=unit, unit_kind="township",
                          category="roads", severity="major", deadline=DEADLINE, routing_reason="x",
                          received_at=REFUSED_AT, dispatched_at=at, redispatch=redispatch, round=round_)


def test_leaders_and_supervisors_hear_of_a_key_case_once_and_again_when_it_is_overdue(database, teller):
    """C00000057 brought them 12 messages in 4 minutes: at its dispatch, its routing by hand and its reopening."""
    apply(database, teller.case_dispatched, key_case())
    arrived = [t for t in told(database) if t[2] == "key_case"]
    assert {code for code, _, _ in arrived} >= {"li-secretary", "supervisor-01"}
    later = REFUSED_AT + timedelta(minutes=2)
    apply(database, teller.case_dispatched, key_case("chengguan", redispatch=True, at=later))  # routed by hand
    apply(database, teller.case_dispatched, key_case("chengguan", round_=1, redispatch=True, at=later))  # reopened
    apply(database, teller.case_dispatched, key_case())  # the first event redelivered
    assert [t for t in told(database) if t[2] == "key_case"] == arrived
    assert {t[0] for t in told(database) if t[2] == "case_sent_again"} == {"chengguan-handler", "chengguan-head"}
    near = CaseOverdue(case_id="C00000057", unit="chengguan", stage="near_deadline", deadline=DEADLINE,
                       flagged_at=later)
    apply(database, teller.case_overdue, near)
    assert not [t for t in told(database) if t[2] == "key_case_overdue"]
    overdue = near.model_copy(update={"stage": "overdue"})
    apply(database, teller.case_overdue, overdue)
    apply(database, teller.case_overdue, overdue)
    again = [t for t in told(database) if t[2] == "key_case_overdue"]
    assert again == [(code, channel, "key_case_overdue") for code, channel, _ in arrived]


def test_an_ordinary_case_overdue_tells_its_unit_only(database, teller):
    apply(database, teller.case_overdue, CaseOverdue(case_id="C00000007", unit="chengguan", stage="overdue",
                                                     deadline=DEADLINE, flagged_at=REFUSED_AT))
    assert told(database) == [(code, channel, "case_overdue") for code, channel in UNIT]


def named_in_messages(database, template) -> dict[str, dict]:
    with database.unit_of_work() as uow:
        return {d.recipient: d.variables for d in uow.session.scalars(select(Delivery).where(
            Delivery.template == template))}


def test_a_key_case_and_an_alert_name_the_unit_and_place_in_each_persons_language(database, teller):
    """li-secretary reads English (deploy/staff.yaml), supervisor-01 Chinese: each message names the
    unit in its reader's language, as it is written."""
    apply(database, teller.case_dispatched, key_case())
    apply(database, teller.case_overdue, CaseOverdue(case_id="C00000057", unit="shihe", stage="overdue",
                                                     deadline=DEADLINE, flagged_at=REFUSED_AT))
    for template in ("key_case", "key_case_overdue"):
        told_to = named_in_messages(database, template)
        assert (told_to["li-secretary"]["unit"], told_to["supervisor-01"]["unit"]) == ("Shihe Town", "石河镇")
    for alert_id, township, words in (("A000001", "shihe", ("Shihe Town", "石河镇")),
                                      ("A000002", None, ("Lianxin County", "连心县"))):
        apply(database, teller.alert_raised, AlertRaised(
            alert_id=alert_id, kind="surge", message="surge", township=township, raised_at=REFUSED_AT))
        with database.unit_of_work() as uow:
            told_to = {d.recipient: d.variables["place"] for d in uow.session.scalars(select(Delivery).where(
                Delivery.cause == alert_id))}
        assert (told_to["li-secretary"], told_to["supervisor-01"]) == words
