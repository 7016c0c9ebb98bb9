"""Pure rules of the animation toolset: where an action's F-curves live per Blender version,
which properties are angles (degrees on the wire, radians in Blender), how a data path splits
into owner and property, and how a frame rate becomes Blender's fps / fps_base pair.

No bpy here, so every rule is unit-tested without Blender (tests/test_animation_compat_units.py).
"""

import math
import re

# Blender's hard frame limits (MAXFRAME); scene.frame_start/end refuse negatives.
FRAME_MIN = -1048574
FRAME_MAX = 1048574
SCENE_FRAME_MIN = 0

INTERPOLATIONS = (
    "CONSTANT", "LINEAR", "BEZIER", "SINE", "QUAD", "CUBIC", "QUART", "QUINT", "EXPO", "CIRC",
    "BACK", "BOUNCE", "ELASTIC",
)
EASINGS = ("AUTO", "EASE_IN", "EASE_OUT", "EASE_IN_OUT")
# Easing means something only for the "dynamic effect" interpolations, not these three.
_NO_EASING = frozenset({"CONSTANT", "LINEAR", "BEZIER"})

# Rates that are really N * 1000/1001 (NTSC): Blender stores them as fps=N, fps_base=1.001.
_NTSC = {23.976: 24, 29.97: 30, 47.952: 48, 59.94: 60, 119.88: 120}


def fcurve_access(version, has_legacy_fcurves, has_layers):
    """How to read an action's F-curves: "legacy" (action.fcurves), "channelbag"
    (action.layers[..].strips[..].channelbag(slot).fcurves) or "none".

    Blender 4.4 made actions layered (slots, layers, strips, channelbags) and kept
    `action.fcurves` as a proxy for the first slot; 5.0 removed that proxy. From 4.4 on the
    channelbag of the user's own slot is the right place (an action may serve several slots);
    before 4.4 there are no layers and `action.fcurves` is the only place.
    """
    if tuple(version[:2]) >= (4, 4) and has_layers:
        return "channelbag"
    if has_legacy_fcurves:
        return "legacy"
    if has_layers:
        return "channelbag"
    return "none"


def is_angle(subtype, unit):
    """An RNA property Blender stores in radians (shown in degrees): euler rotations, angles."""
    return unit == "ROTATION" or subtype in ("EULER", "ANGLE")


def to_radians(value):
    if isinstance(value, (list, tuple)):
        return [math.radians(x) for x in value]
    return math.radians(value)


def to_degrees(value):
    if isinstance(value, (list, tuple)):
        return [math.degrees(x) for x in value]
    return math.degrees(value)


_LAST_STEP = re.compile(r'^(?P<owner>.*?)(?:\.(?P<attr>[A-Za-z_][A-Za-z0-9_]*)|\[(?P<key>"(?:[^"\\]|\\.)*")\])$')
_ATTR_ONLY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def split_data_path(path):
    """Split an RNA data path into (owner_path, name, is_custom_key) so its value can be set:
    "location" -> ("", "location", False); 'modifiers["Bevel"].width' -> ('modifiers["Bevel"]',
    "width", False); '["speed"]' -> ("", "speed", True). None for a path this cannot split
    (an index step like "location[0]" — callers pass the index separately)."""
    if _ATTR_ONLY.match(path):
        return ("", path, False)
    match = _LAST_STEP.match(path)
    if not match:
        return None
    if match.group("attr"):
        return (match.group("owner"), match.group("attr"), False)
    key = match.group("key")[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return (match.group("owner"), key, True)


def first_step(path):
    """("data", "energy") for "data.energy": the leading plain attribute and the rest, or None
    when the path has no "." after a plain attribute (used to follow ID pointers such as
    object.data and mesh.shape_keys, whose animation lives on that ID, not on the object)."""
    head, dot, rest = path.partition(".")
    if dot and rest and _ATTR_ONLY.match(head):
        return (head, rest)
    return None


def fps_pair(fps):
    """(fps, fps_base) for a frame rate: 24 -> (24, 1.0); 29.97 -> (30, 1.001); 12.5 -> (25, 2.0)."""
    for rate, whole in _NTSC.items():
        if abs(fps - rate) < 0.0015:
            return (whole, 1.001)
    if abs(fps - round(fps)) < 1e-9:
        return (int(round(fps)), 1.0)
    # A fractional rate: the smallest whole fps whose base stays readable.
    for multiplier in (2, 4, 5, 10, 100, 1000):
        whole = fps * multiplier
        if abs(whole - round(whole)) < 1e-6:
            return (int(round(whole)), float(multiplier))
    whole = max(1, int(math.ceil(fps)))
    return (whole, whole / fps)


def easing_applies(interpolation):
    return interpolation not in _NO_EASING


def frames_match(a, b, tolerance=1e-3):
    return abs(a - b) <= tolerance


def turntable_angles(start_angle_rad, turns):
    """The start and end values of a turntable's rotation channel, radians."""
    return (start_angle_rad, start_angle_rad + 2.0 * math.pi * turns)
