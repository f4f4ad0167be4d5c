"""`# noqa` scanning on the edges the other tests leave open: an unterminated last line,
two comments on one line, line numbers past several hits, the file-wide forms mixed.
Pure functions on literal text; written against the survivors of ``bench/mutation.py``."""

from __future__ import annotations

import pytest

from mlready.hooks.model import Diagnostic
from mlready.hooks.suppression import ALL, Noqa, scan


def test_a_noqa_on_an_unterminated_last_line_counts() -> None:
    assert scan("x = 1  # noqa") == Noqa({1: ALL})
    assert scan("a\nb  # noqa: MLR101") == Noqa({2: ("MLR101",)})


def test_two_noqa_on_one_line_add_up_and_the_scan_goes_on() -> None:
    source = "a  # noqa: MLR1  # noqa: MLR2\nb\nc  # noqa: MLR3\n"
    assert scan(source) == Noqa({1: ("MLR1", "MLR2"), 3: ("MLR3",)})


def test_line_numbers_count_every_line_between_hits() -> None:
    source = "\n\n# noqa: MLR101\n\n\n\nx  # noqa\n\ny  # NoQa: MLR2, MLR3 MLR4\n"
    assert scan(source) == Noqa({3: ("MLR101",), 7: ALL, 9: ("MLR2", "MLR3", "MLR4")})


def test_file_wide_codes_gather_and_a_bare_one_wins() -> None:
    assert scan("# mlready: noqa: MLR1, MLR2\nx\n# mlready: noqa: MLR1\n") == Noqa(
        {}, ("MLR1", "MLR2"))
    assert scan("# mlready: noqa: MLR1\n# MLREADY:NOQA\n# mlready: noqa: MLR2\n").file == ALL
    # a file-wide comment is not a line one as well
    assert scan("x  # mlready: noqa: MLR1\n").lines == {}


def test_a_noqa_without_codes_after_the_colon_silences_the_line() -> None:
    assert scan("x  # noqa: because\n") == Noqa({1: ALL})
    assert scan("x  # noqa:\n") == Noqa({1: ALL})


def _hit(noqa: Noqa, line: int, code: str, end: int | None = None) -> bool:
    return noqa.suppresses(Diagnostic("a.py", line, 1, code, "m", end_line=end))


def test_suppresses_by_prefix_line_and_span() -> None:
    noqa = Noqa({3: ("MLR1",)})
    assert _hit(noqa, 3, "MLR101") and not _hit(noqa, 3, "MLR201")
    assert not _hit(noqa, 2, "MLR101") and not _hit(noqa, 4, "MLR101")
    assert _hit(noqa, 2, "MLR101", end=3) and not _hit(noqa, 2, "MLR101", end=4)
    assert not _hit(Noqa({}), 1, "MLR101")
    assert not _hit(Noqa({1: ()}), 1, "MLR101")  # an empty code list silences nothing
    assert _hit(Noqa({}, ALL), 7, "MLR999")
    assert not _hit(Noqa({}, ("MLR2",)), 7, "MLR101")


def test_json_round_trip_keeps_lines_and_file() -> None:
    noqa = Noqa({2: ("MLR101",), 10: ALL}, ("MLR3",))
    assert noqa.to_json() == {"lines": {"2": ["MLR101"], "10": ["*"]}, "file": ["MLR3"]}
    assert Noqa.from_json(noqa.to_json()) == noqa
    assert Noqa.from_json({}) == Noqa({})


def test_a_noqa_on_the_line_after_a_leading_blank_line() -> None:
    assert scan("\n# noqa\n") == Noqa({2: ALL})


@pytest.mark.parametrize("data", [{"lines": {}, "file": "MLR1"},
                                  {"lines": [], "file": []}])
def test_a_malformed_cache_entry_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(AssertionError):
        Noqa.from_json(data)
