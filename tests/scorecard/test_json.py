"""The scorecard JSON: schema-valid, exact on a small card, and an exact round trip."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]

import mlready.scorecard
from mlready.gpu_runner.results import Outcome
from mlready.scorecard.baseline import compare
from mlready.scorecard.render import json as card_json

from .factories import all_passing_run, card, check, diag, run, static

SCHEMA = json.loads((Path(mlready.scorecard.__file__).parent / "scorecard.schema.json")
                    .read_text(encoding="utf-8"))


def test_schema_valid_for_every_shape() -> None:
    head = card(static(diag()), all_passing_run())
    base = card(static(diag(line=4), diag("x.py", 1, "MLR201", "unpinned")))
    shapes = [card(), card(static()), card(None, run(check("smoke", Outcome.ERROR))), head,
              replace(head, baseline=compare(head, base, "main", "a" * 40))]
    for shape in shapes:
        jsonschema.validate(json.loads(card_json.render(shape)), SCHEMA)


def test_round_trip_is_exact() -> None:
    head = card(static(diag(), diag("a.py", 2, "MLR001", "x")), all_passing_run())
    base = card(static(diag(line=4)))
    original = replace(head, baseline=compare(head, base, "origin/main", "b" * 40))
    text = card_json.render(original)
    again = card_json.from_json(json.loads(text))
    assert card_json.render(again) == text


def test_small_card_golden() -> None:
    data = card_json.to_json(card(None, run(check("resume", Outcome.FAIL, "diverged"))))
    assert {k: data[k] for k in ("schema_version", "tool", "kind", "score", "level",
                                 "coverage", "weakest", "baseline")} == {
        "schema_version": 1, "tool": "mlready", "kind": "scorecard", "score": 0.0,
        "level": "prototype", "coverage": 0.25, "weakest": "reproducibility", "baseline": None,
    }
    resume = next(i for c in data["categories"] for i in c["items"] if i["id"] == "resume")
    assert resume == {"id": "resume", "title": "resume", "category": "reproducibility",
                      "source": "check", "status": "fail", "detail": "diverged",
                      "credit": 0.0, "weight": 3.0, "findings": 0}


def test_rejects_other_documents() -> None:
    bads: list[object] = [{"kind": "check"}, {"kind": "scorecard", "schema_version": 99}, [],
                          {"kind": "scorecard", "schema_version": 1}]
    for bad in bads:
        try:
            card_json.from_json(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad!r}")
