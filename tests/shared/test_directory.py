"""The county directory: the sample county loads, and a bad entry is named."""

import pytest
import yaml

from lianxin.directory import DirectoryError, load_directory
from tests.support.county import SAMPLE


@pytest.fixture(scope="module")
def county():
    return load_directory(SAMPLE)


def test_the_sample_county_is_a_realistic_one(county):
    assert len(county.townships) >= 12 and all(len(t.villages) >= 1 for t in county.townships)
    assert len(county.departments) >= 20 and any(d.vertical for d in county.departments)
    assert county.enterprises and county.officers
    assert {"county", "city"} == {leader.level for leader in county.leaders}
    assert {c.route for c in county.categories} == {"township", "department"}
    assert {c.severity for c in county.categories} == {"general", "major"}
    assert "other" in county.category_by_code  # the fallback category routing relies on


def test_a_category_is_suggested_from_the_words_of_a_report(county):
    assert county.suggest_category("村里的自来水停了，喝水成了问题").code == "drinking-water"
    assert county.suggest_category("天气不错") is None


def broken(tmp_path, change):
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, named", [
    (lambda d: d["categories"][1].update(severity="urgent"), "categories[1] (medical-care).severity"),
    (lambda d: d["categories"][0].update(department="nowhere"),
     "category 'subsistence-allowance': department 'nowhere' does not exist"),
    (lambda d: d["departments"].append(dict(d["departments"][0])),
     f"unit code {yaml.safe_load(SAMPLE.read_text(encoding='utf-8'))['departments'][0]['code']!r} is used twice"),
    (lambda d: d["officers"][0].update(enterprise="qingshan-cement"), "officers[0]"),
    (lambda d: d["leaders"][2]["units"].append("atlantis"), "unit 'atlantis' does not exist"),
    (lambda d: d["townships"][0].pop("villages"), "townships[0] (chengguan).villages"),
])
def test_a_bad_entry_stops_the_load_with_its_name(tmp_path, change, named):
    with pytest.raises(DirectoryError) as refused:
        load_directory(broken(tmp_path, change))
    assert named in str(refused.value)


def test_a_missing_file_is_reported_plainly(tmp_path):
    with pytest.raises(DirectoryError, match="cannot read"):
        load_directory(tmp_path / "nope.yaml")
