"""The service types (the county's subjects) as Open311 lists and defines them."""
from __future__ import annotations

from dataclasses import dataclass

from lianxin.directory import Directory
from lianxin.i18n.kept_texts import READER


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    order: int
    description: str
    datatype_description: str | None = None
    values: tuple[tuple[str, str], ...] = ()  # (key, name) of list datatypes

    def definition(self) -> dict:
        entry = {"variable": True, "code": self.code, "datatype": self.datatype, "required": self.required,
                 "datatype_description": self.datatype_description, "order": self.order,
                 "description": self.description}
        if self.values:
            entry["values"] = [{"key": key, "name": name} for key, name in self.values]
        return entry


PEOPLE_INVOLVED = Attribute(
    "people_count", "number", False, 1, "How many people are affected or taking part?",
    "a whole number from 1 to 100000; from 5 people the office handles the matter as major")
# Categories whose reports need more than a description; the rest have metadata false (and no definition).
ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    "collective-petition": (
        Attribute("people_count", "number", True, 1, "How many people are taking part?",
                  "a whole number from 1 to 100000"),
        Attribute("gathering", "singlevaluelist", True, 2,
                  "Are people gathering now to petition? If so the office alerts the leaders at once.",
                  values=(("yes", "Yes, people are gathering now"), ("no", "No, not at the moment"))),
    ),
    "wage-arrears": (PEOPLE_INVOLVED,),
    "land-dispute": (PEOPLE_INVOLVED,),
}


def services_list(directory: Directory) -> list[dict]:
    lang = reader_lang()
    return [{"service_code": c.code, "service_name": c.name_in(lang), "description": service_description(directory, c),
             "metadata": c.code in ATTRIBUTES, "type": "realtime", "keywords": ", ".join(c.keywords) or None,
             "group": unit_name(directory, c.department)} for c in directory.categories]


def service_description(directory: Directory, category) -> str:
    handler = unit_name(directory, category.department)
    who = (f"handled by the township where it happens (or {handler} when no township is known)"
           if category.route == "township" else f"handled by {handler}")
    weight = "; a major matter, with a longer deadline and a leader's attention" if category.severity == "major" else ""
    return f"{category.name_in(reader_lang())}: {who}{weight}."


def service_notice(directory: Directory, code: str) -> str | None:
    category = directory.category_by_code.get(code)
    if category is None:
        return None
    return (f"The office sends this {category.name_in(reader_lang())} report to the unit responsible with a "
            f"deadline, and calls the reporter back before the case is closed.")


def unit_name(directory: Directory, code: str | None) -> str | None:
    unit = directory.units.get(code) if code else None
    return unit.name_in(reader_lang()) if unit else None


def reader_lang() -> str:
    """The language the client asked for (Accept-Language): the county's names are said in it."""
    return READER.get().lang
