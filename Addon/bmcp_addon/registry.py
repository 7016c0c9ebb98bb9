"""The op registry: op name -> function, with declared and validated params.

Adding an op is one decorated function:

    @registry.op("object.info", name=Param(NAME))
    def object_info(ctx, name): ...

Ops that change the scene use `registry.mutating_op(...)` instead, so the
session layer knows a failed run may still have changed something.

Pure Python (no bpy) so the validation rules can be unit-tested anywhere.
"""

import math
from dataclasses import dataclass, field, replace

from .values import describe_value, format_number


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
    # The JSON Schema a client sees for this kind: it must say what `accepts` checks (item
    # count, item type, allowed names), so a model knows before it calls.
    schema: object = None

    def json_schema(self):
        return dict(self.schema) if self.schema else {}


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


STRING = Kind("a string", lambda v: isinstance(v, str), schema={"type": "string"})
NAME = Kind("a non-empty string", lambda v: isinstance(v, str) and v != "", schema={"type": "string", "minLength": 1})
INTEGER = Kind("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool), schema={"type": "integer"})
NUMBER = Kind("a number", _is_number, schema={"type": "number"})
BOOLEAN = Kind("a boolean", lambda v: isinstance(v, bool), schema={"type": "boolean"})
OBJECT = Kind("an object", lambda v: isinstance(v, dict), schema={"type": "object"})
ARRAY = Kind("an array", lambda v: isinstance(v, list), schema={"type": "array"})


def numbers(count, label=None, minimum=None, maximum=None):
    """An array of exactly `count` finite numbers (a point, a size), each within the bounds."""

    def accepts(value):
        return (
            isinstance(value, list)
            and len(value) == count
            and all(
                _is_number(x) and (minimum is None or x >= minimum) and (maximum is None or x <= maximum)
                for x in value
            )
        )

    item = {"type": "number"}
    if minimum is not None:
        item["minimum"] = minimum
    if maximum is not None:
        item["maximum"] = maximum
    return Kind(
        label or f"an array of {count} numbers",
        accepts,
        schema={"type": "array", "items": item, "minItems": count, "maxItems": count},
    )


def array_of(kind, min_items=0, max_items=None, label=None):
    """An array whose every item is of `kind`, with an item count in [min_items, max_items]."""

    def accepts(value):
        if not isinstance(value, list) or len(value) < min_items:
            return False
        if max_items is not None and len(value) > max_items:
            return False
        return all(kind.accepts(x) for x in value)

    def normalize(value):
        return [kind.normalize(x) for x in value] if kind.normalize else value

    schema = {"type": "array", "items": kind.json_schema()}
    if min_items:
        schema["minItems"] = min_items
    if max_items is not None:
        schema["maxItems"] = max_items
    count = f"at least {min_items} " if min_items else ""
    return Kind(label or f"an array of {count}items, each {kind.label}", accepts, normalize, schema)


VECTOR3 = numbers(3)
POINT2 = numbers(2, "an array of 2 numbers [x, y]")
STRING_LIST = Kind(
    "an array of non-empty strings",
    lambda v: isinstance(v, list) and all(isinstance(x, str) and x != "" for x in v),
    schema={"type": "array", "items": {"type": "string", "minLength": 1}},
)
COLOR_RGBA = Kind(
    "an array of 3 or 4 numbers between 0 and 1 (r, g, b[, a])",
    _is_color,
    _rgba,
    {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}, "minItems": 3, "maxItems": 4},
)


def one_of(*choices):
    """An enum kind; matching ignores case and yields the declared spelling."""
    by_folded = {choice.casefold(): choice for choice in choices}
    label = "one of " + ", ".join(f"'{choice}'" for choice in choices)
    return Kind(
        label,
        lambda v: isinstance(v, str) and v.casefold() in by_folded,
        lambda v: by_folded[v.casefold()],
        {"type": "string", "enum": list(choices)},
    )


def strings_from(*choices):
    """An array whose items are each one of `choices` (exact spelling)."""
    allowed = frozenset(choices)
    label = "an array of: " + ", ".join(choices)
    return Kind(
        label,
        lambda v: isinstance(v, list) and all(isinstance(x, str) and x in allowed for x in v),
        schema={"type": "array", "items": {"type": "string", "enum": list(choices)}},
    )


_MISSING = object()


@dataclass(frozen=True)
class Param:
    kind: Kind
    default: object = _MISSING
    # Inclusive bounds for NUMBER / INTEGER params.
    minimum: object = None
    maximum: object = None
    # What the parameter means, for the tool's schema ("Height of the wall's base, m").
    about: str = ""
    # A quantity's unit ("m", "deg", or "" for a plain ratio): a value out of range is then
    # refused the way people write it, "must be between 0.1 and 20 m, got 25". None keeps the
    # typed form ("an integer between 1 and 1000, got int 5000").
    unit: object = None

    def json_schema(self):
        """This parameter's JSON Schema: the kind's, its bounds, its default and its meaning."""
        schema = self.kind.json_schema()
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if not self.required and self.default is not None:
            schema["default"] = self.default
        if self.about:
            schema["description"] = self.about
        return schema

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
        return self.kind.accepts(value) and self.in_range(value)

    def in_range(self, value):
        if self.minimum is not None and value < self.minimum:
            return False
        if self.maximum is not None and value > self.maximum:
            return False
        return True

    def refusal(self, name, value):
        """Why `value` (which this param does not accept) is refused, naming the param."""
        if self.unit is None or not self.kind.accepts(value):
            return f"param '{name}' must be {self.expected()}, got {describe_value(value)}"
        unit = f" {self.unit}" if self.unit else ""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            bounds = f"between {format_number(low)} and {format_number(high)}{unit}"
        elif low is not None:
            bounds = f"at least {format_number(low)}{unit}"
        else:
            bounds = f"at most {format_number(high)}{unit}"
        return f"param '{name}' must be {bounds}, got {format_number(value)}"


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
                raise bad_params(self.name, param.refusal(name, value))
        return arguments


@dataclass(frozen=True)
class ToolSpec:
    """How an op is offered as an MCP tool: the one declaration mcp-front builds it from
    (through the generated catalogue, see catalogue.py)."""

    name: str
    description: str
    toolset: str
    op: str  # the op it runs; for a front tool, what mcp-front runs it as (e.g. "broker:session.create")
    params: dict  # name -> Param, under the tool's argument names
    read_only: bool
    destructive: bool
    idempotent: bool
    title: str = ""
    # The JSON Schema of the result's object (its properties), or None for a result that is
    # not one JSON object (an image, a text).
    output: object = None
    # Tool argument -> op param, where the tool keeps an older name (V1's object_name).
    rename: object = None
    # A text template for the answer instead of the JSON ("Code executed: {result}").
    text: str = ""
    # Whether the tool acts in a session (mcp-front adds and resolves `session_id`).
    in_session: bool = True


class OpRegistry:
    def __init__(self):
        self._ops = {}
        self._tools = {}
        self._op_of_function = {}

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
            self._op_of_function[function] = op_name
            return function

        return register

    def tool(self, tool_name, description, /, *, toolset, destructive=False, idempotent=None, title="",
             output=None, rename=None, text="", about=None):
        """Offer the op registered just below (by @op / @mutating_op) as an MCP tool.

        Stacked above the op decorator. `about` gives each parameter's meaning where its
        Param has none; `rename` maps a tool argument to the op's param name. Read-only
        and idempotent follow from the op unless given: an op that does not mutate is
        read-only and idempotent.
        """

        def register(function):
            op_name = self._op_of_function.get(function)
            if op_name is None:
                raise ValueError(f"tool {tool_name!r}: put @registry.tool above an @registry.op decorator")
            spec = self._ops[op_name]
            inverse = {param: argument for argument, param in (rename or {}).items()}
            params = {}
            for name, param in spec.params.items():
                meaning = (about or {}).get(name)
                if meaning and not param.about:
                    param = replace(param, about=meaning)
                params[inverse.get(name, name)] = param
            self._add_tool(ToolSpec(
                tool_name, description, toolset, op_name, params, read_only=not spec.mutates,
                destructive=destructive, idempotent=(not spec.mutates) if idempotent is None else idempotent,
                title=title, output=output, rename=rename, text=text))
            return function

        return register

    def front_tool(self, tool_name, description, /, *, toolset, runs, read_only, destructive=False,
                   idempotent=False, title="", output=None, in_session=False, **params):
        """Declare a tool mcp-front answers itself or sends to another service (`runs`, e.g.
        "broker:session.create"): the addon never runs it, but its schema lives here with
        every other tool's, so the catalogue is the one place a tool is declared."""
        self._add_tool(ToolSpec(tool_name, description, toolset, runs, params, read_only, destructive,
                                idempotent, title, output, in_session=in_session))

    def _add_tool(self, spec):
        if spec.name in self._tools:
            raise ValueError(f"tool {spec.name!r} is declared twice")
        self._tools[spec.name] = spec

    def tools(self):
        """Every declared tool, by name."""
        return dict(self._tools)

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
