"""What a name holds, for the seeding rules' call graph: the types behind a variable.

A call on a variable (``trainer.train()``) runs a project method only when we know
what the variable holds. `value_types` reads an assigned value as the names of what it
may hold, spelled so that `callgraph` can finish the job across files:

- ``pkg.Trainer``: an object of a class (``Trainer(...)``);
- ``pkg.make()``: what the project function ``make`` returns (``x = make(...)``), and
  ``pkg.make()[1]`` the second item of the tuple it returns (``a, b = make(...)``);
- ``pkg.trainers.*``: any class of the module (``getattr(trainers, cfg.name)``).

Both operands of ``a or B(...)`` and both arms of ``A() if c else B()`` count: an
attribute injected by the caller (``self.sampler = sampler or Uniform()``) then has
the default's type, the only one this file can name. `return_types` reads a
function's ``return`` statements (or its return annotation) the same way, so that
``model, diffusion = create(...)`` reaches the ``diffusion`` that ``create`` built.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from mlready.hooks.names import NameResolver
from mlready.hooks.rules.seeds import apis as api

Lookup = Callable[[str], str | None]  # a bound variable's type, by its dotted name


def called(type_name: str) -> str:
    """``pkg.make`` -> ``pkg.make()`` (what calling a function gives); a class name, an
    item of a returned tuple or a module wildcard stays as it is."""
    final = type_name.rpartition(".")[2]
    if not final or final[:1].isupper() or final[-1:] in (")", "]", "*"):
        return type_name
    return f"{type_name}()"


def value_types(value: ast.expr, resolver: NameResolver, lookup: Lookup,
                own_class: str | None) -> list[str]:
    """The types ``value`` may hold, unchanged spelling for a call's callee (``pkg.make``
    for ``make(...)``: `called` adds the call where a method is looked up)."""
    return list(dict.fromkeys(_types(value, resolver, lookup, own_class)))


def _types(value: ast.expr, resolver: NameResolver, lookup: Lookup,
           own_class: str | None) -> Iterator[str]:
    if isinstance(value, ast.BoolOp):
        for operand in value.values:
            yield from _types(operand, resolver, lookup, own_class)
    elif isinstance(value, ast.IfExp):
        yield from _types(value.body, resolver, lookup, own_class)
        yield from _types(value.orelse, resolver, lookup, own_class)
    elif isinstance(value, ast.Call):
        found = _callee(value, resolver, lookup, own_class)
        if found is not None:
            yield found


def _callee(call: ast.Call, resolver: NameResolver, lookup: Lookup,
            own_class: str | None) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        if func.id == "getattr" and func.id not in resolver.aliases and call.args \
                and isinstance(call.args[0], ast.Name):
            # `getattr(trainers, cfg.trainer)`: some class of a project module.
            module = resolver.aliases.get(call.args[0].id)
            return f"{module}.*" if module and not api.is_external(module) else None
        held = lookup(func.id)  # `Cls = getattr(...); obj = Cls(...)`
        if held is not None and held.endswith(".*"):
            return held
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id == "self" and own_class:
        # `trainer = self.create_trainer(params)`: what the method returns.
        return f"{resolver.module}.{own_class}.{func.attr}" if resolver.module \
            else f"{own_class}.{func.attr}"
    return resolver.qualname(func)


def return_types(values: list[ast.expr], annotation: ast.expr | None,
                 resolver: NameResolver, lookup: Lookup,
                 own_class: str | None) -> list[str | list[str]]:
    """What a function returns, one entry per distinct returned ``values`` (its own
    ``return`` statements): a type spelled as `value_types` spells it after `called`,
    or a list of them for a returned tuple. Without a resolvable ``return``, the
    ``annotation`` (``-> "Trainer"``) names the type."""
    found: list[str | list[str]] = []
    for value in values:
        if isinstance(value, ast.Tuple):
            items = [next(iter(_item_types(e, resolver, lookup, own_class)), "")
                     for e in value.elts]
            if any(items) and items not in found:
                found.append(items)
        else:
            for type_name in _item_types(value, resolver, lookup, own_class):
                if type_name not in found:
                    found.append(type_name)
    if not found and annotation is not None:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return found
        named = resolver.qualname(annotation) if isinstance(
            annotation, ast.Name | ast.Attribute) else None
        if named is not None and not api.is_external(named):
            found.append(named)
    return found


def _item_types(value: ast.expr, resolver: NameResolver, lookup: Lookup,
                own_class: str | None) -> list[str]:
    """A returned expression's types: a call's, or those of the variable it names."""
    if isinstance(value, ast.Name | ast.Attribute):
        dotted = ast.unparse(value)
        held = lookup(dotted)
        return [called(held)] if held is not None and not api.is_external(held) else []
    return [called(t) for t in value_types(value, resolver, lookup, own_class)
            if not api.is_external(t)]
