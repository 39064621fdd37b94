"""The office console in a real browser (Debian's Chromium, headless, driven by Playwright).

A report typed by an operator travels to its unit, is handled, called back, rated by the citizen and
closed, and shows in the ranking: every step through the pages, each person in a browser context of
their own. Screenshots (and PDFs of the printable documents) are kept in test-artifacts/console/.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianxin.testing import Office
from tests.support.browser import ARTIFACTS, actions, reload_until, shot, signed_in
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

HOUSING_STORY = "东关村王大爷家的危房漏雨，房屋墙体开裂快塌了，请尽快派人看看"


@pytest.fixture
def console(amqp_uri, database_urls):
    # every handling report is drawn for review, so the case waits for the office's conclusion to close
    office = Office(amqp_uri, database_urls, settings={"supervision": {"review_sample_percent": 100}})
    office.start()
    office.start_console(alert_poll_seconds=1)
    yield office
    office.stop()


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_report_typed_by_an_operator_is_handled_called_back_closed_and_ranked(console, people):
    # the hotline operator: keyboard first, the category suggested as they type, personal data masked
    operator = signed_in(people, "hotline-op-01")
    expect(operator).to_have_url(re.compile(r"/intake$"))
    expect(operator.locator("#content")).to_be_focused()
    operator.keyboard.type(HOUSING_STORY)
    expect(operator.locator("#category-suggestion")).to_contain_text("住房难")
    operator.select_option("#village", "chengguan-dongguan")
    operator.fill("input[name='reporter.name']", "王建国")
    operator.fill("#phone", "13800138000")
    shot(operator, "01-intake-form")
    operator.press("#phone", "Control+Enter")
    expect(operator.locator("#taken")).to_contain_text("R00000001")
    expect(operator.locator("#taken")).to_contain_text("138****8000")
    assert "13800138000" not in operator.content()

    # the same person on the same subject again: warned before submitting
    operator.fill("#content", HOUSING_STORY)
    operator.select_option("#village", "chengguan-dongguan")
    operator.fill("#phone", "13800138000")
    expect(operator.locator("#duplicate-warning")).to_be_visible()
    expect(operator.locator("#duplicate-warning")).to_contain_text("R00000001")
    reload_until(operator, "#today a[href^='/cases/']")  # dispatch made it a case
    shot(operator, "02-intake-today")
    case_id = operator.locator("#today a[href^='/cases/']").first.inner_text()
    operator.goto(f"/cases/{case_id}")
    assert actions(operator) == set(), "an operator has nothing to do on a case before its handling report"

    # the unit handler: their unit's cases, accept, the handling report with signatures
    handler = signed_in(people, "chengguan-handler")
    expect(handler.locator("h1")).to_have_text("本单位案件")
    expect(handler.locator("nav")).not_to_contain_text("十日信息摘报")
    handler.click(f"#cases a[href='/cases/{case_id}']")
    assert actions(handler) == {"accept", "report", "give_back", "request_extension"}
    shot(handler, "03-unit-case")
    handler.click("[data-action=accept] button")
    expect(handler.locator(".done")).to_contain_text("签收")
    report = handler.locator("details[data-action=report]")
    report.locator("select[name=finding]").select_option("substantiated")
    report.locator("textarea[name=actions_taken]").fill("已组织人员加固墙体、修复屋顶，纳入危房改造计划")
    report.locator("input[name=responsible_person]").fill("李明")
    report.locator("input[name=unit_head]").fill("周强")
    report.locator("button[type=submit]").click()
    expect(handler.locator(".done")).to_contain_text("提交办理报告")
    assert "close" not in actions(handler) and "route" not in actions(handler)
    own_form = handler.locator("input[name=_form_token]").first.input_value()  # posted as the page would
    refused = handler.request.post(f"/cases/{case_id}/route", max_redirects=0, headers={
        "Origin": console.urls["console"]}, form={"unit": "baiyang", "reason": "试一试", "_form_token": own_form})
    assert refused.status == 303 and f"/cases/{case_id}?refused=" in refused.headers["location"]
    assert "不能办理此事" in handler.request.get(refused.headers["location"]).text()  # the service refuses, in Chinese

    # the supervisor: the callback; closure waits for the review of the handling report
    supervisor = signed_in(people, "supervisor-01")
    supervisor.goto(f"/cases/{case_id}")
    reload_until(supervisor, "details[data-action=callback]")
    assert {"callback", "close", "conclude_review", "instruct", "route", "notice"} - {"route"} <= actions(supervisor)
    callback = supervisor.locator("details[data-action=callback]")
    callback.locator("select[name=reached]").select_option("yes")
    callback.locator("select[name=resolved]").select_option("yes")
    callback.locator("select[name=satisfaction]").select_option("satisfied")
    callback.locator("button[type=submit]").click()
    expect(supervisor.locator("#callbacks")).to_contain_text("满意")
    link = supervisor.locator(".citizen-link").first.get_attribute("href")

    # the citizen, after the callback: looks the case up by number and secret, and rates it
    citizen = people.page()
    citizen.goto("/public")
    citizen.fill("input[name=case_id]", case_id)
    citizen.fill("input[name=secret]", link.split("secret=")[1])
    citizen.click("#lookup button")
    expect(citizen.locator("#public-state")).to_have_text("待回访")
    expect(citizen.locator("#public-case")).to_contain_text("加固墙体")
    citizen.select_option("#rating select[name=resolved]", "yes")
    citizen.select_option("#rating select[name=satisfaction]", "satisfied")
    citizen.click("#rating button")
    expect(citizen.locator(".done")).to_contain_text("谢谢")
    shot(citizen, "04-citizen")

    # closing before the review is concluded is refused with the reason; concluding it closes the case
    supervisor.reload()
    supervisor.click("[data-action=close] button")
    expect(supervisor.locator(".refusal")).to_contain_text("复查尚未结束")  # the reason, in Chinese by default
    conclusion = supervisor.locator("details[data-action=conclude_review]")
    conclusion.locator("summary").click()
    conclusion.locator("select[name=outcome]").select_option("upheld")  # nothing is chosen for the supervisor
    conclusion.locator("textarea[name=findings]").fill("核查属实，处理到位")
    conclusion.locator("button[type=submit]").click()
    expect(supervisor.locator("#case-state")).to_have_text("已办结")
    shot(supervisor, "05-case-closed")
    supervisor.goto(f"/cases/{case_id}/assignment-notice")
    expect(supervisor.locator("article")).to_contain_text("交办通知")
    supervisor.pdf(path=ARTIFACTS / "assignment-notice.pdf")

    # a leader: the ranking shows the unit with its closed case; alerts arrive without reloading
    leader = signed_in(people, "li-secretary")
    leader.goto("/rankings")
    reload_until(leader, "tr[data-unit=chengguan]")
    expect(leader.locator("tr[data-unit=chengguan] td").nth(4)).to_have_text("1")  # closed
    shot(leader, "06-rankings")
    leader.pdf(path=ARTIFACTS / "rankings.pdf")
    leader.goto(f"/cases/{case_id}")
    assert actions(leader) == {"instruct"}
    leader.goto("/alerts")
    operator.goto("/intake")
    operator.fill("#content", "几十名村民聚集在镇政府门口反映征地补偿问题")
    operator.select_option("#township", "chengguan")
    operator.fill("input[name=people_count]", "30")
    operator.check("input[name=gathering]")
    operator.click("#intake-form button[type=submit]")
    expect(leader.locator("#live-alerts .alert")).to_be_visible()
    expect(leader.locator("#alerts tbody tr[data-alert]")).to_have_count(1)
    expect(leader.locator("#alerts tbody tr[data-alert]")).to_contain_text("群体聚集")  # in the page's words
    shot(leader, "07-live-alert")
    leader.goto("/digest")
    expect(leader.locator("#digest h1")).to_contain_text("十日信息摘报")
    leader.pdf(path=ARTIFACTS / "digest.pdf")
    leader.goto("/calendar")
    shot(leader, "08-calendar")

    # the language is the person's choice
    leader.goto("/rankings")
    leader.click("button[value=en]")
    expect(leader.locator("h1")).to_contain_text("Rankings")
    expect(leader.locator("nav")).to_contain_text("Ten-day digest")
    shot(leader, "09-rankings-en")


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_office_extends_instructs_routes_and_criticises_through_the_pages(console, people):
    with console.client("intake") as intake:
        report = intake.post("/reports", json={"channel": "hotline", "village": "chengguan-dongguan",
                                               "content": "东关村危房改造迟迟没有动工"}).json()
    with console.client("dispatch", as_staff="supervisor-01") as dispatch:
        case_id = eventually(lambda: dispatch.get("/cases", params={"report_id": report["report_id"]})
                             .json()["cases"])[0]["case_id"]

    handler = signed_in(people, "chengguan-handler")
    handler.goto(f"/cases/{case_id}")
    extension = handler.locator("details[data-action=request_extension]")
    extension.locator("summary").click()
    extension.locator("input[name=days]").fill("10")
    extension.locator("textarea[name=reason]").fill("急")  # too short a reason to tell the petitioner
    extension.locator("button[type=submit]").click()
    expect(handler.locator(".refusal")).to_contain_text("理由至少需要 2 个字")  # the field, and what it takes
    extension = handler.locator("details[data-action=request_extension]")
    expect(extension).to_have_attribute("open", "")  # the form the refusal is about stays open
    extension.locator("input[name=days]").fill("10")
    extension.locator("textarea[name=reason]").fill("需协调住建部门资金")
    extension.locator("button[type=submit]").click()
    expect(handler.locator(".done")).to_contain_text("申请延期")
    assert "approve_extension" not in actions(handler)

    supervisor = signed_in(people, "supervisor-01")
    supervisor.goto(f"/cases/{case_id}")
    approval = supervisor.locator("details[data-action=approve_extension]")
    approval.locator("summary").click()
    approval.locator("select[name=approved_by]").select_option("zhao-county-head")
    approval.locator("button[type=submit]").click()
    expect(supervisor.locator(".facts")).to_contain_text("批准人 赵志远")
    instruction = supervisor.locator("details[data-action=instruct]")
    instruction.locator("summary").click()
    instruction.locator("select[name=leader]").select_option("li-secretary")
    instruction.locator("textarea[name=comment]").fill("请城关镇本周内拿出改造方案")
    instruction.locator("button[type=submit]").click()
    expect(supervisor.locator(".facts")).to_contain_text("请城关镇本周内拿出改造方案")
    supervisor.goto("/board?leader=li-secretary&level=county")
    expect(supervisor.locator("#cases tbody tr")).to_have_count(1)
    expect(supervisor.locator(f"#cases tr[data-case={case_id}]")).to_contain_text("李明")

    supervisor.goto(f"/cases/{case_id}")
    notice = supervisor.locator("details[data-action=notice]")
    notice.locator("summary").click()
    notice.locator("select[name=kind]").select_option("rule_breaking")  # the office says which kind it is
    notice.locator("textarea[name=reason]").fill("危房改造推进迟缓，予以通报")
    notice.locator("button[type=submit]").click()
    expect(supervisor.locator(".facts")).to_contain_text("危房改造推进迟缓")
    route = supervisor.locator("details[data-action=route]")
    route.locator("summary").click()
    route.locator("select[name=unit]").select_option("baiyang")
    route.locator("textarea[name=reason]").fill("房屋实际位于白杨镇")
    route.locator("button[type=submit]").click()
    expect(supervisor.locator("#unit")).to_contain_text("白杨镇")
    shot(supervisor, "10-case-routed")

    handler.reload()  # no longer their unit's case: nothing to do on it
    assert actions(handler) == set()
    leader = signed_in(people, "li-secretary")
    leader.goto(f"/cases/{case_id}")
    own = leader.locator("details[data-action=instruct]")
    own.locator("summary").click()
    assert own.locator("select[name=leader]").count() == 0  # a leader records their own
    own.locator("textarea[name=comment]").fill("要把群众的事办实")
    own.locator("button[type=submit]").click()
    expect(leader.locator(".facts")).to_contain_text("李明（县级")


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_intake_preview_suggests_and_warns_but_stores_nothing(office):
    draft = {"channel": "hotline", "content": HOUSING_STORY, "village": "chengguan-dongguan",
             "reporter": {"name": "王建国", "phone": "13800138000"}}
    with office.client("intake") as intake:
        assert intake.post("/reports/preview", json=draft).json() == {
            "category": "housing", "category_suggested": True, "township": "chengguan", "problems": [],
            "duplicate_of": None}
        assert intake.get("/reports").json()["reports"] == []
        taken = intake.post("/reports", json=draft).json()
        again = intake.post("/reports/preview", json={**draft, "content": "上次说的房屋漏雨还没人来看"}).json()
        assert again["duplicate_of"]["report_id"] == taken["report_id"]
        assert "13800138000" not in str(again) and "王建国" not in str(again)
        assert [r["report_id"] for r in intake.get("/reports").json()["reports"]] == [taken["report_id"]]
        unplaced = intake.post("/reports/preview", json={"channel": "hotline", "content": "工地拖欠工资三个月"}).json()
        assert unplaced["category"] == "wage-arrears" and unplaced["duplicate_of"] is None
        assert [p["field"] for p in unplaced["problems"]] == ["township"]
        assert intake.post("/reports/preview", json={"channel": "hotline"}).status_code == 422
    with office.client("intake", as_staff="chengguan-handler") as unit:
        assert unit.post("/reports/preview", json=draft).status_code == 403


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_console_lets_in_only_a_known_token_and_keeps_it_sealed(office):
    from tests.support.console_forms import console_client, form_token, post_form

    office.start_console()
    with console_client(office.urls["console"]) as browser:
        assert browser.get("/board").headers["location"] == "/sign-in"
        refused = post_form(browser, "/sign-in", {"token": "dev-nobody"})
        assert refused.status_code == 401 and "令牌无效或已过期" in refused.text
        signed = post_form(browser, "/sign-in", {"token": "dev-chengguan-handler"})
        assert signed.status_code == 303 and signed.headers["location"] == "/board"
        cookie = signed.cookies["lianxin_session"]
        assert "dev-chengguan-handler" not in cookie and "HttpOnly" in signed.headers["set-cookie"]
        assert browser.get("/board").status_code == 200
        browser.cookies.clear()
        browser.cookies.set("lianxin_session", cookie[:-4] + "AAAA")  # tampered: no longer opens
        assert browser.get("/board").headers["location"] == "/sign-in"
        answer = browser.post("/intake/preview", json={"channel": "hotline", "content": "漏雨"},
                              headers={"X-Form-Token": form_token(browser)})
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorised"
