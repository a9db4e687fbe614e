#!/usr/bin/env python3
"""Checks a Grafana dashboard's PromQL against fdscope's metric contract.

  check_dashboard.py DASHBOARD.json METRICS.md [--promtool PATH] [--plant EXPR]

Every expression (panel targets, nested rows, templating queries) must parse
in Prometheus' own parser and name only metrics listed in METRICS.md
(docs/metrics.md: the first cell of each row of its metric table, the
rows whose second cell is a type).
Parsing is promtool's: each expression becomes a recording rule in a
temporary rules file, and `promtool check rules` judges the file. Grafana's
variables are replaced by values of their kind first ($instance by a regex,
$__rate_interval by a duration). --plant adds one expression, to show that a
bad one is caught (with --expect-caught: exit 0 only when each planted
expression and nothing else is reported). Exit 0 when all is well, 1 with the findings otherwise.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

# Words of PromQL that are not metric names where an identifier may stand.
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset", "inf", "nan", "atan2", "start", "end"}
VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "${__range}": "1h",
             "$__range_s": "3600", "$__interval_ms": "60000"}


def contract_metrics(markdown):
    # The rows of the metric table: | `name` (...) | gauge|counter|info | ...
    # (names in prose, such as the ones a port replaces, do not count).
    names = set(re.findall(r"^\| `([a-zA-Z_:][a-zA-Z0-9_:]*)`[^|]*\| (?:gauge|counter|info) \|", markdown, re.M))
    # Those are sample names (fdscope_scrapes_total, fdscope_build_info):
    # what PromQL selects.
    return names


def expressions(node, where="dashboard"):
    """(where, expr) for every PromQL expression in the dashboard JSON."""
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            yield where, node["expr"]
        q = node.get("query")
        if node.get("type") == "query" and isinstance(q, (str, dict)):
            text = q if isinstance(q, str) else q.get("query", "")
            m = re.fullmatch(r"\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*", text)
            if m:
                yield f"variable {node.get('name')}", m.group(1)
            elif text.strip():
                yield f"variable {node.get('name')}", text
        if "gridPos" in node and node.get("title"):
            where = f"panel {node['title']!r}"
        for v in node.values():
            yield from expressions(v, where)
    elif isinstance(node, list):
        for v in node:
            yield from expressions(v, where)


def substitute(expr):
    for k, v in sorted(VARIABLES.items(), key=lambda kv: -len(kv[0])):
        expr = expr.replace(k, v)
    # Any other variable sits in a matcher's regex ($instance, ${job}).
    return re.sub(r"\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?", ".+", expr)


def metric_names(expr):
    """The metric names an expression selects (a small PromQL lexer: strings,
    matchers, grouping label lists and durations are dropped first)."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    s = re.sub(r"\{[^}]*\}", " ", s)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    s = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    names = []
    for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?", s):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in KEYWORDS:
            continue
        names.append(word)
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dashboard")
    ap.add_argument("metrics_md")
    ap.add_argument("--promtool", default="promtool")
    ap.add_argument("--plant", action="append", default=[])
    ap.add_argument("--expect-caught", action="store_true",
                    help="succeed only when each planted expression, and nothing else, is reported")
    a = ap.parse_args()
    with open(a.dashboard, encoding="utf-8") as f:
        dash = json.load(f)
    try:
        with open(a.metrics_md, encoding="utf-8") as f:
            allowed = contract_metrics(f.read())
    except OSError as e:
        print(f"the metric contract is missing: {e}", file=sys.stderr)
        return 1
    if not allowed:
        print(f"{a.metrics_md}: names no fdscope_ metric", file=sys.stderr)
        return 1
    found = list(expressions(dash)) + [("planted", p) for p in a.plant]
    if not found:
        print(f"{a.dashboard}: no expression found", file=sys.stderr)
        return 1
    problems = []
    rules = []
    for i, (where, expr) in enumerate(found):
        for name in metric_names(expr):
            if name not in allowed:
                problems.append(f"{where}: {name} is not a metric of {a.metrics_md}: {expr}")
        rules.append({"record": f"dashboard:expr_{i}", "expr": substitute(expr)})
    with tempfile.TemporaryDirectory(prefix="fdscope-dash-") as tmp:
        path = os.path.join(tmp, "dashboard_rules.yml")
        with open(path, "w", encoding="utf-8") as f:
            # JSON is YAML: no YAML library needed, and no quoting to get wrong.
            json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, f, indent=1)
        r = subprocess.run([a.promtool, "check", "rules", path], capture_output=True, text=True)
        if r.returncode != 0:
            problems.append("promtool check rules failed:\n" + r.stdout + r.stderr)
            for i in sorted({int(n) for n in re.findall(r'"dashboard:expr_(\d+)"', r.stdout + r.stderr)}):
                problems.append(f"  {found[i][0]}: {found[i][1]}")
    for p in problems:
        print(p, file=sys.stderr)
    if a.expect_caught:
        planted = [p for p in problems if "planted:" in p]
        caught = all(any(e in p for p in planted) for e in a.plant)
        others = [p for p in problems if "planted" not in p and not p.startswith("promtool check rules failed")]
        print("every planted expression was caught" if caught and not others and a.plant
              else "FAIL: a planted expression went unreported, or something else failed", file=sys.stderr)
        return 0 if caught and not others and a.plant else 1
    if not problems:
        print(f"{a.dashboard}: {len(found)} expressions parse and name only metrics of {a.metrics_md}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
