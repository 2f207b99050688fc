"""The Prometheus, Alertmanager and Grafana files in contrib/, checked with the tools that read
them: `promtool check config`, `promtool check rules`, `promtool test rules` (the rules' own
unit tests, and broken copies of the rules that those tests must reject), `amtool check-config`
and `amtool config routes test`; the Grafana dashboard's JSON, its datasource references and
the metric names in its queries. The list of metric names is read from docs/METRICS.md, so the
documentation, the rules and the dashboard cannot drift apart. The alarm texts in the rules'
unit tests are matched against the agent's own formats in src/alarm.c.

promtool and amtool come from Debian's prometheus and prometheus-alertmanager packages; the
tests that need one skip when it is not installed."""

import json
import os
import re
import shutil
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROM_DIR = os.path.join(TOP, "contrib", "prometheus")
PROM_CONFIG = os.path.join(PROM_DIR, "prometheus.yml")
RULES = os.path.join(PROM_DIR, "clockwatch.rules.yml")
RULES_TEST = os.path.join(PROM_DIR, "clockwatch.rules.test.yml")
AM_CONFIG = os.path.join(TOP, "contrib", "alertmanager", "alertmanager.yml")
DASHBOARD = os.path.join(TOP, "contrib", "grafana", "clockwatch-fleet.json")
METRICS_DOC = os.path.join(TOP, "docs", "METRICS.md")
ALARM_C = os.path.join(TOP, "src", "alarm.c")

# Names that are not clockwatch's but that every Prometheus has: the scrape's own series.
STANDARD_NAMES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}


def tool(name):
    path = shutil.which(name) or ("/usr/bin/" + name if os.access("/usr/bin/" + name, os.X_OK)
                                  else None)
    if not path:
        pytest.skip("%s is not installed (Debian package %s)" % (
            name, "prometheus" if name == "promtool" else "prometheus-alertmanager"))
    return path


def run(*args, cwd=None):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def load_yaml(path):
    import yaml  # python3-yaml
    with open(path) as f:
        return yaml.safe_load(f)


# ---- the metric names, from docs/METRICS.md --------------------------------------------------

def doc_metrics():
    """{name: (type, unit, labels)} from the tables of the "## Metrics" section."""
    with open(METRICS_DOC) as f:
        text = f.read()
    m = re.search(r"^## Metrics\n(.*?)^## ", text, re.S | re.M)
    assert m, "docs/METRICS.md has no '## Metrics' section"
    out = {}
    for row in re.finditer(r"^\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \|([^\n]*)$", m.group(1), re.M):
        cells = [c.strip() for c in row.group(2).split("|")]
        labels = set(re.findall(r"`([a-z_]+)`", cells[2]))
        assert row.group(1) not in out, "listed twice: " + row.group(1)
        out[row.group(1)] = (cells[0], cells[1], labels)
    return out


def test_metrics_doc_is_consistent():
    """Every metric in docs/METRICS.md has a type, and its name says it as Prometheus wants."""
    metrics = doc_metrics()
    assert len(metrics) >= 40
    for core in ("clockwatch_synchronized", "clockwatch_offset_seconds", "clockwatch_alarm_info",
                 "clockwatch_alarm_severity", "clockwatch_last_check_timestamp_seconds",
                 "clockwatch_store_up", "clockwatch_source_offset_seconds",
                 "clockwatch_source_info", "clockwatch_build_info"):
        assert core in metrics, core
    assert metrics["clockwatch_alarm_info"][2] == {"node", "severity", "text"}
    assert metrics["clockwatch_source_info"][2] == {"source", "address", "state", "mode"}
    for name, (mtype, unit, labels) in metrics.items():
        assert name.startswith(("clockwatch_", "process_")), name
        assert mtype in ("gauge", "counter", "info"), (name, mtype)
        assert (mtype == "counter") == name.endswith("_total"), name
        assert (mtype == "info") == name.endswith("_info"), name
        if name.endswith("_seconds") or name.endswith("_seconds_total"):
            assert "seconds" in unit, (name, unit)
        if name.endswith("_ratio"):
            assert unit == "ratio", (name, unit)


# ---- PromQL: the metric names an expression uses ---------------------------------------------

PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
                   "group_left", "group_right", "inf", "nan", "atan2", "start", "end"}


def promql_names(expr):
    """The metric names in a PromQL expression (Grafana's $variables allowed)."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)  # strings
    s = re.sub(r"\{[^{}]*\}", " ", s)                                          # matchers
    s = re.sub(r"\[[^\[\]]*\]", " ", s)                                        # ranges
    s = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", s)
    s = re.sub(r"\$\{?\w+\}?", " ", s)                                         # $variables
    names = set()
    for m in re.finditer(r"(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?[a-z]*)|([a-zA-Z_:][a-zA-Z0-9_:]*)",
                         s):
        word = m.group(2)
        if not word or word.lower() in PROMQL_KEYWORDS:
            continue
        if re.match(r"\s*\(", s[m.end():]):
            continue  # a function
        names.add(word)
    return names


def test_promql_names_extractor():
    assert promql_names('count(up{job=~"$job"} == 0)') == {"up"}
    assert promql_names('max by (job) (a_b) - min without (x, y) (c{d="e f"}) > 1e-6') == \
        {"a_b", "c"}
    assert promql_names("rate(x_total{i=~\"$i\"}[$__rate_interval]) and on (i) y_info") == \
        {"x_total", "y_info"}
    assert promql_names("time() - t_seconds offset 5m > 300") == {"t_seconds"}


# ---- Prometheus: the configuration and the rules -----------------------------------------------

def test_prometheus_config(tmp_path):
    promtool = tool("promtool")
    for f in (PROM_CONFIG, RULES):
        shutil.copy(f, tmp_path)
    r = run(promtool, "check", "config", tmp_path / "prometheus.yml")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout + r.stderr
    assert "is valid prometheus config file syntax" in out, out
    assert "1 rule files found" in out, out

    conf = load_yaml(PROM_CONFIG)
    assert conf["rule_files"] == ["clockwatch.rules.yml"]
    assert conf["global"]["scrape_interval"] == "30s"
    am = conf["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert am == ["localhost:9093"]
    (job,) = [j for j in conf["scrape_configs"] if j["job_name"] == "clockwatch"]
    assert job["scrape_interval"] == "30s"
    targets = [t for sc in job["static_configs"] for t in sc["targets"]]
    assert targets and all(t.endswith(":10123") for t in targets), targets


def test_rules_check():
    promtool = tool("promtool")
    r = run(promtool, "check", "rules", RULES)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout, r.stdout


def rules():
    return [rule for g in load_yaml(RULES)["groups"] for rule in g["rules"]]


def test_rules_shape():
    """The alarm rule as DESIGN.md's "Fleet scale" wants it (the agent's alarm with the same
    severities and texts, no delay of its own), and the agent-health rules with theirs."""
    by_name = {r.get("alert") or r.get("record"): r for r in rules()}
    ts = by_name["TimeSynchronization"]
    assert re.sub(r"\s+", "", ts["expr"]) == 'clockwatch_alarm_info{severity!="cleared"}'
    assert "for" not in ts
    # the text goes out of the labels, into the summary; the seed's attributes go with it as
    # the agent's own Alertmanager push has them (src/cmd_agent.c)
    assert ts["labels"] == {"text": "", "managed_object": "SafNode",
                            "specific_problem": "LOTC Time Synchronization"}
    assert ts["annotations"]["summary"] == "{{ $labels.text }}"
    assert ts["annotations"]["major_type"] == "193"
    assert ts["annotations"]["minor_type"] == "3341942785"
    assert ts["annotations"]["event_type"] == "6"
    want = {"ClockwatchAgentDown": ("5m", "warning"), "ClockwatchChecksStale": ("2m", "warning"),
            "ClockwatchStoreFailing": ("10m", "warning")}
    for name, (delay, severity) in want.items():
        assert by_name[name]["for"] == delay, name
        assert by_name[name]["labels"]["severity"] == severity, name
    assert by_name["ClockwatchAgentDown"]["expr"].strip() == 'up{job="clockwatch"} == 0'
    for r in rules():
        if "alert" in r:
            assert r["annotations"].get("summary") and r["annotations"].get("description"), r


def test_rules_use_documented_metrics():
    known = set(doc_metrics()) | STANDARD_NAMES
    recorded = {r["record"] for r in rules() if "record" in r}
    for r in rules():
        unknown = promql_names(r["expr"]) - known - recorded
        assert not unknown, (r.get("alert") or r.get("record"), unknown)


def test_rules_unit_tests():
    promtool = tool("promtool")
    r = run(promtool, "test", "rules", RULES_TEST)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout, r.stdout


def alarm_text_patterns():
    """The agent's alarm texts (src/alarm.c's formats) as regular expressions."""
    with open(ALARM_C) as f:
        src = f.read()
    fmts = []
    for lit in re.findall(r'((?:"(?:[^"\\]|\\.)*"\s*)+)', src):
        s = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lit))
        if s.startswith(("Time incorrect", "Time servers not reachable")):
            fmts.append(s)
    assert len(fmts) >= 3, fmts
    pats = []
    for f in fmts:
        rx = re.escape(f)
        rx = rx.replace(re.escape("%.1f"), r"\d+\.\d").replace(re.escape("%.0f"), r"\d+")
        rx = rx.replace(re.escape("%s"), r".+")
        pats.append(re.compile(rx + r"\Z"))
    return pats


def test_rules_unit_tests_use_the_agents_texts():
    """Every alarm text in the unit tests is one the agent can produce, and every severity is
    one of the agent's words: the tests exercise the real alarm, not a paraphrase."""
    pats = alarm_text_patterns()
    with open(ALARM_C) as f:
        words = set(re.findall(r'return "(cleared|minor|major|critical)";', f.read()))
    assert words == {"cleared", "minor", "major", "critical"}
    tests = load_yaml(RULES_TEST)["tests"]
    seen = set()
    for t in tests:
        for s in t.get("input_series", []):
            m = re.search(r'severity="([a-z]+)",text="((?:[^"\\]|\\.)*)"', s["series"])
            if m and s["series"].startswith("clockwatch_alarm_info"):
                assert m.group(1) in words, s
                assert (m.group(2) == "") == (m.group(1) == "cleared"), s
                if m.group(2):
                    assert any(p.match(m.group(2)) for p in pats), m.group(2)
        for a in t.get("alert_rule_test", []):
            if a["alertname"] != "TimeSynchronization":
                continue
            for exp in a.get("exp_alerts") or []:
                sev, summary = exp["exp_labels"]["severity"], exp["exp_annotations"]["summary"]
                seen.add(sev)
                assert any(p.match(summary) for p in pats), summary
                assert "text" not in exp["exp_labels"]
    assert seen == {"minor", "major", "critical"}


# Ways to get the rules wrong; the unit tests must catch each one.
BREAKAGES = {
    "severity label removed": (
        'expr: clockwatch_alarm_info{severity!="cleared"}',
        'expr: max without (severity) (clockwatch_alarm_info{severity!="cleared"})'),
    "severity fixed": (
        '          text: ""\n', '          text: ""\n          severity: critical\n'),
    "text kept as a label": ('          text: ""\n', ""),
    "delayed by for": ("      - alert: TimeSynchronization\n",
                       "      - alert: TimeSynchronization\n        for: 1m\n"),
    "summary reworded": ('summary: "{{ $labels.text }}"',
                         'summary: "Time Synchronization alarm on {{ $labels.node }}"'),
    "cleared alerts too": ('expr: clockwatch_alarm_info{severity!="cleared"}',
                           "expr: clockwatch_alarm_info"),
    "seed attribute wrong": ('minor_type: "3341942785"', 'minor_type: "3341942784"'),
    "managed object wrong": ("          managed_object: SafNode\n",
                             "          managed_object: safNode=node-1\n"),
    "agent down too early": ('expr: up{job="clockwatch"} == 0\n        for: 5m',
                             'expr: up{job="clockwatch"} == 0\n        for: 1m'),
    "stale checks never": ("clockwatch_last_check_timestamp_seconds > 300",
                           "clockwatch_last_check_timestamp_seconds > 3000"),
    "store failing at once": ("expr: clockwatch_store_up == 0\n        for: 10m",
                              "expr: clockwatch_store_up == 0"),
    "fleet spread wrong": ("max by (job) (clockwatch_offset_seconds) - min by (job)",
                           "max by (job) (clockwatch_offset_seconds) + min by (job)"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_rules_unit_tests_bite(tmp_path, breakage):
    """A deliberately broken copy of the rules (still valid PromQL and YAML) fails the unit
    tests, on an expectation, not on loading."""
    promtool = tool("promtool")
    old, new = BREAKAGES[breakage]
    with open(RULES) as f:
        text = f.read()
    assert text.count(old) == 1, "the rules changed: update BREAKAGES[%r]" % breakage
    (tmp_path / "clockwatch.rules.yml").write_text(text.replace(old, new))
    shutil.copy(RULES_TEST, tmp_path)
    r = run(promtool, "check", "rules", tmp_path / "clockwatch.rules.yml")
    assert r.returncode == 0, "the broken copy should still load: " + r.stdout + r.stderr
    r = run(promtool, "test", "rules", tmp_path / "clockwatch.rules.test.yml")
    out = r.stdout + r.stderr
    assert r.returncode != 0, "the unit tests did not notice: " + breakage
    assert "FAILED" in out and "exp:" in out and "got:" in out, out


# ---- Alertmanager ------------------------------------------------------------------------------

def test_alertmanager_config():
    amtool = tool("amtool")
    r = run(amtool, "check-config", AM_CONFIG)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout, r.stdout
    conf = load_yaml(AM_CONFIG)
    # per host: `instance` for Prometheus's alerts, `node` for the agent's own pushes (which
    # have no `instance`)
    assert conf["route"]["group_by"] == ["alertname", "instance", "node"]
    for rule in conf["inhibit_rules"]:
        assert "node" in rule["equal"] or "instance" in rule["equal"], rule


@pytest.mark.parametrize("labels,receiver", [
    ({"alertname": "TimeSynchronization", "severity": "critical"}, "pager"),
    ({"alertname": "TimeSynchronization", "severity": "major"}, "ticket"),
    ({"alertname": "TimeSynchronization", "severity": "minor"}, "ticket"),
    ({"alertname": "ClockwatchAgentDown", "severity": "warning"}, "ticket"),
    ({"alertname": "ClockwatchChecksStale", "severity": "warning"}, "ticket"),
])
def test_alertmanager_routes(labels, receiver):
    """Routing by severity: the seed's Critical to the pager, the rest to tickets (amtool reads
    the file only; no Alertmanager is asked)."""
    amtool = tool("amtool")
    lab = ["%s=%s" % kv for kv in sorted(labels.items())] + ["instance=node-1:10123"]
    r = run(amtool, "config", "routes", "test", "--config.file=" + AM_CONFIG,
            "--verify.receivers=" + receiver, *lab)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.split() == [receiver], r.stdout


# ---- Grafana ------------------------------------------------------------------------------------

DS_REF = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


def dashboard():
    with open(DASHBOARD) as f:
        return json.load(f)


def all_panels(d):
    for p in d["panels"]:
        yield p
        for q in p.get("panels", []):   # panels inside a collapsed row
            yield q


def dashboard_exprs(d):
    for p in all_panels(d):
        for t in p.get("targets", []):
            yield p["title"], t["expr"]


def test_dashboard_json():
    d = dashboard()
    assert 36 <= d["schemaVersion"] <= 39
    assert d["uid"] and d["title"]
    (inp,) = d["__inputs"]
    assert inp["name"] == "DS_PROMETHEUS" and inp["type"] == "datasource" and \
        inp["pluginId"] == "prometheus"
    variables = {v["name"]: v for v in d["templating"]["list"]}
    assert variables["DS_PROMETHEUS"]["type"] == "datasource"
    assert variables["DS_PROMETHEUS"]["query"] == "prometheus"
    inst = variables["instance"]
    assert inst["type"] == "query" and inst["multi"] and inst["includeAll"]
    assert inst["datasource"] == DS_REF
    assert re.fullmatch(r"label_values\(clockwatch_synchronized(\{[^}]*\})?, instance\)",
                        inst["query"]["query"]), inst["query"]

    ids = [p["id"] for p in all_panels(d)]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    types = {p["type"] for p in all_panels(d)}
    assert {"stat", "table", "timeseries", "heatmap"} <= types
    for p in all_panels(d):
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24 and g["h"] > 0, p["title"]
        if p["type"] == "row":
            continue
        assert p["datasource"] == DS_REF, p["title"]
        assert p["targets"], p["title"]
        for t in p["targets"]:
            assert t.get("datasource", DS_REF) == DS_REF, p["title"]
            assert t["expr"].strip(), p["title"]
        for t in p["targets"]:
            if "clockwatch_" in t["expr"] or "up{" in t["expr"]:
                assert 'instance=~"$instance"' in t["expr"], (p["title"], t["expr"])
    # the panels the fleet view promises
    exprs = " ".join(e for _, e in dashboard_exprs(d))
    for name in ("clockwatch_synchronized", "clockwatch_alarm_info", "clockwatch_offset_seconds",
                 "clockwatch_offset_error_seconds", "clockwatch_root_distance_seconds",
                 "clockwatch_source_offset_seconds", "clockwatch_source_info",
                 "clockwatch_check_duration_seconds", "clockwatch_probe_errors_total",
                 "clockwatch_store_up"):
        assert name in exprs, name
    (heat,) = [p for p in all_panels(d) if p["type"] == "heatmap"]
    assert "clockwatch_source_offset_seconds" in heat["targets"][0]["expr"]
    offsets = [p for p in all_panels(d) if p["title"] == "Offset per host"]
    assert offsets and offsets[0]["fieldConfig"]["defaults"]["unit"] == "s"


def test_dashboard_uses_documented_metrics():
    """Every metric name a dashboard query or variable uses is in docs/METRICS.md (or is `up`):
    a panel cannot silently show nothing because of a misspelt or undocumented name."""
    d = dashboard()
    known = set(doc_metrics()) | STANDARD_NAMES
    for title, expr in dashboard_exprs(d):
        names = promql_names(expr)
        assert names, (title, expr)
        assert names <= known, (title, names - known)
    for v in d["templating"]["list"]:
        if v["type"] == "query":
            m = re.fullmatch(r"label_values\((\w+)(\{[^}]*\})?, *\w+\)", v["query"]["query"])
            assert m and m.group(1) in known, v["query"]


def test_dashboard_queries_parse(tmp_path):
    """promtool parses every dashboard query (as a recording rule, Grafana's variables filled
    in)."""
    promtool = tool("promtool")
    import yaml
    rules_ = []
    for i, (title, expr) in enumerate(dashboard_exprs(dashboard())):
        e = re.sub(r"\$__(rate_interval|interval|range)\b", "5m", expr)
        e = re.sub(r"\$\{?\w+\}?", ".*", e)
        rules_.append({"record": "dashboard:query_%d" % i, "expr": e})
    f = tmp_path / "dashboard.rules.yml"
    f.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules_}]}))
    r = run(promtool, "check", "rules", f)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS: %d rules found" % len(rules_) in r.stdout, r.stdout
