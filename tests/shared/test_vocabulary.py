"""One vocabulary (lianxin/vocabulary.py): every other list of the channels, and every definition of the
county's time, is derived from it or equal to it. Intake imports them too."""
import re
import typing

import yaml

from lianxin.events import ReportReceived
from lianxin.settings import REPO_ROOT
from lianxin.vocabulary import CHANNEL_CHINESE, CHANNEL_CODES, CHANNELS, STAFF_CHANNELS
from services.console.labels import LABELS
from services.intake import digest_writing
from services.intake.schemas import Channel


def test_the_event_contract_and_intake_s_schema_name_exactly_the_channels():
    assert typing.get_args(ReportReceived.model_fields["channel"].annotation) == CHANNEL_CODES
    assert typing.get_args(Channel) == STAFF_CHANNELS


def test_the_openapi_documents_name_exactly_the_channels_in_the_office_s_chinese():
    intake = yaml.safe_load((REPO_ROOT / "services/intake/openapi.yaml").read_text(encoding="utf-8"))
    channel = intake["components"]["schemas"]["Channel"]
    assert tuple(channel["enum"]) == STAFF_CHANNELS
    assert dict(re.findall(r"(\w+) (\S+?)[,.]", channel["description"])) == \
        {code: CHANNEL_CHINESE[code] for code in STAFF_CHANNELS}
    dispatch = (REPO_ROOT / "services/dispatch/openapi.yaml").read_text(encoding="utf-8")
    for listed in re.findall(r"How the report came in \(([^)]*)\)", dispatch):
        assert tuple(re.split(r",\s*", listed)) == STAFF_CHANNELS


def test_the_console_and_the_digest_say_each_channel_as_the_vocabulary_does():
    assert LABELS["channel"] == {c.code: c.label for c in CHANNELS}  # Open311 too, where a list shows it
    assert digest_writing.CHANNELS == {code: CHANNEL_CHINESE[code] for code in STAFF_CHANNELS}
    for template in (REPO_ROOT / "services/console/templates").glob("*.html"):
        assert '"mailbox"' not in template.read_text(encoding="utf-8"), f"{template.name}: use CHANNELS"


def test_institutional_sources_are_the_five_information_sources():
    assert CHANNEL_CHINESE["institution"] == "五大信息源" and CHANNEL_CHINESE["officer"] == "信息直报"


def test_the_county_s_time_is_defined_once():
    written = {str(path.relative_to(REPO_ROOT)) for folder in ("lianxin", "services", "bench")
               for path in (REPO_ROOT / folder).rglob("*.py") if 'ZoneInfo("' in path.read_text(encoding="utf-8")}
    assert written == set()
