"""The sample county the tests run in (deploy/county.yaml) and its staff's development tokens."""
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "county.yaml"
CREDENTIALS = SAMPLE.with_name("staff.yaml")
