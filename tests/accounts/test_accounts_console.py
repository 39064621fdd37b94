"""In the browser: a person signs in with their user name and password, and the administrator adds,
changes, disables and resets people, every change in the audit log."""
import pytest
from playwright.sync_api import expect

from lianxin.testing import Office
from tests.support.browser import shot, signed_in

pytestmark = pytest.mark.integration
CHOSEN = "春风又绿江南岸明月何时照我还"


@pytest.fixture
def console(amqp_uri, tmp_path):
    """Intake, dispatch and accounts with the console (whose people are conftest's); three wrong passwords lock."""
    office = Office(amqp_uri, {name: f"sqlite:///{tmp_path / name}.db" for name in
                               ("intake", "dispatch", "supervision", "scoring", "accounts")},
                    settings={"accounts": {"lockout_failures": 3}})
    office.start("intake", "dispatch", "accounts")
    office.start_console(LIANXIN_TOKEN_CACHE_SECONDS=1)  # so a change shows after a second
    yield office
    office.stop()


def sign_in(people, user_name, password):
    page = people.page()
    page.goto("/sign-in")
    page.fill("input[name=user_name]", user_name)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    return page


def test_the_administrator_manages_a_person_who_signs_in_with_a_password(people):
    admin = signed_in(people, "admin")
    admin.click("nav >> text=工作人员")
    admin.fill("form[action='/staff'] input[name=user_name]", "wang-fang")
    admin.fill("form[action='/staff'] input[name=display_name]", "王芳")
    admin.select_option("form[action='/staff'] select[name=role]", "operator")
    admin.fill("form[action='/staff'] input[name=mobile]", "13912345678")
    admin.click("form[action='/staff'] button[type=submit]")
    first = admin.locator("#one-time code").inner_text()
    expect(admin.locator("#account-wang-fang td").nth(2)).to_have_text("话务员")
    shot(admin, "staff")

    person = sign_in(people, "wang-fang", first)
    expect(person.locator("h1")).to_have_text("修改密码")  # a one-time password must be replaced first
    person.goto("/intake")
    expect(person.locator("h1")).to_have_text("修改密码")
    person.fill("input[name=current_password]", first)
    person.fill("input[name=new_password]", "wang-fang-123456")
    person.fill("input[name=repeated]", "wang-fang-123456")
    person.click("form[action='/password'] button[type=submit]")
    expect(person.locator(".refusal")).to_contain_text("密码不能包含用户名")
    person.fill("input[name=current_password]", first)
    person.fill("input[name=new_password]", CHOSEN)
    person.fill("input[name=repeated]", CHOSEN)
    person.click("form[action='/password'] button[type=submit]")
    expect(person.locator(".who")).to_contain_text("wang-fang")
    expect(person.locator("nav")).to_contain_text("受理")

    row = admin.locator("#account-wang-fang")
    row.locator("select[name=role]").select_option("unit_handler")
    row.locator("select[name=unit]").select_option("chengguan")
    row.locator("button[name=_do]").click()
    expect(admin.locator("#account-wang-fang td").nth(2)).to_have_text("承办人")
    person.wait_for_timeout(1200)  # the console believes what accounts said for LIANXIN_TOKEN_CACHE_SECONDS
    person.goto("/")
    expect(person.locator(".who")).to_contain_text("承办人")

    admin.locator("#account-wang-fang button", has_text="停用").click()
    expect(admin.locator("#account-wang-fang")).to_contain_text("已停用")
    person.wait_for_timeout(1200)
    person.reload()
    expect(person.locator("input[name=user_name]")).to_be_visible()  # signed out: the session ended
    refused = sign_in(people, "wang-fang", CHOSEN)
    expect(refused.locator(".refusal")).to_contain_text("该账号已停用")

    admin.locator("#account-wang-fang button", has_text="启用").click()
    admin.locator("#account-wang-fang button", has_text="重置密码").click()
    again = admin.locator("#one-time code").inner_text()
    assert again != first
    reset = sign_in(people, "wang-fang", again)
    expect(reset.locator("h1")).to_have_text("修改密码")

    admin.click("nav >> text=审计日志")
    log = admin.locator("#audit")
    for action in ("添加账号", "修改账号", "停用账号", "启用账号", "重置密码", "修改密码"):
        expect(log).to_contain_text(action)
    expect(log).to_contain_text("角色：承办人")
    expect(log).not_to_contain_text("13912345678")  # contacts masked
    shot(admin, "audit")


def test_wrong_passwords_lock_the_account_with_a_clear_message_in_either_language(people):
    admin = signed_in(people, "admin")
    admin.goto("/staff")
    admin.fill("form[action='/staff'] input[name=user_name]", "li-ming")
    admin.fill("form[action='/staff'] input[name=display_name]", "李明")
    admin.click("form[action='/staff'] button[type=submit]")
    unknown = sign_in(people, "nobody-here", "whatever-it-is")
    known = sign_in(people, "li-ming", "whatever-it-is")
    assert unknown.locator(".refusal").inner_text() == known.locator(".refusal").inner_text()
    expect(known.locator(".refusal")).to_contain_text("用户名或密码不正确")
    for _ in range(2):
        known.fill("input[name=user_name]", "li-ming")
        known.fill("input[name=password]", "still-wrong-it-is")
        known.press("input[name=password]", "Enter")
    expect(known.locator(".refusal")).to_contain_text("已锁定 15 分钟")
    known.click("button[lang=en]")
    known.fill("input[name=user_name]", "li-ming")
    known.fill("input[name=password]", "still-wrong-it-is")
    known.press("input[name=password]", "Enter")
    expect(known.locator(".refusal")).to_contain_text("this account is locked for")
