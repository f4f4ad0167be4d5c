"""MLR301's fix on the edges the fixture and CLI tests leave open: what the fix says and
how safe it claims to be, where the argument goes in a call spread over lines, a
``False`` at the start of a line, and when a loaded name counts as a state dict. Pure
`check` on literal source; written against the survivors of ``bench/mutation.py``."""

from __future__ import annotations

from mlready.hooks.context import FileContext
from mlready.hooks.fixes import apply_edits
from mlready.hooks.rules.checkpoints.unsafe_torch_load import check


def _fixed(source: str) -> list[tuple[str, str, str]]:
    """(applicability, fix message, the text with that fix alone applied) per finding."""
    out: list[tuple[str, str, str]] = []
    for found in check(FileContext.from_source("t.py", source)):
        assert found.autofix is not None
        text, _ = apply_edits(source, [(found, found.autofix)])
        out.append((found.autofix.applicability, found.autofix.message, text))
    return out


def test_a_missing_argument_is_added_and_named() -> None:
    source = "import torch\nmodel.load_state_dict(torch.load('a.pt'))\n"
    assert _fixed(source) == [(
        "safe", "pass `weights_only=True`",
        "import torch\nmodel.load_state_dict(torch.load('a.pt', weights_only=True))\n")]


def test_a_false_is_set_to_true_and_named_unsafe() -> None:
    source = "import torch\nx = torch.load('a.pt', weights_only=False)\n"
    assert _fixed(source) == [(
        "unsafe", "set `weights_only=True`",
        "import torch\nx = torch.load('a.pt', weights_only=True)\n")]


def test_a_false_at_the_start_of_a_line_is_replaced_where_it_is() -> None:
    source = "import torch\nx = torch.load('a.pt', weights_only=\nFalse)\n"
    assert _fixed(source)[0][2] == "import torch\nx = torch.load('a.pt', weights_only=\nTrue)\n"


def test_the_argument_goes_after_the_last_argument_by_line_then_column() -> None:
    # the first argument ends further right, on an earlier line, than the last one
    source = ("import torch\nx = torch.load(\n    'a_rather_long_checkpoint_name.pt',\n"
              "    map_location=d)\n")
    assert _fixed(source)[0][2] == (
        "import torch\nx = torch.load(\n    'a_rather_long_checkpoint_name.pt',\n"
        "    map_location=d, weights_only=True)\n")


def test_a_name_read_twice_by_load_state_dict_is_still_a_state_dict() -> None:
    source = ("import torch\n\n\ndef f(a, b):\n    sd = torch.load('a.pt')\n"
              "    a.load_state_dict(sd)\n    b.load_state_dict(sd)\n")
    assert [f[0] for f in _fixed(source)] == ["safe"]


def test_a_load_wrapped_in_another_call_is_not_known_to_be_a_state_dict() -> None:
    source = "import torch\nsd = convert(torch.load('a.pt'))\nm.load_state_dict(sd)\n"
    assert [f[0] for f in _fixed(source)] == ["unsafe"]
    two = "import torch\na, b = torch.load('a.pt')\nm.load_state_dict(a)\n"
    assert [f[0] for f in _fixed(two)] == ["unsafe"]
