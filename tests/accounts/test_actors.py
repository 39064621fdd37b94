"""Every action is signed by the person whose token made it (issue 13, item 4): a body naming another actor
is refused (an unknown field) or ignored (a callback's ``recorded_by``), and what is recorded — in the
service's answer, its history and its events — is the token's person. A field that names someone else on
purpose (the leader who approved an extension, who gave an instruction) must be a leader of the directory."""
from __future__ import annotations

import pytest

from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

IMPOSTOR = "supervisor-01"
REPORT = {"channel": "hotline", "village": "chengguan-dongguan", "category": "housing",
          "content": "东关社区危房漏雨墙体开裂"}
ACTOR_FIELDS = ("recorded_by", "received_by", "submitted_by", "accepted_by", "returned_by", "approved_by",
                "concluded_by", "issued_by", "added_by", "corrected_by", "by", "staff")


def refused_or_ignored(client, method: str, path: str, body: dict, actor_field: str = "recorded_by"):
    """Send ``body`` claiming IMPOSTOR as the actor: a refusal naming the field, or nothing of it taken."""
    answer = client.request(method, path, json={**body, actor_field: IMPOSTOR})
    if answer.status_code == 422:
        assert actor_field in str(answer.json()["error"]["details"]), answer.text
        return None
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_every_write_records_the_token_s_person(office):
    with office.client("intake", "hotline-op-01") as intake:
        for field in ("received_by", "recorded_by"):
            assert refused_or_ignored(intake, "POST", "/reports", REPORT, field) is None
        report = intake.post("/reports", json=REPORT).json()
        assert report["received_by"]["code"] == "hotline-op-01"
        assert refused_or_ignored(intake, "PATCH", f"/reports/{report['report_id']}",
                                  {"people_count": 2, "reason": "核实人数"}, "corrected_by") is None
        corrected = intake.patch(f"/reports/{report['report_id']}", json={"people_count": 2, "reason": "核实人数"})
        assert corrected.json()["corrections"][-1]["corrected_by"] == "hotline-op-01"
    with office.client("dispatch", "supervisor-01") as office_staff, \
            office.client("dispatch", "chengguan-handler") as unit:
        case_id = eventually(lambda: unit.get("/cases", params={"report_id": report["report_id"]})
                             .json()["cases"])[0]["case_id"]
        for field in ACTOR_FIELDS:
            assert refused_or_ignored(unit, "POST", f"/cases/{case_id}/acceptance", {}, field) is None
        assert unit.post(f"/cases/{case_id}/acceptance", json={}).status_code == 200
        assert refused_or_ignored(unit, "POST", f"/cases/{case_id}/extension-request",
                                  {"days": 5, "reason": "需协调供电部门"}, "by") is None
        assert unit.post(f"/cases/{case_id}/extension-request", json={"days": 5, "reason": "需协调供电部门"}) \
            .status_code == 200
        # the approving leader is named on purpose, but must be a leader; the office member is recorded apart
        not_a_leader = office_staff.post(f"/cases/{case_id}/extension", json={"approved_by": "hotline-op-01"})
        assert not_a_leader.status_code == 422 and "approved_by" in not_a_leader.text
        approved = office_staff.post(f"/cases/{case_id}/extension", json={"approved_by": "zhao-county-head"})
        assert approved.json()["extension"]["approved_by"] == "zhao-county-head"
        instruct = {"leader": "li-secretary", "comment": "请尽快修复"}
        assert refused_or_ignored(office_staff, "POST", f"/cases/{case_id}/instructions", instruct) is None
        with office.client("dispatch", "li-secretary") as leader:  # a leader records only their own
            assert leader.post(f"/cases/{case_id}/instructions",
                               json={**instruct, "leader": "zhao-county-head"}).status_code == 403
        assert office_staff.post(f"/cases/{case_id}/instructions", json=instruct).status_code == 201
        handling = {"finding": "substantiated", "actions_taken": "已更换路灯", "responsible_person": "刘建国",
                    "unit_head": "陈主任"}
        assert refused_or_ignored(unit, "POST", f"/cases/{case_id}/handling-report", handling, "submitted_by") \
            is None
        reported = unit.post(f"/cases/{case_id}/handling-report", json=handling).json()
        assert reported["handling_reports"][-1]["submitted_by"] == "chengguan-handler"
        history = office_staff.get(f"/cases/{case_id}/history").json()["history"]
        by_action = {e["action"]: e["by"] for e in history}
        assert by_action["accept"] == by_action["extension requested"] == by_action["report"] == "chengguan-handler"
        assert by_action["extended"] == by_action["instructed"] == "supervisor-01"
    with office.client("supervision", "hotline-op-01") as caller, \
            office.client("supervision", "supervisor-01") as supervisor:
        eventually(lambda: caller.get(f"/cases/{case_id}").status_code == 200 and
                   caller.get(f"/cases/{case_id}").json()["state"] != "in_handling")
        called = refused_or_ignored(caller, "POST", f"/cases/{case_id}/callbacks", {"reached": False})
        assert called["callbacks"][-1]["recorded_by"] == "hotline-op-01"
        notice = {"unit": "chengguan", "kind": "rule_breaking", "reason": "路灯长期不修", "evidence": [case_id]}
        assert refused_or_ignored(supervisor, "POST", "/notices", notice, "issued_by") is None
        assert supervisor.post("/notices", json=notice).json()["issued_by"] == "supervisor-01"
        held = {"person": "张三", "unit": "chengguan", "measure": "criticism", "case_id": case_id, "reason": "推诿拖延"}
        assert refused_or_ignored(supervisor, "POST", "/accountability", held) is None
        recorded = supervisor.post("/accountability", json=held)
        assert recorded.status_code == 201, recorded.text
        assert recorded.json()["recorded_by"] == "supervisor-01"
