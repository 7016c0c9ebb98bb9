"""The op registry: op name -> function, with declared and validated params.

Adding an op is one decorated function:

    @registry.op("object.info", name=Param(NAME))
    def object_info(ctx, name): ...

Ops that change the scene use `registry.mutating_op(...)` instead, so the
session layer knows a failed run may still have changed something.

Pure Python (no bpy) so the validation rules can be unit-tested anywhere.
"""

import math
from dataclasses import dataclass, field

from .protocol import describe_value


class OpError(Exception):
    """An expected failure with a wire error code (not_found, bad_params, ...).

    `details` become extra fields of the error object (e.g. stdout, traceback).
    """

    def __init__(self, code, message, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


def bad_params(op_name, message):
    return OpError("bad_params", f"{op_name}: {message}")


@dataclass(frozen=True)
class Kind:
    label: str  # "a string": used in error messages
    accepts: object  # callable(value) -> bool
    # callable(value) -> value: canonical form of an accepted value (e.g. enum case)
    normalize: object = None


def _is_number(value):
    # Finite only: JSON has no NaN or Infinity, yet Python's parser reads those tokens, and NaN
    # would pass any range check (it compares false with both bounds).
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _is_color(value):
    return (
        isinstance(value, list)
        and len(value) in (3, 4)
        and all(_is_number(x) and 0.0 <= x <= 1.0 for x in value)
    )


def _rgba(value):
    return [float(x) for x in value] + ([1.0] if len(value) == 3 else [])


STRING = Kind("a string", lambda v: isinstance(v, str))
NAME = Kind("a non-empty string", lambda v: isinstance(v, str) and v != "")
INTEGER = Kind("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool))
NUMBER = Kind("a number", _is_number)
BOOLEAN = Kind("a boolean", lambda v: isinstance(v, bool))
OBJECT = Kind("an object", lambda v: isinstance(v, dict))
ARRAY = Kind("an array", lambda v: isinstance(v, list))
VECTOR3 = Kind(
    "an array of 3 numbers",
    lambda v: isinstance(v, list) and len(v) == 3 and all(_is_number(x) for x in v),
)
STRING_LIST = Kind(
    "an array of non-empty strings",
    lambda v: isinstance(v, list) and all(isinstance(x, str) and x != "" for x in v),
)
COLOR_RGBA = Kind("an array of 3 or 4 numbers between 0 and 1 (r, g, b[, a])", _is_color, _rgba)


def one_of(*choices):
    """An enum kind; matching ignores case and yields the declared spelling."""
    by_folded = {choice.casefold(): choice for choice in choices}
    label = "one of " + ", ".join(f"'{choice}'" for choice in choices)
    return Kind(
        label,
        lambda v: isinstance(v, str) and v.casefold() in by_folded,
        lambda v: by_folded[v.casefold()],
    )


def strings_from(*choices):
    """An array whose items are each one of `choices` (exact spelling)."""
    allowed = frozenset(choices)
    label = "an array of: " + ", ".join(choices)
    return Kind(label, lambda v: isinstance(v, list) and all(isinstance(x, str) and x in allowed for x in v))


_MISSING = object()


@dataclass(frozen=True)
class Param:
    kind: Kind
    default: object = _MISSING
    # Inclusive bounds for NUMBER / INTEGER params.
    minimum: object = None
    maximum: object = None

    @property
    def required(self):
        return self.default is _MISSING

    def expected(self):
        """The kind label with its range, e.g. 'an integer between 1 and 1000'."""
        if self.minimum is not None and self.maximum is not None:
            return f"{self.kind.label} between {self.minimum} and {self.maximum}"
        if self.minimum is not None:
            return f"{self.kind.label} of at least {self.minimum}"
        if self.maximum is not None:
            return f"{self.kind.label} of at most {self.maximum}"
        return self.kind.label

    def accepts(self, value):
        if not self.kind.accepts(value):
            return False
        if self.minimum is not None and value < self.minimum:
            return False
        if self.maximum is not None and value > self.maximum:
            return False
        return True


@dataclass
class OpSpec:
    name: str
    function: object
    params: dict = field(default_factory=dict)
    mutates: bool = False

    def bind(self, given):
        """Check `given` against the declared params; return keyword arguments."""
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            known = ", ".join(sorted(self.params)) or "none"
            raise bad_params(self.name, f"unknown param '{unknown[0]}' (known params: {known})")
        arguments = {}
        for name, param in self.params.items():
            value = given.get(name, _MISSING)
            if value is _MISSING and param.required:
                raise bad_params(self.name, f"missing required param '{name}' ({param.expected()})")
            if value is _MISSING or (value is None and not param.required):
                # An explicit null for an optional param means "use the default".
                arguments[name] = param.default
            elif param.accepts(value):
                normalize = param.kind.normalize
                arguments[name] = normalize(value) if normalize else value
            else:
                raise bad_params(
                    self.name, f"param '{name}' must be {param.expected()}, got {describe_value(value)}"
                )
        return arguments


class OpRegistry:
    def __init__(self):
        self._ops = {}

    def op(self, op_name, /, **params):
        # op_name is positional-only so a param may itself be called "name".
        return self._register(op_name, params, mutates=False)

    def mutating_op(self, op_name, /, **params):
        """Like op(), for ops that change the scene (the session gets marked dirty)."""
        return self._register(op_name, params, mutates=True)

    def _register(self, op_name, params, mutates):
        def register(function):
            if op_name in self._ops:
                raise ValueError(f"op {op_name!r} is registered twice")
            self._ops[op_name] = OpSpec(op_name, function, params, mutates)
            return function

        return register

    def names(self):
        return sorted(self._ops)

    def spec(self, name):
        return self._ops.get(name)

    def mutates(self, name):
        spec = self._ops.get(name)
        return bool(spec and spec.mutates)

    def run(self, name, params, context):
        """Validate and call op `name`. Raises OpError; other exceptions are the op's own."""
        spec = self._ops.get(name)
        if spec is None:
            raise OpError(
                "unknown_op", f"unknown op '{name}' (known ops: {', '.join(self.names())})"
            )
        return spec.function(context, **spec.bind(params))
