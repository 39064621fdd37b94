"""The county directory: units, places, leaders, subject categories and routing.

Loaded from YAML (``deploy/county.yaml`` by default) and validated when a
service starts; a bad entry stops the start with an error that names it.

Every entry a person reads by name has the office's Chinese name and may have an English one (``name_en``,
a leader's ``title_en`` too), as the county's English pages write it; ``name_in`` is the one way to say an
entry in the reader's language, the Chinese name where no English one is given.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, get_args

import yaml
from nameko.extensions import DependencyProvider
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]


class DirectoryError(ValueError):
    """The county directory is unusable; the message names the bad entry."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Name = Annotated[str, Field(min_length=1)]


class _Named(_Entry):
    """An entry people read by its name: the office's Chinese name, and the English one of English pages."""
    code: Code
    name: Name
    name_en: Name | None = None

    def name_in(self, lang: str) -> str:
        """The entry's name in the reader's language (English falls back to the Chinese name)."""
        return _in(lang, self.name, self.name_en)


def _in(lang: str, chinese: str, english: str | None) -> str:
    return english or chinese if lang == "en" else chinese


class Village(_Named):
    pass


class Township(_Named):
    market_days: list[Annotated[int, Field(ge=1, le=31)]] = []
    villages: list[Village] = Field(min_length=1)
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None  # its seat, for the console's map
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None


class Department(_Named):
    vertical: bool = False  # vertically managed: outcomes are reported to its superior


class Enterprise(_Named):
    township: Code


class Leader(_Named):
    level: Literal["county", "city"]
    title: str
    title_en: Name | None = None

    def title_in(self, lang: str) -> str:
        return _in(lang, self.title, self.title_en)
    portfolio: list[Code] = []
    units: list[Code] = []


class Category(_Named):
    severity: Literal["general", "major"]
    route: Literal["township", "department"]
    department: Code
    keywords: list[str] = []
    confidential: bool = False  # what reporters say is never published (whistle-blowing, 举报)


class Officer(_Named):
    village: Code | None = None
    enterprise: Code | None = None

    @model_validator(mode="after")
    def _one_place(self):
        if (self.village is None) == (self.enterprise is None):
            raise ValueError("an officer belongs to exactly one village or one enterprise")
        return self


class County(_Named):
    city: str
    city_en: Name | None = None

    def city_in(self, lang: str) -> str:
        return _in(lang, self.city, self.city_en)


class Directory(_Entry):
    county: County
    townships: list[Township] = Field(min_length=1)
    departments: list[Department] = Field(min_length=1)
    enterprises: list[Enterprise] = []
    leaders: list[Leader] = []
    categories: list[Category] = Field(min_length=1)
    officers: list[Officer] = []
    # who may read what reporters say on confidential subjects (whistle-blowing on officials, 举报)
    confidential_readers: list[str] = ["supervisor", "administrator"]

    @cached_property
    def units(self) -> dict[str, Township | Department]:
        return {u.code: u for u in [*self.townships, *self.departments]}

    @cached_property
    def township_by_code(self) -> dict[str, Township]:
        return {t.code: t for t in self.townships}

    @cached_property
    def villages(self) -> dict[str, tuple[Township, Village]]:
        return {v.code: (t, v) for t in self.townships for v in t.villages}

    @cached_property
    def category_by_code(self) -> dict[str, Category]:
        return {c.code: c for c in self.categories}

    @cached_property
    def enterprise_by_code(self) -> dict[str, Enterprise]:
        return {e.code: e for e in self.enterprises}

    @cached_property
    def by_code(self) -> dict[str, _Named]:
        """Every entry people read by name, by its code: units, villages, subjects, leaders, enterprises, officers."""
        return {**{o.code: o for o in self.officers}, **{x.code: x for x in self.leaders}, **self.enterprise_by_code,
                **self.category_by_code, **{code: v for code, (_, v) in self.villages.items()}, **self.units}

    def named(self, code: str | None, lang: str) -> str:
        """The name of the entry with this code in the reader's language; the code itself when the county no
        longer has it (a unit merged away after its cases were kept)."""
        entry = self.by_code.get(code)
        return entry.name_in(lang) if entry else (code or "")

    def names(self, lang: str) -> dict[str, str]:
        """Code -> name of every entry in the reader's language, for pages that look names up by code."""
        return self._spoken(lang)[0]

    def read_in(self, lang: str) -> Directory:
        """The county as a reader of ``lang`` reads it, every name and title in their language and every code
        unchanged: for pages that list entries (a select of townships); never for what a service keeps."""
        return self._spoken(lang)[1]

    def _spoken(self, lang: str) -> tuple[dict[str, str], Directory]:
        if lang not in self._languages:
            names = {code: entry.name_in(lang) for code, entry in self.by_code.items()}
            read = self if lang != "en" else Directory.model_validate(_said_in(self.model_dump(), lang))
            self._languages[lang] = names, read
        return self._languages[lang]

    @cached_property
    def _languages(self) -> dict[str, tuple[dict[str, str], Directory]]:
        return {}

    def unit_kind(self, code: str) -> Literal["township", "department"]:
        return "township" if isinstance(self.units[code], Township) else "department"

    def township_of(self, village: str | None = None, enterprise: str | None = None) -> str | None:
        if village in self.villages:
            return self.villages[village][0].code
        if enterprise in self.enterprise_by_code:
            return self.enterprise_by_code[enterprise].township
        return None

    def confidential(self, category: str) -> bool:
        return bool((found := self.category_by_code.get(category)) and found.confidential)

    def suggest_category(self, text: str) -> Category | None:
        """The category whose keywords appear most often in the text, if any."""
        hits = [(sum(text.count(k) for k in c.keywords), c) for c in self.categories]
        best_count, best = max(hits, key=lambda hit: hit[0])
        return best if best_count else None

    @field_validator("confidential_readers")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        from lianxin.auth import Role  # the staff roles; imported here, as lianxin.auth needs this module
        if unknown := [r for r in roles if r not in get_args(Role)]:
            raise ValueError(f"unknown role {unknown[0]!r}; the roles are {', '.join(get_args(Role))}")
        return roles

    @model_validator(mode="after")
    def _references(self):
        problems = _duplicate_codes(self) + _dangling_references(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _said_in(raw, lang: str):
    """The dumped directory with each name, title and city in ``lang`` (the rule of ``name_in``)."""
    if isinstance(raw, list):
        return [_said_in(x, lang) for x in raw]
    if not isinstance(raw, dict):
        return raw
    said = {key: _said_in(value, lang) for key, value in raw.items()}
    for key in ("name", "title", "city"):
        if key in said and isinstance(said[key], str):
            said[key] = _in(lang, said[key], said.get(f"{key}_en"))
    return said


def _duplicate_codes(d: Directory) -> list[str]:
    """Codes used twice: within a kind, or by two kinds (a page names an entry by its code alone, ``named``)."""
    seen, kind_of, problems = {}, {}, []
    groups = {"unit": [*d.townships, *d.departments], "village": [v for t in d.townships for v in t.villages],
              "enterprise": d.enterprises, "leader": d.leaders, "category": d.categories, "officer": d.officers}
    for kind, entries in groups.items():
        for entry in entries:
            key = (kind, entry.code)
            if key in seen:
                problems.append(f"{kind} code {entry.code!r} is used twice")
            elif kind_of.get(entry.code, kind) != kind:
                problems.append(f"{kind} code {entry.code!r} is also a {kind_of[entry.code]}'s")
            seen[key] = entry
            kind_of.setdefault(entry.code, kind)
    return problems


def _dangling_references(d: Directory) -> list[str]:
    problems = []
    departments = {x.code for x in d.departments}
    for c in d.categories:
        if c.department not in departments:
            problems.append(f"category {c.code!r}: department {c.department!r} does not exist")
    for e in d.enterprises:
        if e.township not in d.township_by_code:
            problems.append(f"enterprise {e.code!r}: township {e.township!r} does not exist")
    for leader in d.leaders:
        problems += [f"leader {leader.code!r}: category {c!r} does not exist"
                     for c in leader.portfolio if c not in d.category_by_code]
        problems += [f"leader {leader.code!r}: unit {u!r} does not exist" for u in leader.units if u not in d.units]
    for o in d.officers:
        if o.village and o.village not in d.villages:
            problems.append(f"officer {o.code!r}: village {o.village!r} does not exist")
        if o.enterprise and o.enterprise not in d.enterprise_by_code:
            problems.append(f"officer {o.code!r}: enterprise {o.enterprise!r} does not exist")
    return problems


def load_directory(path: str | Path) -> Directory:
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # libyaml: 20 times faster
    except OSError as exc:
        raise DirectoryError(f"county directory {path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise DirectoryError(f"county directory {path}: not valid YAML ({exc})") from None
    try:
        return Directory.model_validate(raw)
    except ValidationError as exc:
        raise DirectoryError(f"county directory {path}: {_describe(exc, raw)}") from None


def _describe(exc: ValidationError, raw) -> str:
    """Name each bad entry by its section, position and code, e.g. ``categories[3] (schooling).severity``."""
    parts = []
    for err in exc.errors()[:10]:
        loc, node, names = err["loc"], raw, []
        for step in loc:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                node = None
            code = node.get("code") if isinstance(node, dict) and isinstance(step, int) else None
            names.append(f"[{step}] ({code})" if code else f"[{step}]" if isinstance(step, int) else f".{step}")
        where = "".join(names).lstrip(".") or "(top level)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


class CountyDirectory(DependencyProvider):
    """Injects the validated county directory (path from config ``DIRECTORY``)."""

    def setup(self):
        self.directory = load_directory(self.container.config["DIRECTORY"])

    def get_dependency(self, worker_ctx):
        return self.directory
