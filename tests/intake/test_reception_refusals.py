"""Substituting a leader on a reception day is refused in one sentence in the person's words (issue 18): before
the month's calendar is published (it was refused with a code, "There is no published reception session
2026-12-15-deputy"), with nobody ticked or no reason (it said 「Unavailable至少需要 1 项；理由不能为空」), and for
someone who is no county leader."""
import pytest

from lianxin.testing import Office

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start("intake", "accounts")
    yield office
    office.stop()


def refused(answer, status):
    assert answer.status_code == status, answer.text
    return answer.json()["error"]["message"]


def test_substitution_refusals_say_what_to_do_in_one_sentence(office):
    deputy = "/reception/sessions/2026-12-15-deputy/substitution"
    good = {"unavailable": ["ma-deputy-urban"], "reason": "赴省里开会"}
    with office.client("intake", "supervisor-01") as supervisor:
        assert refused(supervisor.post(deputy, json=good), 404) == (
            "2026-12的接访安排尚未公布：请先公布，再登记补位接访的领导")
        assert refused(supervisor.post(deputy, json=good, headers=ENGLISH), 404) == (
            "The reception calendar of 2026-12 is not published yet: publish it, then record who stands in for a "
            "leader")
        assert supervisor.post("/reception/calendar/2026-12/publication").status_code == 201
        assert refused(supervisor.post(deputy, json={}), 422) == (
            "请勾选不能到场的接访领导；请简要说明接访领导不能到场的理由")
        assert refused(supervisor.post(deputy, json={"unavailable": [], "reason": " 开"}, headers=ENGLISH), 422) == (
            "Tick the leader who cannot attend; Say in a few words why the leader cannot attend")
        assert refused(supervisor.post(deputy, json={**good, "unavailable": ["nobody"]}), 422) == (
            "县名录中没有县级领导nobody：只有当天接访的县级领导才能登记为不能到场")
        assert refused(supervisor.post("/reception/sessions/2026-12-16-deputy/substitution", json=good), 404) == (
            "已公布的接访安排中，2026-12-16没有这场接访：请从当月的接访安排中选择")
