"""The assignment notice (交办通知) that goes with a case to its undertaking unit."""
from __future__ import annotations

from lianxin.directory import Directory
from lianxin.documents import html_page, plain
from lianxin.vocabulary import CHANNEL_CHINESE, COUNTY_TIME

from . import texts

SEVERITY = {"general": "一般事项", "major": "重大疑难事项"}
WITHHELD = "（举报内容，仅限承办单位和县里指定的人员查阅）"  # a confidential subject, to a reader it is not for


def as_markdown(directory: Directory, case, shows_matter: bool = True) -> str:
    """The notice as Markdown: what the unit must solve, by when, and what it must report; what the citizen
    said only where the reader may read it (``access.shows_matter``)."""
    unit = directory.units.get(case.unit)
    category = directory.category_by_code.get(case.category)
    return "\n".join([
        f"# {directory.county.name}群众工作办公室 交办通知",
        "",
        f"**编号：** {case.case_id}（来件 {case.report_id}）",
        "",
        f"**{unit.name if unit else case.unit}：**",
        "",
        f"现将以下群众反映事项交你单位办理，请于 **{_day(case.deadline)}** 前办结，"
        "并报送办理报告（写明查实情况、处理结果、法律政策依据，由责任人和单位负责人签字，附反映人意见）。",
        "",
        "| 项目 | 内容 |",
        "| --- | --- |",
        f"| 事项类别 | {category.name if category else case.category} |",
        f"| 性质 | {SEVERITY.get(case.severity, case.severity)} |",
        f"| 来源 | {CHANNEL_CHINESE.get(case.channel, case.channel)}，{_day(case.received_at)} |",
        f"| 地点 | {plain(place(directory, case))} |",
        f"| 涉及人数 | {case.people_count} |",
        f"| 交办理由 | {plain(texts.read(case.routing_reason))} |",
        "",
        "**反映内容：**",
        "",
        f"> {_matter(case) if shows_matter else WITHHELD}",
        "",
        "落实首问负责制：接件单位负责到底，不得推诿；确属交办不当的，请于5个工作日内说明理由申请退回。",
        "",
        f"{directory.county.name}群众工作办公室　{_day(case.dispatched_at)}",
    ])


def place(directory: Directory, case) -> str:
    """The exact place as written: township, village or enterprise from the directory, then the location in
    the reporter's words as intake published it (their own address and numbers taken out, lianxin.redaction)."""
    township = directory.township_by_code.get(case.township) if case.township else None
    village = directory.villages.get(case.village or "", (None, None))[1]
    enterprise = directory.enterprise_by_code.get(case.enterprise or "")
    named = "".join(x.name for x in (township, village, enterprise) if x is not None)
    return "，".join(x for x in (named, (case.location or "").strip()) if x) or "—"


def _matter(case) -> str:
    return plain(case.matter) if case.matter else "（见来件）"


def as_html(text: str) -> str:
    """The notice to print: citizen's and staff's words escaped, nothing in it live."""
    return html_page(text, title="交办通知")


def _day(moment) -> str:
    local = moment.astimezone(COUNTY_TIME)
    return f"{local.year}年{local.month}月{local.day}日"
