"""What was said, in clear, reaches a member of staff only through a release (issue 13): every role reads it
redacted by default; the roles that may call a petitioner back have it as said through the release, which
states its purpose and is logged; on a confidential subject only the roles the county names."""
from types import SimpleNamespace

from lianxin.auth import Staff
from lianxin.db import utcnow
from lianxin.directory import load_directory
from services.intake.access import Sight
from services.intake.personal_data import release
from services.intake.schemas import ReleaseIn
from tests.support.county import SAMPLE


def staff(code: str, role: str) -> Staff:
    return Staff(code=code, role=role, token_sha256="0" * 64)


def test_what_was_said_is_released_in_clear_only_to_a_role_that_may_and_never_on_a_confidential_subject():
    county = load_directory(SAMPLE)
    said = "路灯坏了，有事请打我电话13912345678联系"
    report = SimpleNamespace(id=7, report_id="R00000007", reporter_id="P" + "0" * 20, category="urban-management",
                             content=said, location=None, has_reporter=True, reporter_name="王大山",
                             reporter_phone="13912345678",
                             reporter_id_number=None, reporter_address=None)
    kept = []
    uow = SimpleNamespace(session=SimpleNamespace(add=kept.append))
    for role in ("operator", "supervisor"):
        sight = Sight(staff(f"{role}-x", role), county)
        shown, how = sight.content(report, said)
        assert how == "redacted" and "13912345678" not in shown and "路灯坏了" in shown, role
        released = release(uow, report, ReleaseIn(purpose="办结前回访"), sight.staff, utcnow(), sight=sight)
        assert (released["content"], released["content_access"]) == (said, "clear"), role
    assert [(r.role, r.purpose) for r in kept] == [("operator", "办结前回访"), ("supervisor", "办结前回访")]
    leader = Sight(staff("li-secretary", "leader"), county)
    assert leader.released(report) == (None, "withheld")
    confidential = SimpleNamespace(**{**vars(report), "category": "official-misconduct"})
    operator = Sight(staff("hotline-op-01", "operator"), county)
    assert operator.released(confidential) == (None, "withheld")  # not a confidential reader
    assert Sight(staff("supervisor-01", "supervisor"), county).released(confidential) == (said, "clear")


def test_the_place_is_read_redacted_and_released_as_written():
    county = load_directory(SAMPLE)
    written = "东关村，王大山家门口，电话13912345678"
    report = SimpleNamespace(id=8, report_id="R00000008", reporter_id=None, category="urban-management",
                             content="路灯坏了", location=written, has_reporter=True, reporter_name="王大山",
                             reporter_phone="13912345678", reporter_id_number=None, reporter_address=None)
    operator = Sight(staff("hotline-op-01", "operator"), county)
    shown = operator.place(report, written)
    assert "13912345678" not in shown and "王大山" not in shown and "东关村" in shown
    uow = SimpleNamespace(session=SimpleNamespace(add=lambda row: None))
    released = release(uow, report, ReleaseIn(purpose="核实地点"), operator.staff, utcnow(), sight=operator)
    assert released["location"] == written
