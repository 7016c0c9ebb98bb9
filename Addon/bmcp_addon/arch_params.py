"""Value checks for the architecture ops (arch.*), beyond the registry's type checks.

The registry checks JSON types; these check what only the op knows: ranges in
metres or degrees, enum choices, 2-D points and the fields of nested objects
(rooms, doors). Every failure is a bad_params OpError naming the op, the param,
the allowed range and the value given, so a client can correct the call without
reading the addon. Pure Python (no bpy) so the rules are unit-testable anywhere.
"""

import math

from .values import describe_value, format_number  # noqa: F401  (arch ops import format_number from here)
from .registry import INTEGER, NUMBER, POINT2, Kind, OpError, Param, _is_number  # noqa: F401  (POINT2: the arch ops' 2-D point)


def bad(op, message):
    return OpError("bad_params", f"{op}: {message}")


def in_range(op, name, value, low, high, unit="m"):
    """Return `value` as a float if low <= value <= high, else raise naming all three."""
    number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        unit_text = f" {unit}" if unit else ""
        raise bad(
            op,
            f"param '{name}' must be between {format_number(low)} and {format_number(high)}{unit_text}, "
            f"got {format_number(value) if _is_number(value) else describe_value(value)}",
        )
    return number


def int_in_range(op, name, value, low, high):
    if not (low <= value <= high):
        raise bad(op, f"param '{name}' must be an integer between {low} and {high}, got {value}")
    return int(value)


def choice(op, name, value, choices):
    if value not in choices:
        raise bad(op, f"param '{name}' must be one of {', '.join(choices)}, got {describe_value(value)}")
    return value


def point2(op, name, value):
    if not POINT2.accepts(value):
        raise bad(op, f"param '{name}' must be {POINT2.label}, got {describe_value(value)}")
    x, y = (float(v) for v in value)
    if not (math.isfinite(x) and math.isfinite(y)):
        raise bad(op, f"param '{name}' must hold finite numbers, got {value}")
    return (x, y)


def optional_name(op, value, default):
    """An object name: the given one (non-empty, Blender's 63-byte limit) or the default."""
    if value is None:
        return default
    if not value.strip():
        raise bad(op, "param 'name' must not be empty")
    if len(value.encode("utf-8")) > 63:
        raise bad(op, f"param 'name' must be at most 63 bytes (Blender's limit), got {len(value.encode('utf-8'))}")
    return value


class FieldReader:
    """Reads the fields of one nested object (a room, a door) with errors naming its path.

        room = FieldReader("arch.floor_plan", "rooms[2]", value)
        width = room.number("width", 0.5, 100)
    """

    def __init__(self, op, path, value, known):
        if not isinstance(value, dict):
            raise bad(op, f"{path} must be an object, got {describe_value(value)}")
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise bad(op, f"{path}: unknown field '{unknown[0]}' (known fields: {', '.join(sorted(known))})")
        self.op, self.path, self.value = op, path, value

    def _get(self, field, default):
        value = self.value.get(field)
        if value is None:
            if default is None:
                raise bad(self.op, f"{self.path}: missing required field '{field}'")
            return default
        return value

    def number(self, field, low, high, default=None, unit="m"):
        value = self._get(field, default)
        if not _is_number(value):
            raise bad(self.op, f"{self.path}.{field} must be a number, got {describe_value(value)}")
        return in_range(self.op, f"{self.path}.{field}", value, low, high, unit)

    def string(self, field, default=None, choices=None):
        value = self._get(field, default)
        if not isinstance(value, str) or not value:
            raise bad(self.op, f"{self.path}.{field} must be a non-empty string, got {describe_value(value)}")
        if choices is not None:
            choice(self.op, f"{self.path}.{field}", value, choices)
        return value

    def has(self, field):
        return self.value.get(field) is not None


def storey_level(op, storey, floor_height, base, base_name):
    """(storey, level): the storey number (None when not given) and the floor level in metres.

    A storey with a floor_height sits at (storey - 1) x floor_height, so storeys stack by the
    floor height; giving the level itself as well would say it twice, so that is refused."""
    if storey is not None:
        storey = int_in_range(op, "storey", storey, 1, 100)
    if floor_height is None:
        return storey, in_range(op, base_name, 0.0 if base is None else base, -1000.0, 1000.0)
    floor_height = in_range(op, "floor_height", floor_height, 2.0, 10.0)
    if storey is None:
        raise bad(op, "param 'floor_height' needs 'storey' (the level is (storey - 1) x floor_height)")
    if base is not None:
        raise bad(op, f"give either '{base_name}' or 'storey' + 'floor_height', not both")
    return storey, (storey - 1) * floor_height


# -- the declared params the arch.* tools share (the schema a model reads) -------------------

Z_LIMITS = (-1000.0, 1000.0)
# The length range any footprint or wall run may have; beyond it a unit mistake is likelier.
LENGTH_LIMITS = (0.1, 500.0)

OBJECT_NAME_KIND = Kind(
    "a non-empty string of at most 63 bytes (Blender's name limit)",
    lambda v: isinstance(v, str) and v != "" and len(v.encode("utf-8")) <= 63,
    schema={"type": "string", "minLength": 1, "maxLength": 63},
)


def _param(default, **declared):
    # `...` as the default marks a required param.
    return Param(NUMBER, **declared) if default is ... else Param(NUMBER, default, **declared)


def metres(default, low, high, about):
    """A length or height in metres (default `...`: required), refused outside [low, high]
    with the range in metres."""
    return _param(default, minimum=low, maximum=high, about=about, unit="m")


def degrees(default, low, high, about):
    return _param(default, minimum=low, maximum=high, about=about, unit="deg")


def object_name(default_name):
    return Param(OBJECT_NAME_KIND, None, about=f"Object name (default: '{default_name}', numbered if taken)")


STOREY = Param(INTEGER, None, minimum=1, maximum=100,
               about="Storey number, 1 = ground floor (recorded for design.md); with floor_height it sets the level")
FLOOR_HEIGHT = metres(None, 2.0, 10.0, "Floor-to-floor height, m: with storey, puts the level at "
                                       "(storey - 1) x floor_height (then leave the level param out)")


def level(about):
    """A floor or base level in metres (default 0), mutually exclusive with storey + floor_height."""
    return metres(None, *Z_LIMITS, f"{about}, m (default 0; or give storey + floor_height instead)")
