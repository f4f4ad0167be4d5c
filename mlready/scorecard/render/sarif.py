"""SARIF for GitHub code scanning, within GitHub's upload limits.

GitHub rejects a SARIF upload over 10 MB gzip-compressed, or with more than 20 runs,
25,000 results or 25,000 rules per run, 1,000 locations per result, 10,000 thread
flow locations per result or 20 tags per rule; of the results it accepts it keeps only
5,000 per run, prioritised by severity (GitHub docs, "SARIF results exceed limit" and
"SARIF results file is too large"). `apply_limits` trims any SARIF document to those
limits, choosing what to keep itself (errors first, then findings on changed lines, then
file order) instead of letting GitHub drop results arbitrarily, and records what it
dropped in the run's properties.

The document itself comes from the static half's SARIF writer
(``mlready.hooks.output.sarif``), so ``mlready check --output-format sarif`` and this
agree; `minimal_document` is the fallback when the engine cannot be imported.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Set
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from mlready import REPOSITORY_URL, __version__
from mlready.hooks.model import Diagnostic
from mlready.hooks.output.sarif_location import PROJECT_URI, message_text, physical_location
from mlready.scorecard.model import Scorecard, Source

MAX_RUNS = 20
MAX_RESULTS = 5_000  # kept per run (hard limit 25,000; GitHub stores only the top 5,000)
MAX_RULES = 25_000
MAX_LOCATIONS = 1_000
MAX_THREAD_FLOW_LOCATIONS = 10_000
MAX_TAGS = 20
MAX_GZIP_BYTES = 10 * 1000 * 1000  # 10 MB, compressed
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL_RANK = {"error": 0, "warning": 1, "note": 2, "none": 3}


def minimal_document(findings: tuple[Diagnostic, ...]) -> dict[str, Any]:
    """A SARIF 2.1.0 document with one run, one result per finding."""
    codes = sorted({d.code for d in findings})
    results = []
    for d in findings:
        results.append({
            "ruleId": d.code,
            "level": "warning",
            "message": {"text": message_text(d, d.message)},
            "locations": [{"physicalLocation": physical_location(d)}],
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlready",
                "version": __version__,
                "informationUri": REPOSITORY_URL,
                "rules": [{"id": code, "shortDescription": {"text": code}} for code in codes],
            }},
            "results": results,
        }],
    }


def _engine_document(card: Scorecard) -> dict[str, Any] | None:
    """The static half's own SARIF document (rule help, notebook cells, tool errors),
    built from the card's findings and rules; None if the engine cannot be imported."""
    try:
        from mlready.hooks.engine import Report
        from mlready.hooks.output.sarif import document
        from mlready.hooks.rules import by_code
    except ImportError:  # pragma: no cover - a half-installed or mid-edit engine
        return None
    registry = by_code()
    codes = {item.id for c in card.categories for item in c.items if item.source is Source.RULE}
    codes |= {d.code for d in card.findings}
    rules = tuple(registry[code] for code in sorted(codes) if code in registry)
    root = Path(card.inputs.static_root or ".").resolve()
    report = Report(root=root, files_checked=card.inputs.files_checked or 0,
                    diagnostics=card.findings, rules=rules,
                    errors=tuple(card.inputs.static_errors))
    doc: dict[str, Any] = document(report)
    return doc


def _on_changed(result: Mapping[str, Any], changed: Mapping[str, Set[int]],
                prefix: str = "") -> bool:
    for location in result.get("locations", [])[:1]:
        physical = location.get("physicalLocation", {})
        uri = f"{prefix}{unquote(str(physical.get('artifactLocation', {}).get('uri')))}"
        line = physical.get("region", {}).get("startLine")
        if uri in changed and line in changed[uri]:
            return True
    return False


def _trim_result(result: dict[str, Any]) -> dict[str, Any]:
    result = dict(result)
    for key in ("locations", "relatedLocations"):
        if isinstance(result.get(key), list):
            result[key] = result[key][:MAX_LOCATIONS]
    flows = result.get("codeFlows")
    if isinstance(flows, list):
        budget = MAX_THREAD_FLOW_LOCATIONS
        trimmed_flows = []
        for flow in flows:
            threads = []
            for thread in flow.get("threadFlows", []):
                locations = thread.get("locations", [])[:max(0, budget)]
                budget -= len(locations)
                threads.append({**thread, "locations": locations})
            trimmed_flows.append({**flow, "threadFlows": threads})
        result["codeFlows"] = trimmed_flows
    return result


def _trim_rules(driver: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in driver.get("rules", [])[:MAX_RULES]:
        tags = rule.get("properties", {}).get("tags")
        if isinstance(tags, list) and len(tags) > MAX_TAGS:
            rule = {**rule, "properties": {**rule["properties"], "tags": tags[:MAX_TAGS]}}
        rules.append(rule)
    return {**driver, "rules": rules}


def gzip_size(doc: Mapping[str, Any]) -> int:
    return len(gzip.compress(json.dumps(doc, separators=(",", ":")).encode("utf-8")))


def apply_limits(doc: dict[str, Any], changed: Mapping[str, Set[int]] | None = None,
                 max_results: int = MAX_RESULTS, max_gzip: int = MAX_GZIP_BYTES,
                 prefix: str = "") -> dict[str, Any]:
    """A copy of ``doc`` within GitHub's limits; each trimmed run notes what it dropped."""
    changed = changed or {}
    runs = []
    for run in doc.get("runs", [])[:MAX_RUNS]:
        results = [_trim_result(r) for r in run.get("results", [])]
        order = sorted(range(len(results)), key=lambda i: (
            _LEVEL_RANK.get(results[i].get("level", "warning"), 1),
            not _on_changed(results[i], changed, prefix), i))
        kept = [results[i] for i in sorted(order[:max_results])]
        new_run = {**run, "results": kept}
        if "tool" in run:
            new_run["tool"] = {**run["tool"],
                               "driver": _trim_rules(run["tool"].get("driver", {}))}
        if len(kept) < len(results):
            new_run["properties"] = {**run.get("properties", {}),
                                     "mlreadyDroppedResults": len(results) - len(kept)}
        runs.append(new_run)
    limited = {**doc, "runs": runs}
    while gzip_size(limited) > max_gzip and any(r["results"] for r in runs):
        for run in runs:  # halve every run's results until the upload fits
            total = len(run["results"]) + run.get("properties", {}).get(
                "mlreadyDroppedResults", 0)
            run["results"] = run["results"][: len(run["results"]) // 2]
            run["properties"] = {**run.get("properties", {}),
                                 "mlreadyDroppedResults": total - len(run["results"])}
        limited = {**doc, "runs": runs}
    return limited


def _name_the_project(doc: dict[str, Any], prefix: str) -> None:
    """A finding about the whole project has no file to say which project it is about:
    in a sub-directory, its message names the directory (as the annotations do)."""
    where = prefix.rstrip("/")
    for run in doc.get("runs", []) if where else ():
        for result in run.get("results", []):
            locations = result.get("locations") or [{}]
            uri = locations[0].get("physicalLocation", {}).get("artifactLocation", {})
            if uri.get("uri") == PROJECT_URI:
                result["message"]["text"] = f"{where}: {result['message']['text']}"


def render(card: Scorecard, changed: Mapping[str, Set[int]] | None = None,
           prefix: str = "") -> str:
    """SARIF text for the card's findings, within GitHub's limits. ``changed`` is keyed
    by repository paths, ``prefix`` the project's directory in the repository."""
    doc = _engine_document(card) or minimal_document(card.findings)
    _name_the_project(doc, prefix)
    limited = apply_limits(doc, changed, prefix=prefix)
    return json.dumps(limited, indent=2, ensure_ascii=False) + "\n"
