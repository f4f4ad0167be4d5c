"""The hand-written validator says what the shipped schema files say.

`mlready.scorecard.schema` interprets the schema files itself (jsonschema is only a dev
dependency); here its verdict is compared with jsonschema's on valid documents and on
generated mutations of them, for each of the three schemas.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlready.gpu_runner.results import RunRecord
from mlready.scorecard import schema
from mlready.scorecard.render import json as card_json

from .factories import all_passing_run, card, check, diag, run, static

DATA = Path(__file__).parent / "data"


def _valid() -> dict[str, dict[str, Any]]:
    check_doc = json.loads((DATA / "charlm-check.json").read_text())
    check_doc["diagnostics"] = [diag().to_json(),
                                diag("nb.ipynb", 2)._replace(cell=3).to_json()]
    check_doc["file_kinds"] = {"python": 3, "notebook": 1}
    check_doc["errors"] = ["x.py: internal error", {"path": "y.py", "message": "m"}]
    run_doc = json.loads((DATA / "charlm-run.json").read_text())
    # Small documents for the generated cases: jsonschema is slow on big ones.
    small_run = dataclasses.replace(all_passing_run(), runs=(
        RunRecord("ref", "smoke run", ["python", "train.py"], "ok", 0, 1.5, 1024, None),))
    scorecard = card_json.to_json(card(static(diag(), diag(line=3)), run(check(
        "smoke", metrics={"steps_per_s": 2.0, "tier": "bitwise", "ok": True, "gpu": None},
        series={"loss": [[1, 2.0], [2, "nan"]]}))))
    scorecard["findings"][0]["cell"] = 2
    return {"check": check_doc, "run": run_doc, "scorecard": scorecard,
            "small-run": small_run.to_json()}


VALID = _valid()


@functools.cache
def _theirs(name: str) -> Any:
    loaded = schema.load(name)
    return jsonschema.validators.validator_for(loaded)(loaded)


@pytest.mark.parametrize("name", schema.SCHEMAS)
def test_the_real_documents_are_valid_for_both(name: str) -> None:
    schema.validate(VALID[name], name)
    _theirs(name).validate(VALID[name])


@pytest.mark.parametrize("name", schema.SCHEMAS)
def test_every_shipped_schema_is_a_valid_schema_we_fully_support(name: str) -> None:
    loaded = schema.load(name)
    jsonschema.validators.validator_for(loaded).check_schema(loaded)
    schema.supported(loaded, name)


@pytest.mark.parametrize(("fragment", "message"), [
    ({"type": "string", "pattern": "^a"}, "unsupported keywords ['pattern']"),
    ({"properties": {"a": {"format": "uri"}}}, "unsupported keywords ['format']"),
    ({"$ref": "other.json#/x"}, "unsupported $ref"),
    ({"enum": [[1]]}, "only scalar const/enum values"),
])
def test_a_keyword_we_do_not_check_is_refused(fragment: dict[str, Any], message: str) -> None:
    with pytest.raises(RuntimeError, match=message.replace("[", r"\[").replace("$", r"\$")):
        schema.supported(fragment, "x.schema.json")


def test_shared_definitions_are_identical_across_files() -> None:
    """A check result and a finding look the same in every file that carries one."""
    check, run, card_schema = (schema.load(n) for n in schema.SCHEMAS)
    assert check["$defs"]["diagnostic"] == card_schema["$defs"]["diagnostic"]
    assert run["$defs"]["check"]["properties"] == card_schema["$defs"]["check"]["properties"]
    assert run["$defs"]["scalar"] == card_schema["$defs"]["scalar"]


def test_produced_cards_validate() -> None:
    result = card(static(diag()), all_passing_run())
    schema.validate(json.loads(card_json.render(result)), "scorecard")


# ---------------------------------------------------------------- generated documents

SCALARS = (st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.5, 1.0, -2.0,
           150.0]) | st.sampled_from(["", "pass", "x", "MLR101", "check", "scorecard"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["a", "code", "loss", "path"]), inner,
                                        max_size=3), max_leaves=6)


@st.composite
def mutated(draw: st.DrawFn, name: str) -> Any:
    """A valid document with one to three edits: a value replaced, a key removed or one
    added, at a random depth."""
    doc = copy.deepcopy(VALID["small-run" if name == "run" else name])
    for _ in range(draw(st.integers(1, 3))):
        node: Any = doc
        for _ in range(draw(st.integers(0, 5))):
            children = list(node.items()) if isinstance(node, dict) else \
                list(enumerate(node)) if isinstance(node, list) else []
            children = [(k, v) for k, v in children if isinstance(v, dict | list)]
            if not children:
                break
            node = draw(st.sampled_from(children))[1]
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                node[key] = draw(VALUES)
            elif action == "delete":
                del node[key]
            else:
                node[draw(st.sampled_from(["extra", "cell", "metrics", "series"]))] = \
                    draw(VALUES)
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(VALUES)
    return doc


def _ours_ok(doc: Any, name: str) -> bool:
    try:
        schema.match(doc, schema.load(name))
    except schema.SchemaError:
        return False
    return True


@pytest.mark.parametrize("name", schema.SCHEMAS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_same_verdict_as_jsonschema(name: str, data: st.DataObject) -> None:
    doc = data.draw(mutated(name))
    assert _ours_ok(doc, name) == _theirs(name).is_valid(doc)


@pytest.mark.parametrize("name", schema.SCHEMAS)
@settings(max_examples=60, deadline=None)
@given(doc=VALUES)
def test_same_verdict_on_arbitrary_values(name: str, doc: Any) -> None:
    assert _ours_ok(doc, name) == _theirs(name).is_valid(doc)


@pytest.mark.parametrize(("fragment", "value", "ok"), [
    ({"type": "integer"}, 1, True),
    ({"type": "integer"}, 1.0, True),  # 1.0 is an integer in JSON Schema
    ({"type": "integer"}, True, False),  # and true is none
    ({"type": "integer"}, 1.5, False),
    ({"type": "number"}, False, False),
    ({"const": 1}, True, False),
    ({"const": 1}, 1.0, True),
    ({"enum": [0, "x"]}, False, False),
    ({"enum": [True]}, 1, False),
    ({"minimum": 0}, "-1", True),  # bounds apply to numbers only
    ({"minimum": 0, "maximum": 1}, 0, True),
    ({"maximum": 1}, 1.5, False),
    ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1}, True),
    ({"additionalProperties": False, "properties": {"a": {}}}, {"b": 1}, False),
    ({"additionalProperties": {"type": "string"}}, {"b": 1}, False),
    ({"required": ["a"]}, [], True),  # object keywords ignore other types
    ({"items": {"type": "string"}}, {"a": 1}, True),
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1, False),  # both match
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1.5, True),
    ({"anyOf": [{"type": "number"}, {"type": "integer"}]}, 1, True),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 1, False),
])
def test_keyword_semantics_match_jsonschema(fragment: dict[str, Any], value: object,
                                            ok: bool) -> None:
    assert jsonschema.Draft202012Validator(fragment).is_valid(value) is ok
    assert _matches(value, fragment) is ok


def _matches(value: object, fragment: dict[str, Any]) -> bool:
    try:
        schema.match(value, fragment)
    except schema.SchemaError:
        return False
    return True


def test_depth_limit_is_iterative() -> None:
    deep: Any = 1
    for _ in range(50_000):
        deep = [deep]
    assert schema.too_deep(deep)
    assert not schema.too_deep(VALID["run"])


# ---------------------------------------------------------------- valid means renderable


def _accepted(doc: Any, name: str) -> bool:
    try:
        schema.validate(doc, name)
    except schema.SchemaError:
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(data=st.data())
def test_whatever_the_schemas_accept_renders_in_every_format(data: st.DataObject) -> None:
    """The schemas are the whole contract: a document they accept never crashes a
    renderer (the conversions after validation assume nothing more)."""
    from mlready.gpu_runner.results import RunReport
    from mlready.scorecard.baseline import compare
    from mlready.scorecard.inputs import static_from_json
    from mlready.scorecard.render import annotations, badge, markdown, sarif
    from mlready.scorecard.scoring import build

    check_doc = data.draw(mutated("check"))
    run_doc = data.draw(mutated("run"))
    base_doc = data.draw(mutated("scorecard"))
    report = static_from_json(check_doc) if _accepted(check_doc, "check") else None
    runtime = RunReport.from_json(run_doc) if _accepted(run_doc, "run") else None
    result = build(report, runtime)
    if _accepted(base_doc, "scorecard"):
        result = dataclasses.replace(result, baseline=compare(
            result, card_json.from_json(base_doc), "main"))
    markdown.render_comment(result, repo_url="https://github.com/o/r", head_sha="a" * 40)
    markdown.render_summary(result)
    schema.validate(json.loads(card_json.render(result)), "scorecard")
    badge.render(result)
    annotations.render(result, {"train.py": {1}})
    sarif.render(result, None)
