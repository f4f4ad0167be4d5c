"""`NamedTuple`, as `typing.NamedTuple` declares it, built without compiling code.

Every one-file pre-commit run defines the named tuples of the modules it imports (about
forty), and `typing.NamedTuple` is costly to define: `collections.namedtuple` compiles
the source of each class's ``__new__``, and, under ``from __future__ import
annotations``, `typing` compiles every field's annotation string into a `ForwardRef`.
Forty such classes were a third of what a 3-file hook run spent past ``import click``
(about 1.1 million instructions a class, against 0.15 million here; issue 14).

So the classes of the hook path write ``from mlready.records import NamedTuple`` and
declare themselves exactly as with `typing` (fields with annotations, defaults,
docstrings, methods and properties). The type checker reads `typing.NamedTuple` itself
(the ``TYPE_CHECKING`` branch); at run time the class is built by `_RecordType`: a
`tuple` subclass with the class namespace `collections.namedtuple` gives it (``_fields``,
``_field_defaults``, ``_make``, ``_replace``, ``_asdict``, ``__repr__``,
``__getnewargs__``, ``__match_args__`` and one `_tuplegetter` per field), with a
``__new__`` that binds its arguments in Python instead of compiled code. Instances are
plain tuples: equal, hashable, ordered, unpacked, pickled and written as JSON arrays as
those of `typing.NamedTuple` are; `tests/test_records.py` holds the two to the same
behaviour. Annotations stay the strings they were written as (nothing here evaluates
them; `typing.get_type_hints` still can). Generic named tuples are not supported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    try:  # the field accessor namedtuple's classes use: private to CPython, so
        from collections import _tuplegetter  # with the fallback namedtuple has itself
    except ImportError:  # pragma: no cover - CPython has it
        from operator import itemgetter

        def _tuplegetter(index: int, doc: str) -> Any:
            return property(itemgetter(index), doc=doc)

    _PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                             "_field_defaults", "_make", "_replace", "_asdict", "_source"})
    _MISSING = object()

    class _RecordType(type):
        """The metaclass of `NamedTuple` only: ``class X(NamedTuple)`` makes a tuple type."""

        def __new__(mcls, typename: str, bases: tuple[type, ...],
                    namespace: dict[str, Any]) -> type:
            if bases != (NamedTuple,):
                raise TypeError("can only inherit from a NamedTuple type")
            return _record(typename, namespace)

    NamedTuple = type.__new__(_RecordType, "NamedTuple", (), {})

    def _record(typename: str, namespace: dict[str, Any]) -> type:
        if "__annotations__" not in namespace and "__annotate__" in namespace:
            # Python 3.14 (PEP 649) evaluates a class's annotations lazily unless the
            # module says ``from __future__ import annotations``: read as none, the
            # fields would silently be lost.
            raise TypeError(f"{typename}: declare it under `from __future__ import "
                            "annotations` (its fields are read from __annotations__)")
        annotations: dict[str, Any] = namespace.get("__annotations__", {})
        fields = tuple(annotations)
        defaults = {name: namespace[name] for name in fields if name in namespace}
        if list(defaults) != list(fields[len(fields) - len(defaults):]):
            raise TypeError(f"{typename}: a field without a default follows one with a "
                            "default")
        body: dict[str, Any] = {
            "__doc__": f"{typename}({', '.join(fields)})",
            "__slots__": (),
            "_fields": fields,
            "_field_defaults": defaults,
            "__new__": _new(typename, fields, defaults),
            "_make": classmethod(_make),
            "_replace": _replace,
            "__repr__": _repr(fields),
            "_asdict": _asdict,
            "__getnewargs__": _getnewargs,
            "__match_args__": fields,
        }
        for index, name in enumerate(fields):
            body[name] = _tuplegetter(index, f"Alias for field number {index}")
        for key, value in namespace.items():  # the class body's own (as in typing),
            if key in _PROHIBITED:              # never a field's default over its getter
                raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
            if key not in defaults:
                body[key] = value
        body["__annotations__"] = annotations
        return type(typename, (tuple,), body)

    def _new(typename: str, fields: tuple[str, ...], defaults: dict[str, Any]) -> Any:
        """``__new__``: positional arguments as they come; keywords and defaults bound
        as Python binds a signature ``(field, ..., field=default)``."""
        count = len(fields)
        index = {name: at for at, name in enumerate(fields)}
        tuple_new = tuple.__new__

        def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
            if len(args) == count and not kwargs:
                return tuple_new(cls, args)
            if len(args) > count:
                raise TypeError(f"{typename}() takes {count} positional arguments but "
                                f"{len(args)} were given")
            values = [*args, *(_MISSING,) * (count - len(args))]
            for name, value in kwargs.items():
                at = index.get(name)
                if at is None:
                    raise TypeError(f"{typename}() got an unexpected keyword argument "
                                    f"{name!r}")
                if at < len(args):
                    raise TypeError(f"{typename}() got multiple values for argument "
                                    f"{name!r}")
                values[at] = value
            for at, value in enumerate(values):
                if value is _MISSING:
                    name = fields[at]
                    if name not in defaults:
                        raise TypeError(f"{typename}() missing required argument {name!r}")
                    values[at] = defaults[name]
            return tuple_new(cls, values)

        __new__.__qualname__ = f"{typename}.__new__"
        __new__.__doc__ = f"Create new instance of {typename}({', '.join(fields)})"
        return __new__

    def _make(cls: type, iterable: Any) -> Any:
        """Make a new instance from a sequence or iterable."""
        result = tuple.__new__(cls, iterable)
        if len(result) != len(cls._fields):
            raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(result)}")
        return result

    def _replace(self: Any, /, **kwds: Any) -> Any:
        """Return a new instance replacing specified fields with new values."""
        result = self._make(map(kwds.pop, self._fields, self))
        if kwds:
            raise ValueError(f"Got unexpected field names: {list(kwds)!r}")
        return result

    def _repr(fields: tuple[str, ...]) -> Any:
        form = "(" + ", ".join(f"{name}=%r" for name in fields) + ")"

        def __repr__(self: Any) -> str:
            """Return a nicely formatted representation string."""
            return self.__class__.__name__ + form % self
        return __repr__

    def _asdict(self: Any) -> dict[str, Any]:
        """Return a new dict which maps field names to their values."""
        return dict(zip(self._fields, self, strict=True))

    def _getnewargs(self: Any) -> tuple[Any, ...]:
        """Return self as a plain tuple. Used by copy and pickle."""
        return tuple(self)
