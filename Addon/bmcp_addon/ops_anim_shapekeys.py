"""Shape keys: add one (a Basis first when there is none), set its value (optionally keyed at a
frame), and list them. The keys' animation lives on the mesh's Key datablock, not the object."""

from .animation_compat import FRAME_MAX, FRAME_MIN
from .ops_common import changed, find_member, find_object, registry
from .registry import BOOLEAN, INTEGER, NAME, NUMBER, VECTOR3, OpError, Param, bad_params

_SHAPED_TYPES = ("MESH", "CURVE", "SURFACE", "LATTICE")
_CHANGED = {"type": "object", "description": "Names of what was created, modified, removed"}
_KEY_OUT = {"name": {"type": "string"}, "value": {"type": "number"}, "slider_min": {"type": "number"},
            "slider_max": {"type": "number"}, "relative_key": {"type": "string"}, "mute": {"type": "boolean"}}


def _shaped_object(op_name, name):
    obj = find_object(name)
    if obj.type not in _SHAPED_TYPES:
        raise bad_params(op_name, f"param 'object' must be a {', '.join(_SHAPED_TYPES)} object; '{obj.name}' is a {obj.type}")
    return obj


def _key_block(obj, name):
    keys = obj.data.shape_keys
    return find_member(obj, keys.key_blocks if keys else {}, name, "shape key")


def _describe(block):
    return {"name": block.name, "value": block.value, "slider_min": block.slider_min,
            "slider_max": block.slider_max, "relative_key": block.relative_key.name, "mute": block.mute}


@registry.tool(
    "add_shape_key",
    "Add a shape key to a mesh, curve or lattice object (a Basis key first if it has none), optionally "
    "moving all its points by an offset so the key has a visible effect.",
    toolset="animation",
    output={"object": {"type": "string"}, "name": {"type": "string"}, "index": {"type": "integer"},
            "basis_created": {"type": "boolean"}, "changed": _CHANGED},
)
@registry.mutating_op(
    "shape_key.add",
    object=Param(NAME, about="The mesh, curve or lattice object"),
    name=Param(NAME, None, about="Shape key name (default: Blender's, 'Key 1' …)"),
    from_mix=Param(BOOLEAN, False, about="Start from the current mix of keys instead of the Basis"),
    offset=Param(VECTOR3, None, about="Move every point of the new key by [x, y, z], m (object space)"),
)
def shape_key_add(ctx, object, name, from_mix, offset):
    obj = _shaped_object("shape_key.add", object)
    if name and obj.data.shape_keys and obj.data.shape_keys.key_blocks.get(name):
        raise OpError("already_exists", f"shape_key.add: object '{obj.name}' already has a shape key named '{name}'")
    basis_created = obj.data.shape_keys is None
    if basis_created:
        obj.shape_key_add(name="Basis", from_mix=False)
    if name is None:  # Blender's UI naming: Key 1, Key 2 … (Basis is key 0)
        blocks = obj.data.shape_keys.key_blocks
        number = len(blocks)
        while blocks.get(f"Key {number}"):
            number += 1
        name = f"Key {number}"
    block = obj.shape_key_add(name=name, from_mix=from_mix)
    if offset is not None:
        for point in block.data:
            point.co = [c + o for c, o in zip(point.co, offset)]
            for handle in ("handle_left", "handle_right"):
                if hasattr(point, handle):
                    setattr(point, handle, [c + o for c, o in zip(getattr(point, handle), offset)])
    index = list(obj.data.shape_keys.key_blocks).index(block)
    created = [obj.data.shape_keys.name] if basis_created else []
    return {"object": obj.name, "name": block.name, "index": index, "basis_created": basis_created,
            "changed": changed(created=created, modified=[obj.name])}


@registry.tool(
    "set_shape_key_value",
    "Set a shape key's value (0 = off, 1 = full), and optionally key it at a frame to animate it.",
    toolset="animation",
    idempotent=True,
    output={**_KEY_OUT, "object": {"type": "string"}, "keyed_frame": {"type": ["integer", "null"]}, "changed": _CHANGED},
)
@registry.mutating_op(
    "shape_key.set_value",
    object=Param(NAME, about="The object with shape keys"),
    name=Param(NAME, about="The shape key's name"),
    value=Param(NUMBER, minimum=-10.0, maximum=10.0, about="Value; the slider range widens if it lies outside it"),
    frame=Param(INTEGER, None, minimum=FRAME_MIN, maximum=FRAME_MAX, about="Also insert a keyframe at this frame"),
)
def shape_key_set_value(ctx, object, name, value, frame):
    obj = _shaped_object("shape_key.set_value", object)
    block = _key_block(obj, name)
    if block == obj.data.shape_keys.reference_key:
        raise bad_params("shape_key.set_value", f"param 'name': '{name}' is the reference (Basis) key, which has no value")
    if value < block.slider_min:
        block.slider_min = value
    if value > block.slider_max:
        block.slider_max = value
    block.value = value
    if frame is not None:
        block.keyframe_insert("value", frame=frame)
    return {**_describe(block), "object": obj.name, "keyed_frame": frame, "changed": changed(modified=[obj.name])}


@registry.tool(
    "list_shape_keys",
    "List an object's shape keys (Basis first) with their values and slider ranges.",
    toolset="animation",
    output={"object": {"type": "string"}, "reference": {"type": ["string", "null"]},
            "keys": {"type": "array", "items": {"type": "object", "properties": _KEY_OUT}}},
)
@registry.op("shape_key.list", object=Param(NAME, about="The object"))
def shape_key_list(ctx, object):
    obj = _shaped_object("shape_key.list", object)
    keys = obj.data.shape_keys
    if keys is None:
        return {"object": obj.name, "reference": None, "keys": []}
    return {"object": obj.name, "reference": keys.reference_key.name, "keys": [_describe(b) for b in keys.key_blocks]}

