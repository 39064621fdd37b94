"""Reception days (领导接访): the month's calendar, substitution (补位) and the public announcement.

Pure rules over the county directory: no database, no messaging, no HTTP. The county's rules:

- every Monday the county Party secretary and the county head receive visitors together, in one session
  (one hall, one queue: a visitor does not have to choose between them);
- the 10th: joint reception by the heads of police, procuratorate, court, justice and petition (公检法司信五长);
- the 15th: a deputy county leader, rotating month by month in directory order, with the heads of the
  departments in that leader's portfolio;
- townships: every Tuesday and Wednesday plus their market days, one session a day, led by the township.

Dates are kept as the rules state them, weekends included: the directory holds no holiday calendar, so
postponing for holidays (遇节假日顺延) is left to whoever adds one. When rules fall on the same day every
session still happens; county sessions sharing a day take the morning and the afternoon in turn, so the
reception hall holds one session at a time.
"""
from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from lianxin.i18n import N_
from lianxin.vocabulary import COUNTY_TIME

if TYPE_CHECKING:  # hints only: importing lianxin.directory at run time would pull in nameko
    from lianxin.directory import Directory, Leader, Township

SLOTS = ((time(9), time(12)), (time(14, 30), time(17, 30)))  # morning, then afternoon for a second session
COUNTY_HALL = "县群众工作中心接待大厅"
FIVE_HEADS = ("public-security", "procuratorate", "court", "justice", "petition")  # 公、检、法、司、信
GENERAL = "综合接访"
LAW_RELATED = "涉法涉诉"
AS_NEEDED = "视来访事项通知相关单位到场"
WEEKDAYS = "一二三四五六日"
TOWNSHIP_HALL = "便民服务中心"  # after the township's name
# the places and subjects above in the reader's words (the published notice says them in Chinese, as announced)
SAID = {COUNTY_HALL: N_("the reception hall of the county's public work centre"), GENERAL: N_("general reception"),
        LAW_RELATED: N_("matters of law and litigation")}
TOWNSHIP_HALL_SAID = N_("%(township)s public service centre")

Kind = Literal["principals", "five-heads", "deputy", "township"]


class ReceptionError(ValueError):
    """A reception rule cannot be kept; the message says which and why (a message id of the catalogue with its
    values where a person is told, plain text where the directory is checked at start)."""

    def __init__(self, message: str, **values):
        super().__init__(message % values if values else message)
        self.message_id, self.values = message, values


class NoLeaderAvailable(ReceptionError):
    """Nobody in the rotation can take the day: it must go to the leading group, never be dropped quietly."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Substitution(_Record):
    """补位: who could not attend, who took the seat instead, and why."""
    absent: str  # leader code
    stand_in: str  # leader code
    reason: str = Field(min_length=1)
    passed_over: tuple[str, ...] = ()  # leaders before the stand-in in the rotation who were unavailable too


class ReceptionSession(_Record):
    """One reception session and its five things public (接访五公开): leaders, units, time, place, subject."""
    id: str  # stable: "<date>-<kind>" for county sessions, "<date>-<township code>" for township ones
    kind: Kind
    day: date
    starts_at: datetime  # county time
    ends_at: datetime
    leaders: tuple[str, ...] = ()  # county leaders on duty, after any substitution
    lead_units: tuple[str, ...] = ()  # units whose heads lead: the five heads, or the township
    units: tuple[str, ...] = ()  # accompanying units (陪同单位)
    place: str
    subject: str
    substitutions: tuple[Substitution, ...] = ()


# --- who receives -------------------------------------------------------------

def county_leaders(directory: Directory) -> list[Leader]:
    """The rotation for substitution: county leaders in directory order."""
    return [leader for leader in directory.leaders if leader.level == "county"]


def _holds(leader: Leader, post: str) -> bool:
    # whole posts only: "县长" must not match "副县长", nor "县委书记" match "县纪委书记"
    return post in leader.title.split("、")


def principals(directory: Directory) -> tuple[Leader, Leader]:
    """The county Party secretary (县委书记) and the county head (县长), found by title."""
    found = []
    for post in ("县委书记", "县长"):
        holders = [leader for leader in county_leaders(directory) if _holds(leader, post)]
        if len(holders) != 1:
            raise ReceptionError(f"the directory must name exactly one county leader titled {post}, "
                                 f"found {len(holders)}")
        found.append(holders[0])
    return found[0], found[1]


def deputies(directory: Directory) -> list[Leader]:
    """County leaders other than the secretary and the head, in directory order: the 15th's rotation."""
    excluded = {leader.code for leader in principals(directory)}
    return [leader for leader in county_leaders(directory) if leader.code not in excluded]


def deputy_on_duty(directory: Directory, year: int, month: int) -> Leader:
    """The deputy leading the 15th; counted on absolute months so the turn carries on across years."""
    rotation = deputies(directory)
    if not rotation:
        raise ReceptionError("the directory has no deputy county leader to lead the 15th")
    return rotation[(year * 12 + month - 1) % len(rotation)]


def township_receives(township: Township, day: date) -> bool:
    """Tuesdays, Wednesdays and market days; a day that is both is still one session."""
    return day.weekday() in (1, 2) or day.day in township.market_days


# --- the calendar -------------------------------------------------------------

def month_calendar(directory: Directory, year: int, month: int) -> list[ReceptionSession]:
    """Every reception session of the month, by day, county sessions before township ones."""
    days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    county = [s for day in days for s in _county_sessions(directory, day)]
    townships = [_township_session(t, day) for day in days for t in directory.townships if township_receives(t, day)]
    sessions = sorted(county + townships, key=lambda s: (s.day, s.kind == "township", s.starts_at))
    ids = [s.id for s in sessions]
    if len(set(ids)) != len(ids):  # a township coded like a county session would make ids ambiguous
        raise ReceptionError(f"reception ids repeat in {year}-{month:02d}; check township codes")
    return sessions


def _county_sessions(directory: Directory, day: date) -> list[ReceptionSession]:
    rules: list[tuple[bool, Callable[[Directory, date], dict]]] = [
        (day.weekday() == 0, _principals_day), (day.day == 10, _five_heads_day), (day.day == 15, _deputy_day)]
    plans = [plan(directory, day) for applies, plan in rules if applies]
    if len(plans) > len(SLOTS):  # cannot happen with today's rules; a new rule must not push a session out
        raise ReceptionError(f"{day}: {len(plans)} county sessions but only {len(SLOTS)} time slots")
    return [_session(day, SLOTS[i], place=COUNTY_HALL, **plan) for i, plan in enumerate(plans)]


def _principals_day(directory: Directory, day: date) -> dict:
    return dict(kind="principals", leaders=tuple(p.code for p in principals(directory)), subject=GENERAL)


def _five_heads_day(directory: Directory, day: date) -> dict:
    missing = [code for code in FIVE_HEADS if code not in directory.units]
    if missing:
        raise ReceptionError(f"the five heads' reception needs units missing from the directory: {missing}")
    return dict(kind="five-heads", lead_units=FIVE_HEADS, subject=LAW_RELATED)


def _deputy_day(directory: Directory, day: date) -> dict:
    deputy = deputy_on_duty(directory, day.year, day.month)
    units = tuple(u for u in deputy.units if directory.unit_kind(u) == "department")  # townships hold their own
    subject = "、".join(directory.category_by_code[c].name for c in deputy.portfolio) or GENERAL
    return dict(kind="deputy", leaders=(deputy.code,), units=units, subject=subject)


def _township_session(township: Township, day: date) -> ReceptionSession:
    return _session(day, SLOTS[0], label=township.code, kind="township", lead_units=(township.code,),
                    place=township.name + TOWNSHIP_HALL, subject=GENERAL)


def _session(day: date, hours: tuple[time, time], label: str | None = None, **fields) -> ReceptionSession:
    start, end = hours
    return ReceptionSession(id=f"{day.isoformat()}-{label or fields['kind']}", day=day,
                            starts_at=datetime.combine(day, start, COUNTY_TIME),
                            ends_at=datetime.combine(day, end, COUNTY_TIME), **fields)


# --- substitution (补位) --------------------------------------------------------

def substitute(session: ReceptionSession, unavailable: Iterable[str], directory: Directory,
               reason: str) -> ReceptionSession:
    """Fill every seat of an unavailable leader with the next available county leader in the rotation.

    The rotation is the county leaders in directory order, continuing after the absent leader and wrapping
    round; it passes over the unavailable and those already on duty in this session (one person, one seat).
    Units, place, time and subject stay as announced: visitors come for what was published. Sessions led by
    units (the five heads, townships) have no county leader to replace; their heads' deputies stand in.
    """
    unavailable = set(unavailable)
    rotation = [leader.code for leader in county_leaders(directory)]
    unknown = sorted(unavailable - set(rotation))
    if unknown:
        raise ReceptionError(N_("The directory has no county leader %(leaders)s: only the county leaders on duty "
                                "can be marked as unable to attend"), leaders="、".join(unknown))
    leaders, records = list(session.leaders), list(session.substitutions)
    for seat, absent in enumerate(leaders):
        if absent in unavailable:
            stand_in, passed_over = _next_in_rotation(rotation, absent, unavailable, set(leaders), session,
                                                      directory)
            leaders[seat] = stand_in
            records.append(Substitution(absent=absent, stand_in=stand_in, reason=reason, passed_over=passed_over))
    return session.model_copy(update={"leaders": tuple(leaders), "substitutions": tuple(records)})


def _next_in_rotation(rotation: list[str], absent: str, unavailable: set[str], on_duty: set[str],
                      session: ReceptionSession, directory: Directory) -> tuple[str, tuple[str, ...]]:
    start = rotation.index(absent)
    passed_over = []
    for step in range(1, len(rotation)):
        code = rotation[(start + step) % len(rotation)]
        if code in unavailable:
            passed_over.append(code)
        elif code not in on_duty:
            return code, tuple(passed_over)
    raise NoLeaderAvailable(N_("No county leader can stand in for %(leader)s on %(day)s, as every other one cannot "
                               "attend or is on duty already: refer the day to the leading group, which does not "
                               "drop it"),
                            leader=_name(directory, absent), day=session.day.isoformat())


def _name(directory: Directory, code: str) -> str:
    return next(leader.name for leader in directory.leaders if leader.code == code)


# --- publication (接访五公开) ----------------------------------------------------

def announcement(directory: Directory, sessions: list[ReceptionSession]) -> str:
    """The month's calendar as a Markdown announcement: one table row per session, five things each."""
    if not sessions:
        raise ReceptionError("no reception sessions to announce")
    county = [s for s in sessions if s.kind != "township"]
    months = "、".join(f"{y}年{m}月" for y, m in sorted({(s.day.year, s.day.month) for s in sessions}))
    lines = [f"# {directory.county.name}{months}领导接访安排公告", "",
             f"根据县委、县政府领导接访制度，现将{months}领导接访安排公告如下。每场接访公开接访领导、陪同单位、"
             "接访时间、接访地点和接访事项（接访五公开），欢迎群众按时前往反映诉求。", ""]
    if county:
        lines += ["## 县级领导接访", "", *_table(directory, county), ""]
    by_township = [(t, [s for s in sessions if s.kind == "township" and s.lead_units == (t.code,)])
                   for t in directory.townships]
    if any(own for _, own in by_township):
        lines += ["## 乡镇（街道）接访", ""]
        for township, own in by_township:
            lines += [f"### {township.name}", "", *_table(directory, own), ""] if own else []
    lines += ["## 说明", "",
              "- 接访时间均为北京时间。",
              "- 接访领导因故不能到场的，由轮值顺序中的下一位县级领导补位接访，接访日不取消。",
              "- 群众反映的问题能当场解决的当场解决；不能当场解决的，登记后下达交办通知，明确承办单位和办理时限。",
              "", f"{directory.county.name}委群众工作办公室", ""]
    return "\n".join(lines)


def _table(directory: Directory, sessions: list[ReceptionSession]) -> list[str]:
    rows = [[_when(s), _who(directory, s), _with(directory, s), s.place, s.subject] for s in sessions]
    return ["| 接访时间 | 接访领导 | 陪同单位 | 接访地点 | 接访事项 |", "| --- | --- | --- | --- | --- |",
            *("| " + " | ".join(cell.replace("|", "｜") for cell in row) + " |" for row in rows)]


def _when(s: ReceptionSession) -> str:
    return f"{s.day.month}月{s.day.day}日（星期{WEEKDAYS[s.day.weekday()]}）{s.starts_at:%H:%M}—{s.ends_at:%H:%M}"


def _who(directory: Directory, s: ReceptionSession) -> str:
    leaders = {leader.code: leader for leader in directory.leaders}
    stood_in_for: dict[str, str] = {}  # stand-in -> the leader announced first, through any chain of stand-ins
    for sub in s.substitutions:
        stood_in_for[sub.stand_in] = stood_in_for.get(sub.absent, sub.absent)
    people = []
    for code in s.leaders:
        leader, note = leaders[code], ""
        if code in stood_in_for:
            note = f"，补位{leaders[stood_in_for[code]].name}同志"
        people.append(f"{leader.name}（{leader.title}{note}）")
    heads = "、".join(directory.units[u].name for u in s.lead_units)
    if s.kind == "five-heads":
        people.append(f"公检法司信五长（{heads}主要负责同志）")
    elif heads:
        people.append(f"{heads}党政主要负责同志")
    return "、".join(people)


def _with(directory: Directory, s: ReceptionSession) -> str:
    return "、".join(directory.units[u].name for u in s.units) or AS_NEEDED
