"""The alert rules and the dashboards ship checked: promtool accepts them, each alert fires when it should
(promtool's rule unit tests), has its runbook entry, and names only metrics the office exports."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import lianxin.metrics
from lianxin.metrics import GAUGES
from tests.support.prometheus import dashboard_exprs, promql_metric_names

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
ALERTS = {rule["alert"]: rule for group in RULES["groups"] for rule in group["rules"]}
PROMETHEUS_OWN = {"up"}  # the series Prometheus itself keeps of every target

needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool is not installed (`bin/lianxin test` installs it from Debian's prometheus package)")


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=120)


@needs_promtool
def test_promtool_accepts_the_configuration_and_its_rules():
    checked = promtool("check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 rule files found" in checked.stdout + checked.stderr
    checked = promtool("check", "rules", str(PROMETHEUS / "alerts.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_each_alert_fires_when_it_should_and_not_otherwise():
    tested = promtool("test", "rules", str(PROMETHEUS / "alerts_test.yml"))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_has_a_rule_test_that_sees_it_fire():
    cases = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text(encoding="utf-8"))["tests"]
    firing = {t["alertname"] for case in cases for t in case["alert_rule_test"] if t["exp_alerts"]}
    assert firing == set(ALERTS)


def test_every_alert_has_its_runbook_entry():
    runbook = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8").split("## Alerts and runbook", 1)
    assert len(runbook) == 2, "docs/operations.md has no 'Alerts and runbook' section"
    entries = set(re.findall(r"^### (Lianxin\w+)$", runbook[1], re.M))
    assert entries == set(ALERTS)
    for name, rule in ALERTS.items():
        assert rule["annotations"]["runbook"] == f"docs/operations.md#{name.lower()}"
        assert rule["labels"]["severity"] in ("critical", "warning", "info")


def exported_metric_names() -> set[str]:
    """What the services' /metrics can carry: the counters and histograms with their suffixes, the gauges."""
    names = set(GAUGES)
    for metric in vars(lianxin.metrics.METRICS).values():
        family = metric.describe()[0]
        suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}[family.type]
        names |= {family.name + suffix for suffix in suffixes}
    return names


def test_alerts_and_dashboard_panels_name_only_metrics_the_office_exports():
    exported = exported_metric_names() | PROMETHEUS_OWN
    dashboards = [json.loads(p.read_text(encoding="utf-8")) for p in ROOT.glob("deploy/grafana/dashboards/*.json")]
    expressions = [rule["expr"] for rule in ALERTS.values()] + [e for d in dashboards for e in dashboard_exprs(d)]
    for expr in expressions:
        names = promql_metric_names(expr)
        assert names and names <= exported, f"{expr!r} names {names - exported}, which no service exports"


def test_the_dashboard_charts_callbacks_reviews_alerts_dead_letters_and_queues():
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/lianxin.json").read_text(encoding="utf-8"))
    charted = {n for e in dashboard_exprs(dashboard) for n in promql_metric_names(e)}
    assert {"lianxin_callbacks_pending", "lianxin_reviews_overdue", "lianxin_alerts_recent", "lianxin_dead_letters",
            "lianxin_queue_messages"} <= charted
    assert any(p["type"] == "alertlist" for p in dashboard["panels"]), "no panel lists the alerts firing"
