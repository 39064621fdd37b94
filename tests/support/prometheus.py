"""Reading PromQL as Prometheus and Grafana will: the metric names an expression reads, a dashboard's
expressions."""
import re

PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "offset", "and", "or", "unless", "atan2", "inf", "nan",
}


def promql_metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (functions, labels, keywords removed)."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    s = re.sub(r"'(?:[^'\\]|\\.)*'", "''", s)
    s = re.sub(r"\{[^}]*\}", " ", s)  # label matchers
    s = re.sub(r"\[[^\]]*\]", " ", s)  # range selectors
    s = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    names = set()
    for match in re.finditer(r"(?<![\w$.:])[A-Za-z_:][\w:]*", s):
        name = match.group(0)
        if s[match.end():].lstrip().startswith("("):  # function call
            continue
        if name.lower() in PROMQL_WORDS:
            continue
        names.add(name)
    return names


def dashboard_exprs(dashboard: dict) -> list[str]:
    exprs = []

    def walk(panels):
        for panel in panels:
            for target in panel.get("targets") or []:
                if target.get("expr"):
                    exprs.append(target["expr"])
            walk(panel.get("panels") or [])  # collapsed rows

    walk(dashboard.get("panels") or [])
    return exprs
