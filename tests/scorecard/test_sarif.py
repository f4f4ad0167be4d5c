"""SARIF within GitHub's upload limits."""

from __future__ import annotations

import json

from mlready.scorecard.render import sarif

from .factories import card, diag, static


def test_minimal_document_shape() -> None:
    doc = json.loads(sarif.render(card(static(diag("a.py", 3, "MLR101", "lit")))))
    assert doc["version"] == "2.1.0"
    result = doc["runs"][0]["results"][0]
    assert result["ruleId"] == "MLR101"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_results_capped_with_changed_lines_first() -> None:
    findings = tuple(diag(f"f{i}.py", 1, "MLR101", "x") for i in range(30))
    doc = sarif.minimal_document(findings)
    limited = sarif.apply_limits(doc, {"f29.py": {1}}, max_results=5)
    run = limited["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]]
    assert len(uris) == 5 and "f29.py" in uris
    assert run["properties"]["mlreadyDroppedResults"] == 25


def test_a_changed_file_with_a_space_in_its_name_keeps_its_results_first() -> None:
    """Locations are percent-encoded; git names the changed file as it is."""
    findings = tuple(diag(f"f {i}%.py", 1, "MLR101", "x") for i in range(30))
    limited = sarif.apply_limits(sarif.minimal_document(findings), {"f 29%.py": {1}},
                                 max_results=5)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in limited["runs"][0]["results"]]
    assert len(uris) == 5 and "f%2029%25.py" in uris


def test_runs_locations_and_tags_trimmed() -> None:
    result = {"ruleId": "X", "level": "warning", "message": {"text": "m"},
              "locations": [{"physicalLocation": {}}] * 1500}
    rule = {"id": "X", "properties": {"tags": [str(i) for i in range(30)]}}
    doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t", "rules": [rule]}},
                                         "results": [result]}] * 25}
    limited = sarif.apply_limits(doc)
    assert len(limited["runs"]) == sarif.MAX_RUNS
    assert len(limited["runs"][0]["results"][0]["locations"]) == sarif.MAX_LOCATIONS
    assert len(limited["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"]) == 20


def test_gzip_size_limit() -> None:
    findings = tuple(diag(f"f{i}.py", 1, "MLR101", f"{i} " + "q" * 200) for i in range(400))
    doc = sarif.minimal_document(findings)
    limit = sarif.gzip_size(doc) // 3
    limited = sarif.apply_limits(doc, max_gzip=limit)
    assert sarif.gzip_size(limited) <= limit
    run = limited["runs"][0]
    assert len(run["results"]) + run["properties"]["mlreadyDroppedResults"] == 400


def test_document_comes_from_the_engine_with_rule_help() -> None:
    doc = json.loads(sarif.render(card(static(diag("a.py", 3, "MLR101", "lit")))))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert "MLR101" in [r["id"] for r in rules]
    assert all("help" in r for r in rules)


def test_minimal_document_for_notebook_cells() -> None:

    cell = diag("nb.ipynb", 2, "MLR501", "outputs")._replace(cell=4)
    result = sarif.minimal_document((cell,))["runs"][0]["results"][0]
    assert result["message"]["text"] == "cell 4, line 2: outputs"
    assert "region" not in result["locations"][0]["physicalLocation"]


def test_project_findings_point_at_no_folder_in_either_document() -> None:
    """The scorecard's SARIF (the engine's document, and the fallback without it) places
    a finding about the whole project as the static half does: never at the folder."""
    from mlready.hooks.output.sarif_location import PROJECT_URI

    finding = diag(".", 1, "MLR205", "the project has no dependency manifest")
    engine = json.loads(sarif.render(card(static(finding))))["runs"][0]["results"]
    fallback = sarif.minimal_document((finding,))["runs"][0]["results"]
    for results in (engine, fallback):
        assert [r["locations"] for r in results] == [[{"physicalLocation": {
            "artifactLocation": {"uri": PROJECT_URI}, "region": {"startLine": 1}}}]]


def test_a_project_finding_names_its_directory_in_a_sub_directory() -> None:
    finding = diag(".", 1, "MLR614", "the project has no tests")
    results = json.loads(sarif.render(card(static(finding, diag("a.py", 3, "MLR101", "lit"))),
                                      prefix="models/vision/"))["runs"][0]["results"]
    texts = {r["ruleId"]: r["message"]["text"] for r in results}
    assert texts["MLR614"].startswith("models/vision: the project has no tests")
    assert texts["MLR101"] == "lit"  # a file's finding is placed by its file
    root = json.loads(sarif.render(card(static(finding))))["runs"][0]["results"]
    assert root[0]["message"]["text"].startswith("the project has no tests")
