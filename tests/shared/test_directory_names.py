"""The county's names in the reader's language: every entry of the sample county has its English name, one
function says an entry in a language (the Chinese name where no English one is given), and the console's pages
list and name the county in English on English pages (issue 18)."""
import re

import pytest
import yaml

from lianxin.auth import Staff
from lianxin.directory import DirectoryError, load_directory
from services.console import labels
from tests.support.console_pages import CASE, case_page
from tests.support.county import SAMPLE

CHINESE = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def county():
    return load_directory(SAMPLE)


def written(tmp_path, change):
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_directory(path)


def test_every_entry_of_the_sample_county_has_an_english_name_in_latin_letters(county):
    english = {code: entry.name_in("en") for code, entry in county.by_code.items()}
    assert not [code for code, name in english.items() if CHINESE.search(name)]
    titles = [x.title_in("en") for x in county.leaders]
    assert not [title for title in titles if CHINESE.search(title)]
    assert not CHINESE.search(county.county.name_in("en") + county.county.city_in("en"))


def test_names_are_written_as_the_county_s_english_pages_write_them(county):
    assert county.named("shihe", "en") == "Shihe Town"
    assert county.named("water-resources", "en") == "County Water Resources Bureau"
    assert county.named("collective-petition", "en") == "Collective Petition"
    assert county.named("other", "en") == "Other"
    assert county.named("shihe-hekou", "en") == "Hekou Village"
    assert county.named("li-secretary", "en") == "Li Ming"


def test_chinese_readers_read_the_office_s_names(county):
    assert county.named("shihe", "zh") == "石河镇" and county.named("other", "zh") == "其他"
    assert county.leaders[0].title_in("zh") == "县委书记"
    assert county.read_in("zh") is county


def test_an_entry_without_an_english_name_is_said_by_its_chinese_name(tmp_path):
    county = written(tmp_path, lambda d: d["categories"][0].pop("name_en"))
    assert county.named("subsistence-allowance", "en") == "低保"
    assert county.named("schooling", "en") == "Access to Schooling"


def test_a_code_the_county_no_longer_has_is_said_as_it_is(county):
    assert county.named("merged-away", "en") == "merged-away"
    assert county.named(None, "en") == ""


def test_a_blank_english_name_stops_the_load_with_its_name(tmp_path):
    with pytest.raises(DirectoryError, match=r"categories\[2\] \(schooling\)\.name_en"):
        written(tmp_path, lambda d: d["categories"][2].update(name_en=""))


def test_the_county_read_in_english_keeps_every_code_and_rule(county):
    english = county.read_in("en")
    assert english is county.read_in("en")  # worked out once
    assert [t.code for t in english.townships] == [t.code for t in county.townships]
    assert english.category_by_code["drinking-water"].department == "water-resources"
    assert english.township_by_code["shihe"].name == "Shihe Town"
    assert english.leaders[0].title == "Secretary of the County Party Committee"
    assert english.county.name == "Lianxin County"
    assert county.township_by_code["shihe"].name == "石河镇"  # the directory itself is unchanged


def test_the_console_names_the_county_in_the_reader_s_language(county):
    assert labels.names(county, "en")["collective-petition"] == "Collective Petition"
    assert labels.names(county, "zh")["collective-petition"] == "集体上访"
    assert labels.county(county, "en").category_by_code["other"].name == "Other"


def test_an_english_case_page_names_the_unit_subject_and_place_in_english(county):
    case = {**CASE, "category": "collective-petition", "severity": "major", "unit": "water-resources",
            "unit_kind": "department"}
    page = case_page("en", Staff(code="supervisor-01", role="supervisor", token_sha256="0" * 64), case=case,
                     names=labels.names(county, "en"), county=labels.county(county, "en"))
    facts = page.find("dl").get_text(" ", strip=True)
    assert "County Water Resources Bureau" in facts and "Collective Petition" in facts
    assert "Dongguan Community" in facts
    assert not CHINESE.search(page.find("dd", id="unit").get_text())


def test_a_code_two_kinds_of_entry_share_stops_the_load(tmp_path):
    """A page names an entry by its code alone: a subject coded as a unit would be named as the unit."""
    with pytest.raises(DirectoryError, match="category code 'petition' is also a unit's"):
        written(tmp_path, lambda d: d["categories"][-1].update(code="petition"))
