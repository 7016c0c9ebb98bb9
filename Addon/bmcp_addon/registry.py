"""The op registry: op name -> function, with declared and validated params.

Adding an op is one decorated function:

    @registry.op("object.info", name=Param(STRING))
    def object_info(ctx, name): ...

Pure Python (no bpy) so the validation rules can be unit-tested anywhere.
"""

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


@dataclass(frozen=True)
class Kind:
    label: str  # "a string": used in error messages
    accepts: object  # callable(value) -> bool


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


STRING = Kind("a string", lambda v: isinstance(v, str))
INTEGER = Kind("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool))
NUMBER = Kind("a number", _is_number)
BOOLEAN = Kind("a boolean", lambda v: isinstance(v, bool))
OBJECT = Kind("an object", lambda v: isinstance(v, dict))
ARRAY = Kind("an array", lambda v: isinstance(v, list))
VECTOR3 = Kind(
    "an array of 3 numbers",
    lambda v: isinstance(v, list) and len(v) == 3 and all(_is_number(x) for x in v),
)

_MISSING = object()


@dataclass(frozen=True)
class Param:
    kind: Kind
    default: object = _MISSING

    @property
    def required(self):
        return self.default is _MISSING


@dataclass
class OpSpec:
    name: str
    function: object
    params: dict = field(default_factory=dict)

    def bind(self, given):
        """Check `given` against the declared params; return keyword arguments."""
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            known = ", ".join(sorted(self.params)) or "none"
            raise OpError(
                "bad_params",
                f"{self.name}: unknown param '{unknown[0]}' (known params: {known})",
            )
        arguments = {}
        for name, param in self.params.items():
            value = given.get(name, _MISSING)
            if value is _MISSING and param.required:
                raise OpError(
                    "bad_params",
                    f"{self.name}: missing required param '{name}' ({param.kind.label})",
                )
            if value is _MISSING or (value is None and not param.required):
                # An explicit null for an optional param means "use the default".
                arguments[name] = param.default
            elif param.kind.accepts(value):
                arguments[name] = value
            else:
                raise OpError(
                    "bad_params",
                    f"{self.name}: param '{name}' must be {param.kind.label}, got {describe_value(value)}",
                )
        return arguments


class OpRegistry:
    def __init__(self):
        self._ops = {}

    def op(self, op_name, /, **params):
        # op_name is positional-only so a param may itself be called "name".
        def register(function):
            if op_name in self._ops:
                raise ValueError(f"op {op_name!r} is registered twice")
            self._ops[op_name] = OpSpec(op_name, function, params)
            return function

        return register

    def names(self):
        return sorted(self._ops)

    def run(self, name, params, context):
        """Validate and call op `name`. Raises OpError; other exceptions are the op's own."""
        spec = self._ops.get(name)
        if spec is None:
            raise OpError(
                "unknown_op", f"unknown op '{name}' (known ops: {', '.join(self.names())})"
            )
        return spec.function(context, **spec.bind(params))
