"""MLR301's fix on the edges the fixture and CLI tests leave open: what the fix says and
how safe it claims to be, where the argument goes in a call spread over lines, a
``False`` at the start of a line, and when a loaded name counts as a state dict. Pure
`findings` on literal source; written against the survivors of ``bench/mutation.py``."""

from __future__ import annotations

from mlready.hooks.context import FileContext
from mlready.hooks.fixes import apply_edits
from mlready.hooks.rules.checkpoints.unsafe_torch_load import findings


def _fixed(source: str) -> list[tuple[str, str, str]]:
    """(applicability, fix message, the text with that fix alone applied) per finding."""
    out: list[tuple[str, str, str]] = []
    for found, _ in findings(FileContext.from_source("t.py", source)):
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


def _kinds(source: str) -> list[str]:
    return [f[0] for f in _fixed(source)]


def test_a_pickle_module_makes_the_fix_unsafe_by_position_or_keyword() -> None:
    head = "import pickle\nimport torch\n"
    assert _kinds(head + "m.load_state_dict(torch.load('a.pt', 'cpu'))\n") == ["safe"]
    assert _kinds(head + "m.load_state_dict(torch.load('a.pt', 'cpu', pickle))\n") == [
        "unsafe"]
    assert _kinds(head + "m.load_state_dict(torch.load('a.pt', pickle_module=pickle))\n") == [
        "unsafe"]


def test_only_the_first_argument_of_load_state_dict_is_the_state_dict() -> None:
    assert _kinds("import torch\nm.load_state_dict(sd, torch.load('a.pt'))\n") == ["unsafe"]


def test_the_fix_hint_is_on_both_findings() -> None:
    source = "import torch\na = torch.load('a.pt')\nb = torch.load('b.pt', weights_only=False)\n"
    hints = [d.fix for d, _ in findings(FileContext.from_source("t.py", source))]
    assert hints == ["pass `weights_only=True` (checkpoints of tensors and dicts load "
                     "unchanged)"] * 2


def test_torch_named_but_not_imported_is_not_torch() -> None:
    assert list(findings(FileContext.from_source("t.py", "x = torch.load('a.pt')\n"))) == []


def test_a_url_load_with_six_positional_arguments_still_lacks_weights_only() -> None:
    source = ("import torch\n"
              "torch.hub.load_state_dict_from_url(u, None, None, False, False, None)\n")
    assert [d.line for d, _ in findings(FileContext.from_source("t.py", source))] == [2]


def test_the_innermost_function_is_the_scope_on_its_first_and_last_lines() -> None:
    # `sd` is assigned in three functions: only the function's own uses may count
    source = ("import torch\n\n\n"
              "def f(m): sd = torch.load('a.pt'); m.load_state_dict(sd)\n\n\n"
              "def g(m):\n    x = 1\n    sd = torch.load('b.pt'); m.load_state_dict(sd)\n\n\n"
              "def h(m):\n    def inner():\n        sd = torch.load('c.pt')\n"
              "        m.load_state_dict(sd)\n    sd = 2\n    return sd\n")
    assert _kinds(source) == ["safe", "safe", "safe"]


def _reported(path: str, body: str) -> list[int]:
    source = "import torch\n\n\n" + body
    return [d.line for d, _ in findings(FileContext.from_source(path, source))]


def test_a_test_reading_back_what_it_saved_is_left_alone() -> None:
    test = "tests/test_io.py"
    assert _reported(test, "def test_a(m):\n    torch.save(m, 'a.pt')\n"
                           "    p = 'a.pt'\n    torch.load(p)\n") == []
    assert _reported(test, "def test_a(m):\n    p = 'a.pt'\n    torch.save(m, p)\n"
                           "    torch.load('a.pt')\n") == []
    assert _reported(test, "from torch import save\n\n\ndef test_a(m):\n"
                           "    save(m, 'a.pt')\n    torch.load('a.pt')\n") == []
    assert _reported(test, "import joblib\n\n\ndef test_a(m):\n"
                           "    joblib.dump(m, 'a.pt')\n    torch.load('a.pt')\n") == []
    # a call through a subscript has no name: not a save, and no crash
    assert _reported(test, "def test_a(m, fns):\n    fns[0](m, 'a.pt')\n"
                           "    torch.load('a.pt')\n") == [6]
    # a load with no positional path is read from nothing the test wrote
    assert _reported(test, "def test_a(m):\n    torch.save(m, 'a.pt')\n"
                           "    torch.load(f='a.pt')\n") == [6]


def test_tmp_path_is_followed_through_four_names_not_five() -> None:
    four = ("def test_a(tmp_path):\n    a = tmp_path / 'x'\n    b = a\n    c = b\n"
            "    d = c\n    torch.load(d)\n")
    assert _reported("tests/test_io.py", four) == []
    two = "def test_a(tmp_path):\n    a = tmp_path / 'x'\n    b = a\n    torch.load(b)\n"
    assert _reported("tests/test_io.py", two) == []
    five = ("def test_a(tmp_path):\n    a = tmp_path / 'x'\n    b = a\n    c = b\n"
            "    d = c\n    e = d\n    torch.load(e)\n")
    assert _reported("tests/test_io.py", five) == [10]


def test_a_saved_path_is_resolved_in_the_test_that_binds_it() -> None:
    # a module-level `p` names another file: the test's own `p` is the one it saved
    body = ("p = 'other.pt'\n\n\ndef test_a(m):\n    p = 'a.pt'\n    torch.save(m, p)\n"
            "    torch.load('a.pt')\n")
    assert _reported("tests/test_io.py", body) == []
