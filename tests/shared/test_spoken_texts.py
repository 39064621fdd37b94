"""What the services write themselves — refusals, routing reasons, history lines, alerts, review reasons — is
said in the language the request asks for (Accept-Language, Chinese by default), with the county's names
for its codes; events carry the codes, not the prose."""
import json

import pytest

from lianxin.errors import Invalid
from lianxin.i18n.kept_texts import kept, part, read
from lianxin.schemas import validate
from services.intake.schemas import ReportIn
from tests.support.reports import REPORT, SIGNED_REPORT, case_of
from tests.support.waiting import eventually

ZH, EN = {"Accept-Language": "zh-CN,zh;q=0.9"}, {"Accept-Language": "en"}
CROWD = {**REPORT, "reporter": None, "category": "drinking-water", "people_count": 30,
         "content": "东关社区三十户人家自来水停了一个星期，没人来修。"}


def said(refusal: Invalid, lang: str) -> tuple[str, list[dict]]:
    return refusal.said_in(lang)


def test_a_field_refused_is_one_sentence_naming_it_in_the_persons_words():
    with pytest.raises(Invalid) as refused:
        validate(ReportIn, {**REPORT, "reporter": {"phone": "call me"}})
    # intake's one phone rule (lianxin.phones) says what a number must be, so the caller knows what to type
    sentence = "Phone number is not a mobile number or a landline number with its area code"
    assert said(refused.value, "en") == (sentence, [{"field": "reporter.phone", "problem": sentence}])
    assert said(refused.value, "zh")[0] == "电话号码不是有效的手机号码或带区号的固定电话号码"
    with pytest.raises(Invalid) as missing:
        validate(ReportIn, {"reporter": None})
    assert said(missing.value, "zh")[0] == "请填写来源渠道；请填写反映内容"
    assert said(missing.value, "en")[0] == "Channel is required; What happened is required"


def test_old_prose_reads_as_it_was_and_kept_codes_read_in_each_language():
    names = {("unit", "chengguan"): "城关镇", ("category", "drinking-water"): "饮水难"}.get
    messages = {"local_matter": "%(category)s is a local matter: %(township)s"}
    stored = kept(part("local_matter", category="drinking-water", township="chengguan"))
    def name(kind, code):
        return names((kind, code), code)
    assert read(stored, "en", messages, name) == "饮水难 is a local matter: 城关镇"
    assert read(stored, "zh", messages, name) == "饮水难属于属地事项：城关镇"
    old = "饮水难 is a local matter: 城关镇"  # written before texts were kept as codes
    assert read(old, "zh", messages, name) == old


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_refusals_come_in_the_language_asked_for(office):
    with office.client("intake") as intake:
        chinese = intake.post("/reports", json={**REPORT, "reporter": {"phone": "12"}}).json()["error"]
        english = intake.post("/reports", json={**REPORT, "reporter": {"phone": "12"}}, headers=EN).json()["error"]
        unknown = intake.get("/no/such/thing", headers=EN)
        assert unknown.status_code == 404, unknown.text
        unknown = unknown.json()["error"]
    sentence = "电话号码不是有效的手机号码或带区号的固定电话号码"
    assert chinese == {"code": "invalid", "message": sentence,
                       "details": [{"field": "reporter.phone", "problem": sentence}]}
    assert english["message"] == "Phone number is not a mobile number or a landline number with its area code"
    assert unknown["message"] == "There is no such address in this service"
    with office.client("dispatch") as dispatch:
        assert dispatch.get("/cases/C09999999", headers=ZH).json()["error"]["message"] == "没有案件 C09999999"
        assert dispatch.get("/cases/C09999999", headers=EN).json()["error"]["message"] == "There is no case C09999999"
        assert dispatch.get("/cases", params={"limit": 0}, headers=EN).json()["error"]["message"] == \
            "A page holds 1 to 200 rows, not 0"


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_routing_reasons_history_and_alerts_in_either_language_with_names_not_codes(event_capture, office):
    with office.client("intake") as intake:
        report = intake.post("/reports", json=CROWD).json()
    case = eventually(lambda: case_of(office, report["report_id"]))
    with office.client("dispatch", "chengguan-handler") as unit:
        assert unit.post(f"/cases/{case['case_id']}/return", json={"reason": "应由水利部门处理"}).status_code == 200
    with office.client("dispatch", "supervisor-01") as office_desk:
        routed = office_desk.post(f"/cases/{case['case_id']}/route",
                                  json={"unit": "water-resources", "reason": "供水管网归县水利局"})
        assert routed.status_code == 200, routed.text
        again = office_desk.post(f"/cases/{case['case_id']}/route", json={"unit": "water-resources", "reason": "再派"},
                                 headers=EN).json()["error"]
        zh_case = office_desk.get(f"/cases/{case['case_id']}", headers=ZH).json()
        zh_history = office_desk.get(f"/cases/{case['case_id']}/history").json()["history"]
        en_history = office_desk.get(f"/cases/{case['case_id']}/history", headers=EN).json()["history"]
    assert again["message"] == f"Case {case['case_id']} is already with County Water Resources Bureau"
    assert zh_history[0]["note"] == "饮水难属于属地事项：城关镇；涉及 30 人，按重大事项办理"
    assert en_history[0]["note"] == \
        "Drinking Water is a local matter: Chengguan Town; 30 people involved, handled as major"
    assert zh_history[2]["note"].startswith("由城关镇（办理不足 1 小时）")  # routed on within the hour
    assert zh_history[2]["note"].endswith("改交县水利局：供水管网归县水利局")
    assert en_history[2]["note"].startswith("from Chengguan Town (held under an hour)")
    assert en_history[2]["note"].endswith("to County Water Resources Bureau: 供水管网归县水利局")
    assert zh_case["routing_reason"] == "供水管网归县水利局"  # a person's own words stay as written

    with office.client("intake") as intake:
        [zh_alert] = intake.get("/alerts", params={"kind": "group_petition"}).json()["alerts"]
        [en_alert] = intake.get("/alerts", params={"kind": "group_petition"}, headers=EN).json()["alerts"]
    assert zh_alert["message"] == "城关镇有 30 人反映饮水难：领导须在一小时内拿出处置方案"
    assert en_alert["message"] == \
        "30 people are involved about Drinking Water in Chengguan Town: leaders to have a plan within the hour"

    bodies = [json.loads(body) for body in event_capture.emitted_by(office.database_urls).values()]
    dispatched = next(b["data"] for b in bodies if b["type"] == "case.dispatched" and not b["data"]["redispatch"])
    raised = next(b["data"] for b in bodies if b["type"] == "alert.raised")
    assert json.loads(dispatched["routing_reason"])[0] == {"say": "local_matter", "category": "drinking-water",
                                                           "township": "chengguan"}
    assert json.loads(raised["message"]) == [{"say": "group", "people": 30, "category": "drinking-water",
                                              "township": "chengguan"}]


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_review_reason_in_either_language(office):
    with office.client("intake") as intake:
        report = intake.post("/reports", json={**REPORT, "reporter": None}).json()
    case = eventually(lambda: case_of(office, report["report_id"]))
    with office.client("dispatch", "chengguan-handler") as unit:
        assert unit.post(f"/cases/{case['case_id']}/acceptance", json={}).status_code == 200
        nothing_done = {**SIGNED_REPORT, "actions_taken": "无"}
        assert unit.post(f"/cases/{case['case_id']}/handling-report", json=nothing_done).status_code == 201
    with office.client("supervision", "supervisor-01") as supervision:
        def reasons(headers):
            reviews = supervision.get(f"/cases/{case['case_id']}", headers=headers).json().get("reviews") or []
            return [r["reason"] for r in reviews] or None
        assert eventually(lambda: reasons(ZH))[0].startswith("经查属实，但办理报告称未采取任何措施")
        assert reasons(EN)[0].startswith("the complaint was found substantiated but the report says nothing was done")


def test_what_blocks_a_closure_is_said_in_either_language():
    from types import SimpleNamespace

    from lianxin.errors import Conflict
    from lianxin.i18n.kept_texts import READER, Reader
    from services.supervision.callbacks import close
    from services.supervision.schemas import case_view
    case = SimpleNamespace(case_id="C00000001", state="awaiting_callback", finding="substantiated",
                           actions_taken="修好", anonymous=False, last_callback=None, responsible_person=None,
                           unit_head=None, reviews=[], reopen_count=0)
    with pytest.raises(Conflict) as refused:
        close(None, case)
    message, details = refused.value.said_in("zh")
    assert message == ("案件 C00000001 不能办结：没有就最近一次办理报告联系上信访人的回访记录；"
                       "办理报告缺少责任人和单位负责人签字")
    assert details[1] == {"field": "closure", "problem": "办理报告缺少责任人和单位负责人签字"}
    assert refused.value.said_in("en")[0] == (
        "Case C00000001 cannot be closed: no callback record that reached the petitioner about the latest "
        "handling report; the handling report lacks the signatures of the responsible person and the unit head")
    english = READER.set(Reader("en"))
    try:
        view = case_view(SimpleNamespace(**vars(case), report_id="R1", unit="chengguan", reporter_id=None,
                                         deadline=None, reported_at=None, closed_at=None, callbacks=[]),
                         ["a review of the handling is still open"])
    finally:
        READER.reset(english)
    assert view["closure_blockers"] == ["a review of the handling is still open"]
    assert case_view(SimpleNamespace(**vars(case), report_id="R1", unit="chengguan", reporter_id=None,
                                     deadline=None, reported_at=None, closed_at=None, callbacks=[]),
                     ["a review of the handling is still open"])["closure_blockers"] == ["对办理情况的复查尚未结束"]


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_personal_data_and_reading_refusals_in_either_language(office):
    with office.client("intake", "supervisor-01") as intake:
        missing = {"report_id": "R09999999", "purpose": "信访人申请查阅"}
        assert intake.post("/personal-data-exports", json=missing).json()["error"]["message"] == \
            "没有来信来访 R09999999"
        assert intake.post("/personal-data-exports", json=missing, headers=EN).json()["error"]["message"] == \
            "There is no report R09999999"
    with office.client("intake", "chengguan-handler") as unit:
        zh = unit.get("/reports", params={"q": "13712345678"}).json()["error"]["message"]
        en = unit.get("/reports", params={"q": "13712345678"}, headers=EN).json()["error"]["message"]
    assert zh.startswith("按 q 查找反映会查到具体的人")
    assert en.startswith("Searching reports by q finds people")
    with office.client("supervision") as public:
        zh = public.get("/public/cases/C09999999", params={"secret": "x"}).json()["error"]["message"]
        en = public.get("/public/cases/C09999999", params={"secret": "x"}, headers=EN).json()["error"]["message"]
    assert (zh, en) == ("此链接没有对应的案件 C09999999", "There is no case C09999999 for this link")


def test_a_malformed_upload_is_refused_in_either_language():
    from types import SimpleNamespace

    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from lianxin.attachments.wiring import fields_and_files
    from lianxin.errors import Refused
    request = Request(EnvironBuilder(method="POST", data=b"--a\r\n\r\n--a--\r\n",
                                     content_type="multipart/form-data; boundary=b").get_environ())
    with pytest.raises(Refused) as refused:
        fields_and_files(request, ReportIn, SimpleNamespace(max_bytes=1000, max_files=2))
    assert refused.value.said_in("zh")[1] == [{"field": "Content-Type", "problem": "分隔符（boundary）与请求体不符"}]
    assert refused.value.said_in("en")[0].startswith("The multipart body has no part 'data' nor 'files'")
