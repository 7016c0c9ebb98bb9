"""What the node ops share, for geometry-node groups and material node trees alike:
finding trees, nodes and sockets by name (or socket index), reading and writing socket
values, adding, linking, unlinking and removing nodes, and describing a tree."""

import difflib

import bpy

from . import nodes_compat
from .ops_common import changed, update_view_layer, version
from .registry import Kind, OpError, _is_number, bad_params

GEOMETRY = "geometry"
SHADER = "shader"

SOCKET_REF = Kind(
    "a socket name or a socket index (integer of at least 0)",
    lambda v: (isinstance(v, str) and v != "") or (isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    schema={"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer", "minimum": 0}]},
)

VALUE = Kind(
    "a number, a boolean, a string or an array of 2 to 4 numbers",
    lambda v: isinstance(v, (bool, str))
    or _is_number(v)
    or (isinstance(v, list) and 2 <= len(v) <= 4 and all(_is_number(x) for x in v)),
    schema={
        "anyOf": [
            {"type": "number"},
            {"type": "boolean"},
            {"type": "string"},
            {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 4},
        ]
    },
)

# The output schema of connect_geometry_nodes and connect_shader_nodes.
LINK_OUTPUT = {
    "from_node": {"type": "string"},
    "from_socket": {"type": "string"},
    "to_node": {"type": "string"},
    "to_socket": {"type": "string"},
    "replaced_from": {"type": "array", "items": {"type": "string"}, "description": "Nodes whose link into that input this replaced"},
}


# Socket types whose value names a datablock, and where to find it.
_ID_SOCKETS = {
    "OBJECT": "objects",
    "COLLECTION": "collections",
    "MATERIAL": "materials",
    "IMAGE": "images",
    "TEXTURE": "textures",
}


def find_group(name, op):
    group = bpy.data.node_groups.get(name)
    if group is None or group.bl_idname != "GeometryNodeTree":
        groups = sorted(g.name for g in bpy.data.node_groups if g.bl_idname == "GeometryNodeTree")
        raise OpError("not_found", f"{op}: no geometry node group named '{name}' (groups: {', '.join(groups) or 'none'})")
    return group


def material_tree(name, op, create=False):
    """The material's node tree; `create` switches nodes on for a material without them."""
    material = bpy.data.materials.get(name)
    if material is None:
        raise OpError("not_found", f"{op}: no material named '{name}'")
    if material.node_tree is None or not getattr(material, "use_nodes", True):
        if not create:
            raise bad_params(op, f"material '{name}' does not use nodes")
        material.use_nodes = True
    return material, material.node_tree


def open_tree(tree_kind, name, op, create=False):
    """(the node tree, the name of the datablock holding it): a geometry node group, or a
    material's tree (`create` switches a material's nodes on)."""
    if tree_kind == GEOMETRY:
        group = find_group(name, op)
        return group, group.name
    material, node_tree = material_tree(name, op, create=create)
    return node_tree, material.name


def modifiers_using(group):
    return [
        (obj, mod)
        for obj in bpy.data.objects
        for mod in obj.modifiers
        if mod.type == "NODES" and mod.node_group == group
    ]


def refresh(obj):
    obj.update_tag()
    update_view_layer()


def refresh_users(tree_kind, tree):
    """Re-evaluate every object whose modifier runs this geometry group; their names (none
    for a material's tree)."""
    if tree_kind != GEOMETRY:
        return []
    users = modifiers_using(tree)
    for obj, _mod in users:
        refresh(obj)
    return sorted({obj.name for obj, _mod in users})


def find_node(tree, name, op):
    node = tree.nodes.get(name)
    if node is None:
        names = [n.name for n in tree.nodes]
        close = difflib.get_close_matches(name, names, 3)
        hint = f" (close: {', '.join(close)})" if close else ""
        raise OpError(
            "not_found", f"{op}: no node named '{name}' in '{tree.name}'{hint} (nodes: {', '.join(names) or 'none'})"
        )
    return node


def _socket_names(node, sockets):
    return [f"{i}:{s.name}" for i, s in enumerate(sockets) if s.enabled]


def find_socket(node, ref, side, op):
    """Input or output `side` of `node` by index or by name (enabled sockets first, then
    identifier, then ignoring case). Principled BSDF names follow this Blender's spelling."""
    sockets = node.inputs if side == "input" else node.outputs
    if isinstance(ref, int):
        if ref >= len(sockets):
            raise bad_params(
                op, f"{side} socket index must be between 0 and {len(sockets) - 1} on node '{node.name}', got {ref}"
            )
        return sockets[ref]
    if node.bl_idname == "ShaderNodeBsdfPrincipled":
        ref = nodes_compat.principled_input_name(version(), ref)
    candidates = (
        lambda s: s.enabled and s.name == ref,
        lambda s: s.name == ref,
        lambda s: s.identifier == ref,
        lambda s: s.enabled and s.name.casefold() == ref.casefold(),
    )
    for matches in candidates:
        for socket in sockets:
            if matches(socket):
                return socket
    raise bad_params(
        op, f"node '{node.name}' has no {side} socket '{ref}' ({side}s: {', '.join(_socket_names(node, sockets))})"
    )


def socket_value(socket):
    """The JSON form of a socket's default value (None where it has none: geometry, shader)."""
    if not hasattr(socket, "default_value"):
        return None
    value = socket.default_value
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bpy.types.ID):
        return value.name
    if value is None:
        return None
    try:
        return [float(x) for x in value]
    except TypeError:
        return str(value)


def coerce_value(socket_type, current, value, op, what):
    """`value` in the form a socket (or modifier input) of `socket_type` stores, or bad_params."""
    def refuse(expected):
        return bad_params(op, f"{what} is a {socket_type} socket: value must be {expected}, got {value!r}")

    if socket_type in ("VALUE", "FLOAT"):
        if not _is_number(value):
            raise refuse("a number")
        return float(value)
    if socket_type == "INT":
        if isinstance(value, bool) or not (isinstance(value, int) or (_is_number(value) and float(value).is_integer())):
            raise refuse("an integer")
        return int(value)
    if socket_type == "BOOLEAN":
        if not isinstance(value, bool):
            raise refuse("true or false")
        return value
    if socket_type in ("STRING", "MENU"):
        if not isinstance(value, str):
            raise refuse("a string")
        return value
    if socket_type in ("RGBA", "COLOR"):
        if not (isinstance(value, list) and len(value) in (3, 4) and all(_is_number(x) for x in value)):
            raise refuse("an array of 3 or 4 numbers (r, g, b[, a])")
        return [float(x) for x in value] + ([1.0] if len(value) == 3 else [])
    if socket_type in ("VECTOR", "ROTATION"):
        size = len(current) if current is not None and hasattr(current, "__len__") else 3
        if not (isinstance(value, list) and len(value) == size and all(_is_number(x) for x in value)):
            raise refuse(f"an array of {size} numbers")
        return [float(x) for x in value]
    if socket_type in _ID_SOCKETS:
        if not isinstance(value, str):
            raise refuse(f"the name of a {socket_type.lower()}")
        found = getattr(bpy.data, _ID_SOCKETS[socket_type]).get(value)
        if found is None:
            raise OpError("not_found", f"{op}: no {socket_type.lower()} named '{value}' for {what}")
        return found
    raise bad_params(op, f"{what} is a {socket_type} socket, which has no value to set (link it instead)")


def set_socket_value(socket, value, op):
    what = f"input '{socket.name}' of node '{socket.node.name}'"
    if socket.is_linked:
        source = socket.links[0].from_node.name
        raise bad_params(op, f"{what} is linked from node '{source}'; disconnect it before setting a value")
    if not hasattr(socket, "default_value"):
        raise bad_params(op, f"{what} is a {socket.type} socket, which has no value to set (link it instead)")
    socket.default_value = coerce_value(socket.type, socket.default_value, value, op, what)
    return socket_value(socket)


def node_type_error(tree_kind, type_name, op):
    known = [name for name, _label, _about in node_types(tree_kind)]
    close = difflib.get_close_matches(type_name, known, 5, 0.5)
    hint = f"close matches: {', '.join(close)}" if close else "list_node_types lists them"
    return bad_params(op, f"'{type_name}' is not a node type of {tree_kind} trees ({hint})")


def add_node(tree, tree_kind, type_name, name, location, op):
    try:
        node = tree.nodes.new(type_name)
    except RuntimeError:
        raise node_type_error(tree_kind, type_name, op) from None
    if name:
        node.name = name
        node.label = name if node.name != name else ""
    if location is None:
        location = _free_spot(tree, node)
    node.location = location
    return node


def _free_spot(tree, new):
    """Right of the rightmost node that is not an output; outputs move right to make room."""
    others = [n for n in tree.nodes if n != new]
    outputs = [n for n in others if n.bl_idname in ("NodeGroupOutput", "ShaderNodeOutputMaterial")]
    middle = [n for n in others if n not in outputs]
    if not middle:
        return (0.0, 0.0)
    x = max(n.location.x for n in middle) + 220.0
    y = sum(n.location.y for n in middle) / len(middle)
    for output in outputs:
        if output.location.x < x + 220.0:
            output.location.x = x + 220.0
    return (x, y)


def link(tree, from_node, from_socket, to_node, to_socket, op):
    source = find_socket(find_node(tree, from_node, op), from_socket, "output", op)
    target = find_socket(find_node(tree, to_node, op), to_socket, "input", op)
    earlier = [l.from_socket for l in target.links] if not target.is_multi_input else []
    made = tree.links.new(source, target)
    if not made.is_valid:
        # Blender makes a link it cannot evaluate (red in the editor); refuse it instead and
        # put back the link it replaced.
        tree.links.remove(made)
        for socket in earlier:
            tree.links.new(socket, target)
        raise bad_params(op, f"output '{source.name}' ({source.type}) of node '{source.node.name}' cannot feed "
                             f"input '{target.name}' ({target.type}) of node '{target.node.name}'")
    replaced = [socket.node.name for socket in earlier]
    return {
        "from_node": made.from_node.name,
        "from_socket": made.from_socket.name,
        "to_node": made.to_node.name,
        "to_socket": made.to_socket.name,
        "replaced_from": replaced,
    }


def unlink(tree, to_node, to_socket, from_node, op):
    target = find_socket(find_node(tree, to_node, op), to_socket, "input", op)
    doomed = [l for l in target.links if from_node is None or l.from_node.name == from_node]
    if not doomed:
        source = f" from node '{from_node}'" if from_node else ""
        raise OpError("not_found", f"{op}: input '{target.name}' of node '{to_node}' has no link{source}")
    removed = [f"{l.from_node.name}.{l.from_socket.name}" for l in doomed]
    for doomed_link in doomed:
        tree.links.remove(doomed_link)
    return removed


def remove_node(tree, name, op):
    node = find_node(tree, name, op)
    links = sum(1 for l in tree.links if l.from_node == node or l.to_node == node)
    tree.nodes.remove(node)
    return links


# The op bodies geometry (geonodes.*) and shader (shader.*) trees share; `owner` names the
# group or the material, and the result's `changed` lists it with the objects re-evaluated.

def add_to_tree(tree_kind, owner, type_name, name, location, op):
    """The node added (a material's nodes are switched on) and the result's common part."""
    tree, holder = open_tree(tree_kind, owner, op, create=True)
    node = add_node(tree, tree_kind, type_name, name, location, op)
    return {
        ("group" if tree_kind == GEOMETRY else "material"): holder, "node": node.name, "type": node.bl_idname,
        "inputs": [s.name for s in node.inputs if s.enabled], "outputs": [s.name for s in node.outputs if s.enabled],
        "changed": changed(modified=[holder]),
    }


def connect_in_tree(tree_kind, owner, from_node, from_socket, to_node, to_socket, op):
    tree, holder = open_tree(tree_kind, owner, op)
    made = link(tree, from_node, from_socket, to_node, to_socket, op)
    users = refresh_users(tree_kind, tree)
    return {**made, "changed": changed(modified=[holder, *users])}


def disconnect_in_tree(tree_kind, owner, to_node, to_socket, from_node, op):
    tree, holder = open_tree(tree_kind, owner, op)
    removed = unlink(tree, to_node, to_socket, from_node, op)
    users = refresh_users(tree_kind, tree)
    return {"removed": removed, "changed": changed(modified=[holder, *users])}


def set_input_in_tree(tree_kind, owner, node, socket, value, op):
    tree, holder = open_tree(tree_kind, owner, op)
    target = find_socket(find_node(tree, node, op), socket, "input", op)
    stored = set_socket_value(target, value, op)
    users = refresh_users(tree_kind, tree)
    return {"node": node, "socket": target.name, "value": stored, "changed": changed(modified=[holder, *users])}


def remove_from_tree(tree_kind, owner, node, op):
    tree, holder = open_tree(tree_kind, owner, op)
    links = remove_node(tree, node, op)
    users = refresh_users(tree_kind, tree)
    return {"removed": node, "links_removed": links, "changed": changed(modified=[holder, *users])}


def describe_socket(index, socket):
    facts = {"index": index, "name": socket.name, "identifier": socket.identifier, "type": socket.type}
    if socket.is_output:
        facts["linked"] = socket.is_linked
    else:
        facts["linked_from"] = [f"{l.from_node.name}.{l.from_socket.name}" for l in socket.links]
        if not socket.is_linked and hasattr(socket, "default_value"):
            facts["value"] = socket_value(socket)
    return facts


def describe_tree(tree):
    nodes = [
        {
            "name": node.name,
            "type": node.bl_idname,
            "label": node.label,
            "location": [float(node.location.x), float(node.location.y)],
            "inputs": [describe_socket(i, s) for i, s in enumerate(node.inputs) if s.enabled],
            "outputs": [describe_socket(i, s) for i, s in enumerate(node.outputs) if s.enabled],
        }
        for node in tree.nodes
    ]
    links = [
        {
            "from_node": l.from_node.name,
            "from_socket": l.from_socket.name,
            "to_node": l.to_node.name,
            "to_socket": l.to_socket.name,
            "valid": bool(l.is_valid),
        }
        for l in tree.links
    ]
    return {"nodes": nodes, "links": links}


_TYPE_CACHE = {}
_TREE_IDNAMES = {GEOMETRY: "GeometryNodeTree", SHADER: "ShaderNodeTree"}
_PREFIXES = ("GeometryNode", "FunctionNode", "ShaderNode", "Node")


def node_types(tree_kind):
    """[(idname, UI name, description)] of every node a tree of this kind accepts: each
    candidate class is tried once on a scratch tree (a class's poll() does not say whether
    a shader node such as Math is allowed in geometry nodes)."""
    if tree_kind not in _TYPE_CACHE:
        scratch = bpy.data.node_groups.new(".bmcp node types", _TREE_IDNAMES[tree_kind])
        found = []
        try:
            for idname in dir(bpy.types):
                cls = getattr(bpy.types, idname, None)
                if not idname.startswith(_PREFIXES) or not isinstance(cls, type) or not issubclass(cls, bpy.types.Node):
                    continue
                try:
                    node = scratch.nodes.new(idname)
                except Exception:  # noqa: BLE001  (any refusal means: not in this tree)
                    continue
                found.append((idname, cls.bl_rna.name, cls.bl_rna.description))
                scratch.nodes.remove(node)
        finally:
            bpy.data.node_groups.remove(scratch)
        _TYPE_CACHE[tree_kind] = found
    return _TYPE_CACHE[tree_kind]


def set_property(node, prop, value, op):
    """Set an RNA property of a node (operation, data_type, mode, ...); returns its new value."""
    properties = node.bl_rna.properties
    base = {p.identifier for p in bpy.types.Node.bl_rna.properties} - {"name", "label", "hide", "mute"}
    settable = sorted(p.identifier for p in properties if not p.is_readonly and p.identifier not in base)
    if prop not in properties or prop not in settable:
        raise bad_params(op, f"node '{node.name}' ({node.bl_idname}) has no settable property '{prop}' "
                             f"(properties: {', '.join(settable) or 'none'})")
    rna = properties[prop]
    if rna.type == "ENUM":
        allowed = [item.identifier for item in rna.enum_items]
        if not isinstance(value, str) or value.upper() not in allowed:
            raise bad_params(op, f"property '{prop}' of node '{node.name}' must be one of {', '.join(allowed)}, got {value!r}")
        setattr(node, prop, value.upper())
    elif rna.type == "POINTER":
        kind = rna.fixed_type.identifier.upper()
        if kind not in _ID_SOCKETS:
            raise bad_params(op, f"property '{prop}' of node '{node.name}' holds a {rna.fixed_type.identifier}, which cannot be set here")
        coerced = coerce_value(kind, None, value, op, f"property '{prop}' of node '{node.name}'")
        setattr(node, prop, coerced)
    else:
        expected = {"BOOLEAN": "BOOLEAN", "INT": "INT", "FLOAT": "FLOAT", "STRING": "STRING"}.get(rna.type)
        if expected is None:
            raise bad_params(op, f"property '{prop}' of node '{node.name}' is a {rna.type} property, which cannot be set here")
        if rna.type == "FLOAT" and getattr(rna, "array_length", 0):
            expected = "VECTOR"
        coerced = coerce_value(expected, getattr(node, prop), value, op, f"property '{prop}' of node '{node.name}'")
        try:
            setattr(node, prop, coerced)
        except (TypeError, ValueError) as exc:
            raise bad_params(op, f"property '{prop}' of node '{node.name}': {exc}") from None
    current = getattr(node, prop)
    if isinstance(current, bpy.types.ID):
        return current.name
    if hasattr(current, "__len__") and not isinstance(current, str):
        return [float(x) for x in current]
    return current
