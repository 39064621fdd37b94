"""What a reviewer met using the office for a day (issues 17 and 18): a callback's refusal said in the
person's language, field by field; what blocks closure shown as soon as the unit has reported; a reopened
case no longer closed, whatever reopened it; the petitioner's page opened by a repeat's own number and by a
number typed in lower case."""
import pytest

from lianxin.errors import Invalid, NotAllowed, NotFound
from tests.support.case_events import dispatched, reported
from tests.support.supervision import office_request, request, supervision_database, supervision_worker


@pytest.fixture
def database(tmp_path):
    db = supervision_database(tmp_path)
    yield db
    db.engine.dispose()


@pytest.fixture
def supervision(database):
    return supervision_worker(database)


@pytest.fixture
def handled(supervision):
    supervision.on_case_dispatched([dispatched()])
    supervision.on_case_reported([reported()])
    return supervision


# --- 1. a callback's refusal in the person's words ------------------------------------------------------

@pytest.mark.parametrize("body, fields, zh, en", [
    ({"reached": True}, ["resolved", "satisfaction"],
     "已解决：联系上信访人时必须回答；满意度：联系上信访人时必须回答",
     "Resolved must be answered when the petitioner was reached; "
     "Satisfaction must be answered when the petitioner was reached"),
    ({"reached": True, "resolved": "yes"}, ["satisfaction"],
     "满意度：联系上信访人时必须回答", "Satisfaction must be answered when the petitioner was reached"),
    ({"reached": False, "satisfaction": "satisfied"}, ["satisfaction"],
     "满意度：未联系上信访人时不能填写", "Satisfaction is not recorded when the petitioner was not reached"),
])
def test_a_callback_without_its_answers_is_refused_naming_each_field(handled, body, fields, zh, en):
    with pytest.raises(Invalid) as refused:
        handled.record_callback(request(body), "C00000001")
    assert [p.field for p in refused.value.problems] == fields
    assert refused.value.said_in("zh")[0] == zh
    assert refused.value.said_in("en")[0] == en
    assert handled.get_case(office_request({}), "C00000001")["callbacks"] == []  # nothing recorded


def test_a_units_refusal_about_evidence_is_said_in_chinese(handled):
    with pytest.raises(NotAllowed) as refused:
        handled.get_attachment(request({}, "baiyang-handler"), "C00000001", "0" * 64)
    said_zh = refused.value.said_in("zh")[0]  # the unit by the directory's name where a request is served
    assert said_zh.startswith("案件 C00000001 属于") and said_zh.endswith("，其材料只归该单位")
    with pytest.raises(NotFound) as missing:
        handled.get_attachment(office_request({}), "C00000001", "0" * 64)
    assert missing.value.said_in("zh")[0] == f"案件 C00000001 没有附件 {'0' * 64}"
