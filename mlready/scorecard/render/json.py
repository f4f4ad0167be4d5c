"""The scorecard as JSON, versioned (docs/scorecard-json.md), and back.

Reading it back is how a base branch's scorecard becomes the baseline of a PR, so the
round trip is exact for everything the baseline uses (scores, items, findings).
Bump `SCHEMA_VERSION` on any change that removes or retypes a field; adding an
optional field is compatible.
"""

from __future__ import annotations

import json
from typing import Any

from mlready.gpu_runner.results import CheckResult
from mlready.scorecard import schema
from mlready.scorecard.inputs import diagnostic_from_json
from mlready.scorecard.levels import Level
from mlready.scorecard.model import (
    SCHEMA_VERSION,
    Baseline,
    Cap,
    CategoryScore,
    Inputs,
    ItemResult,
    Scorecard,
    Source,
    Status,
)

KIND = "scorecard"


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def item_to_json(item: ItemResult) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "category": item.category,
        "source": item.source.value,
        "status": item.status.value,
        "detail": item.detail,
        "credit": _num(item.credit),
        "weight": item.weight,
        "findings": item.findings,
    }


def baseline_to_json(baseline: Baseline) -> dict[str, Any]:
    return {
        "ref": baseline.ref,
        "sha": baseline.sha,
        "base_score": _num(baseline.base_score),
        "score_delta": _num(baseline.score_delta),
        "categories": {key: _num(value) for key, value in baseline.categories.items()},
        "introduced": [d.to_json() for d in baseline.introduced],
        "fixed": [d.to_json() for d in baseline.fixed],
        "settings_changed": list(baseline.settings_changed),
        "runner_settings_changed": list(baseline.runner_settings_changed),
        "settings_files": list(baseline.settings_files),
        "silenced": [d.to_json() for d in baseline.silenced],
    }


def cap_to_json(cap: Cap) -> dict[str, Any]:
    return {"uncapped": cap.uncapped.value, "reason": cap.reason, "checks": list(cap.checks)}


def cap_from_json(data: dict[str, Any]) -> Cap:
    return Cap(uncapped=Level(data["uncapped"]), reason=str(data.get("reason", "")),
               checks=tuple(str(c) for c in data.get("checks", [])))


def to_json(card: Scorecard) -> dict[str, Any]:
    """The versioned JSON object (a plain dict, ready for `json.dumps`)."""
    return {
        "schema_version": card.schema_version,
        "tool": "mlready",
        "kind": KIND,
        "score": _num(card.score),
        "level": card.level.value,
        "coverage": _num(card.coverage),
        "weakest": card.weakest,
        "cap": cap_to_json(card.cap) if card.cap else None,
        "inputs": {
            "static": card.inputs.static,
            "runtime": card.inputs.runtime,
            "root": card.inputs.static_root,
            "files_checked": card.inputs.files_checked,
            "static_errors": list(card.inputs.static_errors),
            "environment": dict(card.inputs.environment),
            "runtime_missing": card.inputs.runtime_missing,
            "static_only": card.inputs.static_only,
        },
        "categories": [
            {
                "key": c.key,
                "name": c.name,
                "weight": c.weight,
                "score": _num(c.score),
                "items": [item_to_json(item) for item in c.items],
            }
            for c in card.categories
        ],
        "findings": [d.to_json() for d in card.findings],
        "checks": [c.to_json() for c in card.checks],
        "baseline": baseline_to_json(card.baseline) if card.baseline else None,
    }


def render(card: Scorecard) -> str:
    """Pretty JSON text with a trailing newline; keys in schema order."""
    return json.dumps(to_json(card), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def item_from_json(data: dict[str, Any]) -> ItemResult:
    return ItemResult(
        id=str(data["id"]),
        category=str(data["category"]),
        status=Status(data["status"]),
        detail=str(data.get("detail", "")),
        source=Source(data["source"]),
        credit=_opt_float(data.get("credit")),
        weight=float(data.get("weight", 1.0)),
        findings=int(data.get("findings", 0)),
        title=str(data.get("title", "")),
    )


def baseline_from_json(data: dict[str, Any]) -> Baseline:
    return Baseline(
        ref=str(data.get("ref", "")),
        sha=data.get("sha"),
        base_score=_opt_float(data.get("base_score")),
        score_delta=_opt_float(data.get("score_delta")),
        categories={str(k): _opt_float(v) for k, v in data.get("categories", {}).items()},
        introduced=tuple(diagnostic_from_json(d) for d in data.get("introduced", [])),
        fixed=tuple(diagnostic_from_json(d) for d in data.get("fixed", [])),
        settings_changed=tuple(str(k) for k in data.get("settings_changed", [])),
        runner_settings_changed=tuple(str(k) for k in data.get("runner_settings_changed", [])),
        settings_files=tuple(str(k) for k in data.get("settings_files", [])),
        silenced=tuple(diagnostic_from_json(d) for d in data.get("silenced", [])),
    )


def from_json(data: Any) -> Scorecard:
    """Parse a scorecard JSON object; ValueError (with the reason) when it is not one."""
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ValueError('not a scorecard JSON file (kind != "scorecard")')
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"unsupported scorecard schema_version {version!r} "
                         f"(this mlready reads {SCHEMA_VERSION})")
    schema.validate(data, "scorecard")  # SchemaError is a ValueError naming the field
    try:
        inputs = data.get("inputs", {})
        return Scorecard(
            score=_opt_float(data.get("score")),
            level=Level(data["level"]),
            coverage=float(data.get("coverage", 0.0)),
            weakest=data.get("weakest"),
            categories=tuple(
                CategoryScore(
                    key=str(c["key"]), name=str(c["name"]), weight=float(c["weight"]),
                    score=_opt_float(c.get("score")),
                    items=tuple(item_from_json(i) for i in c.get("items", [])),
                )
                for c in data["categories"]
            ),
            findings=tuple(diagnostic_from_json(d) for d in data.get("findings", [])),
            checks=tuple(CheckResult.from_json(c) for c in data.get("checks", [])),
            inputs=Inputs(
                static=bool(inputs.get("static", False)),
                runtime=bool(inputs.get("runtime", False)),
                static_root=inputs.get("root"),
                files_checked=inputs.get("files_checked"),
                static_errors=tuple(str(e) for e in inputs.get("static_errors", [])),
                environment=dict(inputs.get("environment", {})),
                runtime_missing=(str(inputs["runtime_missing"])
                                 if inputs.get("runtime_missing") else None),
                static_only=bool(inputs.get("static_only", False)),
            ),
            baseline=baseline_from_json(data["baseline"]) if data.get("baseline") else None,
            schema_version=version,
            cap=cap_from_json(data["cap"]) if data.get("cap") else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"malformed scorecard JSON: {exc!r}") from None
