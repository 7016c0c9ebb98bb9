"""What an architecture object is, kept on the object itself as custom properties.

`bmcp_arch` holds a JSON object: `kind` (wall, slab, roof, stairs, column, gable_wall,
opening_frame) and the facts its op was given or computed (a wall's start, end, height,
thickness and the rooms and sides it bounds; a roof's type, pitch, overhang, eaves and ridge
heights; a stair's risers and treads; the storey). Cuts are kept beside it in
`bmcp_openings` (arch_mesh). state.json and design.md read these back instead of guessing
from object names, and they travel with the .blend in every checkpoint.

JSON in one string property rather than an ID property group: lists of objects (rooms,
openings) are plain there, and it reads the same in every Blender version.
"""

import json

ARCH_PROPERTY = "bmcp_arch"
OPENINGS_PROPERTY = "bmcp_openings"


def tag(obj, kind, **facts):
    """Record what `obj` is; facts with the value None are left out."""
    record = {"kind": kind}
    record.update({key: value for key, value in facts.items() if value is not None})
    obj[ARCH_PROPERTY] = json.dumps(record, sort_keys=True)
    return obj


def facts(obj):
    """The recorded facts of `obj` (with its cuts under 'openings'), or None for other objects."""
    raw = obj.get(ARCH_PROPERTY)
    if raw is None:
        return None
    try:
        record = json.loads(raw)
    except (TypeError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    try:
        openings = json.loads(obj.get(OPENINGS_PROPERTY, "[]"))
    except (TypeError, ValueError):
        openings = []
    if openings:
        record["openings"] = openings
    return record


def update(obj, **facts_to_merge):
    """Merge facts into an object's record (a wall learns the rooms it bounds)."""
    record = facts(obj) or {}
    record.pop("openings", None)
    kind = record.pop("kind", "unknown")
    record.update(facts_to_merge)
    return tag(obj, kind, **record)
