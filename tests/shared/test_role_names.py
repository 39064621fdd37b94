"""A refusal names a person's role as people call it, in their language: never its code ("unit_head")."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from lianxin.directory import load_directory
from lianxin.errors import Invalid
from lianxin.testing import Office, service_databases
from lianxin.vocabulary import ROLE_NAMES, ROLES
from services.accounts.staffing import _check_place
from tests.support.county import SAMPLE


def test_every_role_has_its_name():
    assert set(ROLE_NAMES) == set(ROLES)


@pytest.fixture(scope="module")
def dispatch(amqp_uri, tmp_path_factory):
    """Dispatch alone, on SQLite: its role check is all these tests ask of it."""
    with service_databases("sqlite", tmp_path_factory.mktemp("roles"), services=("dispatch",)) as urls:
        office = Office(amqp_uri, urls)
        office.start("dispatch")
        yield office
        office.stop()


@pytest.mark.integration
@pytest.mark.parametrize("language, own, allowed", [
    ("zh-CN", "单位负责人", ("督查员", "管理员")), ("en", "unit head", ("supervisor", "administrator"))])
def test_a_refused_role_is_named_in_the_persons_language(dispatch, language, own, allowed):
    with dispatch.client("dispatch", "chengguan-head") as head:
        answer = head.post("/cases/C00000001/route", json={"unit": "transport", "reason": "x"},
                           headers={"Accept-Language": language})
    assert answer.status_code == 403
    message = answer.json()["error"]["message"]
    assert own in message and all(name in message for name in allowed), message
    assert "unit_head" not in message and "administrator," not in message


@pytest.mark.parametrize("language, named", [("zh", "单位负责人"), ("en", "unit head")])
def test_an_account_without_its_unit_names_the_role(language, named):
    place = SimpleNamespace(unit=None, village=None, enterprise=None)
    with pytest.raises(Invalid) as refused:
        _check_place(load_directory(SAMPLE), "unit_head", place)
    message, details = refused.value.said_in(language)
    assert named in message and "unit_head" not in message and "{role}" not in message, message
    assert details == [{"field": "unit", "problem": message}]  # the field's problem in the same words


@pytest.mark.parametrize("language, said", [("zh", "单位：县名录中没有“nowhere”"),
                                            ("en", "Unit: nowhere is not in the county directory")])
def test_a_place_not_in_the_county_is_named_in_the_persons_words(language, said):
    place = SimpleNamespace(unit="nowhere", village=None, enterprise=None)
    with pytest.raises(Invalid) as refused:
        _check_place(load_directory(SAMPLE), "unit_head", place)
    message, details = refused.value.said_in(language)
    assert said in message and details[0]["problem"] == message, message
