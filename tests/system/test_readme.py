"""The README stays true: its commands, its event catalogue, its configuration."""
import re
import subprocess
import sys
from pathlib import Path

from lianxin.events import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_gives_the_two_set_up_commands_and_ci_runs_the_second():
    setup = README.split("## Set up", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in setup.split("```sh", 1)[1].split("```", 1)[0].splitlines()
                if line.strip()]
    assert commands == ["bin/lianxin up", "bin/lianxin test"]
    assert "bin/lianxin test" in (ROOT / ".ci" / "run").read_text()


def test_every_event_type_is_in_the_readme_catalogue():
    listed = set(re.findall(r"^\| `([a-z]+\.[a-z]+)` \| (\w+) \|", README, flags=re.M))
    assert listed == {(name, entry.publisher) for name, entry in CATALOGUE.items()}


def test_every_configuration_variable_in_the_readme_is_read_by_the_code():
    from services.dispatch.config import DispatchSettings
    from services.intake.config import IntakeSettings
    from services.scoring.config import ScoringSettings
    from services.supervision.config import SupervisionSettings

    table = README.split("## Configuration", 1)[1].split("##", 1)[0]
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.startswith("| `")]
    variables = {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z_<>]+)`", cell)}
    known = set()
    for settings in (IntakeSettings, DispatchSettings, SupervisionSettings, ScoringSettings):
        prefix = settings.model_config["env_prefix"]
        for name, field in settings.model_fields.items():
            known.add(field.validation_alias or prefix + name.upper())
            known.add(field.validation_alias or "<S>_" + name.upper())
    known |= {"SCORING_WEIGHT_CLOSURE", "DISPATCH_MAJOR_DAYS"}  # written as pairs in the table
    known |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', (ROOT / "lianxin" / "settings.py").read_text()))
    assert variables <= known, variables - known


def test_the_code_passes_the_linter():
    ruff = Path(sys.executable).with_name("ruff")  # a test dependency, installed beside python
    lint = subprocess.run([ruff, "check", "lianxin", "services", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout[-3000:]


def test_the_architecture_table_lists_every_service_its_port_and_what_it_publishes():
    from lianxin.runner import SERVICES, load
    rows = re.findall(r"^\| `([a-z]+)` \| (\d+) \|[^|]*\|[^|]*\| ([^|]*) \|$", README, re.M)
    assert {service: int(port) for service, port, _ in rows} == {
        service: load(classes[1]).default_port for service, classes in SERVICES.items()}
    published = {service: set(re.findall(r"`([a-z]+\.[a-z]+)`", cell)) for service, _, cell in rows}
    assert published == {service: {n for n, e in CATALOGUE.items() if e.publisher == service} for service in SERVICES}
