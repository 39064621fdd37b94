"""Production refuses what ships with the code for development: the keys and the sample tokens."""
import pytest
import yaml
from nameko.containers import ServiceContainer
from pydantic import ValidationError

from lianxin.auth import token_hash
from lianxin.runner import SERVICES, load
from services.console.config import ConsoleSettings
from services.intake.config import IntakeSettings
from services.supervision.config import SupervisionSettings

REAL_PII_KEY = "1wR6cYd1s8t1aLhD3m5R0mBqV7gJmW8p3Q2l0kq3Z4E="  # a Fernet key made for this test
REAL_REDACTION_KEY = "a-redaction-key-of-the-county-itself"


def test_production_refuses_the_development_keys_naming_them(monkeypatch):
    monkeypatch.setenv("LIANXIN_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="LIANXIN_REDACTION_KEY, LIANXIN_PSEUDONYM_KEY"):
        IntakeSettings()
    monkeypatch.setenv("LIANXIN_REDACTION_KEY", REAL_REDACTION_KEY)
    with pytest.raises(ValidationError,
                       match="LIANXIN_PSEUDONYM_KEY, LIANXIN_PII_KEYS, LIANXIN_LINK_KEY have the development value"):
        IntakeSettings()
    with pytest.raises(ValidationError, match="LIANXIN_LINK_KEY has the development value"):
        SupervisionSettings()
    with pytest.raises(ValidationError, match="CONSOLE_SESSION_KEY has the development value"):
        ConsoleSettings()


def test_production_takes_keys_of_its_own_and_development_takes_the_shipped_ones(monkeypatch):
    from services.intake.protection import DEVELOPMENT_PII_KEY
    monkeypatch.setenv("LIANXIN_ENVIRONMENT", "production")
    monkeypatch.setenv("LIANXIN_PSEUDONYM_KEY", "a-key-of-the-county-itself")
    monkeypatch.setenv("LIANXIN_REDACTION_KEY", REAL_REDACTION_KEY)
    monkeypatch.setenv("LIANXIN_PII_KEYS", f"{REAL_PII_KEY},{DEVELOPMENT_PII_KEY}")  # the old key may still decrypt
    monkeypatch.setenv("LIANXIN_LINK_KEY", "a-link-key-of-the-county-itself")
    assert IntakeSettings().nameko_config()["ENVIRONMENT"] == "production"
    monkeypatch.setenv("LIANXIN_ENVIRONMENT", "development")
    monkeypatch.delenv("LIANXIN_PII_KEYS")
    assert IntakeSettings().pii_keys == DEVELOPMENT_PII_KEY


def credentials_file(tmp_path, *tokens):
    path = tmp_path / "staff.yaml"
    path.write_text(yaml.safe_dump({"staff": [
        {"code": code, "role": "operator", "token_sha256": token_hash(token)} for code, token in tokens]}))
    return path


@pytest.mark.parametrize("environment, refused", [("production", True), ("development", False)])
def test_production_refuses_to_start_while_anyone_has_a_development_token(tmp_path, amqp_uri, environment, refused):
    settings = load(SERVICES["scoring"][1])(
        database_url=f"sqlite:///{tmp_path / 'scoring.db'}", http_address="127.0.0.1:0",
        LIANXIN_ENVIRONMENT=environment, LIANXIN_REDACTION_KEY=REAL_REDACTION_KEY, LIANXIN_CREDENTIALS=credentials_file(
            tmp_path, ("op-real", "a-long-random-token-of-op-real"), ("op-sample", "dev-op-sample")))
    container = ServiceContainer(load(SERVICES["scoring"][0]), {**settings.nameko_config(), "AMQP_URI": amqp_uri})
    if refused:
        with pytest.raises(ValueError, match=r"1 staff still have their development token dev-<code> \(e\.g\. op-"):
            container.start()
        container.kill()
    else:
        container.start()
        container.stop()


def test_the_production_console_offers_no_token_sign_in_and_takes_none(tmp_path, amqp_uri):
    """Pasting a staff token to sign in is for development: in production the form is not shown, and a
    token posted anyway signs no one in (people sign in with their user name and password)."""
    from lianxin.testing import Office
    from tests.support.console_forms import console_client, post_form

    office = Office(amqp_uri, {})
    real = ("op-real", "a-long-random-token-of-op-real")
    try:
        url = office.start_console(LIANXIN_ENVIRONMENT="production", LIANXIN_REDACTION_KEY=REAL_REDACTION_KEY,
                                   session_key=REAL_PII_KEY, LIANXIN_CREDENTIALS=credentials_file(tmp_path, real))
        with console_client(url) as browser:
            page = browser.get("/sign-in").text
            assert 'name="user_name"' in page and 'name="password"' in page and 'name="token"' not in page
            posted = post_form(browser, "/sign-in", {"token": real[1]})
            assert posted.status_code != 303 and "lianxin_session" not in posted.cookies
            assert browser.get("/board").headers["location"] == "/sign-in"
        office.stop()
        development = office.start_console(LIANXIN_CREDENTIALS=credentials_file(tmp_path, real))
        with console_client(development) as browser:
            assert 'name="token"' in browser.get("/sign-in").text  # the same page shows it in development
            assert post_form(browser, "/sign-in", {"token": real[1]}).status_code == 303
    finally:
        office.stop()
