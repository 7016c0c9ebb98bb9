"""Geometry-node group sockets and the modifier inputs they make: add_geometry_group_input,
set_modifier_group_input, and the 3.x / 4.0+ socket API behind them (nodes_compat)."""

import bpy

from . import nodes_compat
from .ops_common import changed, find_object, registry
from .ops_nodes_common import (
    SOCKET_REF, VALUE, coerce_value, find_group, find_node, find_socket, modifiers_using, refresh, version,
)
from .registry import NAME, NUMBER, OpError, Param, bad_params, one_of


def new_group_socket(group, name, in_out, socket_idname):
    """A new input or output of the group's interface: group.inputs/outputs.new before 4.0,
    group.interface.new_socket from 4.0."""
    if nodes_compat.uses_interface_api(version()):
        return group.interface.new_socket(name, in_out=in_out, socket_type=socket_idname)
    sockets = group.inputs if in_out == "INPUT" else group.outputs
    return sockets.new(socket_idname, name)


def group_inputs(group):
    """[(name, identifier, type, interface item)] of the group's inputs."""
    if nodes_compat.uses_interface_api(version()):
        items = [
            item for item in group.interface.items_tree
            if item.item_type == "SOCKET" and item.in_out == "INPUT"
        ]
        # 4.x interface sockets name their type by idname (NodeSocketFloat); keep the short one.
        return [(item.name, item.identifier, _short_type(item.socket_type), item) for item in items]
    return [(item.name, item.identifier, _short_type(item.bl_socket_idname), item) for item in group.inputs]


def _short_type(idname):
    for short, full in nodes_compat.SOCKET_TYPES.items():
        if idname.startswith(full):
            return short
    return idname.replace("NodeSocket", "").upper()


@registry.tool(
    "add_geometry_group_input",
    "Expose a new input on a geometry-node group (it appears on every Geometry Nodes modifier using the group), optionally linked from the Group Input node to a node's input socket.",
    toolset="nodes",
    output={
        "group": {"type": "string"},
        "name": {"type": "string"},
        "identifier": {"type": "string", "description": "The modifier's key for this input (Input_2, Socket_1, ...)"},
        "type": {"type": "string"},
        "linked_to": {"type": ["string", "null"], "description": "node.socket it feeds, if linked"},
    },
)
@registry.mutating_op(
    "geonodes.add_group_input",
    group=Param(NAME, about="The geometry node group's name"),
    name=Param(NAME, about="The new input's name"),
    socket_type=Param(one_of(*[t for t in nodes_compat.SOCKET_TYPES if t != "GEOMETRY"]), about="The input's value type"),
    default=Param(VALUE, None, about="Default value (number, boolean, string, [x, y, z] or [r, g, b, a], or a datablock name)"),
    min_value=Param(NUMBER, None, about="Smallest value allowed (FLOAT and INT inputs)"),
    max_value=Param(NUMBER, None, about="Largest value allowed (FLOAT and INT inputs)"),
    to_node=Param(NAME, None, about="Node whose input the new group input feeds (default: not linked)"),
    to_socket=Param(SOCKET_REF, None, about="That node's input socket, by name or index (needed with to_node)"),
)
def add_group_input(ctx, group, name, socket_type, default, min_value, max_value, to_node, to_socket):
    op = "geonodes.add_group_input"
    tree = find_group(group, op)
    if (to_node is None) != (to_socket is None):
        raise bad_params(op, "give both to_node and to_socket, or neither")
    if (min_value is not None or max_value is not None) and socket_type not in ("FLOAT", "INT"):
        raise bad_params(op, f"min_value/max_value apply to FLOAT and INT inputs, not {socket_type}")
    if min_value is not None and max_value is not None and min_value > max_value:
        raise bad_params(op, f"min_value ({min_value}) must not exceed max_value ({max_value})")
    # Check the link target and the default before anything is added, so a refusal changes nothing.
    target = find_socket(find_node(tree, to_node, op), to_socket, "input", op) if to_node else None
    value = coerce_value(socket_type, None, default, op, f"input '{name}'") if default is not None else None
    socket = new_group_socket(tree, name, "INPUT", nodes_compat.socket_idname(socket_type))
    if min_value is not None:
        socket.min_value = min_value
    if max_value is not None:
        socket.max_value = max_value
    if value is not None:
        socket.default_value = value
    linked = None
    if target is not None:
        group_input = next((n for n in tree.nodes if n.bl_idname == "NodeGroupInput"), None)
        if group_input is None:
            group_input = tree.nodes.new("NodeGroupInput")
        source = next(s for s in group_input.outputs if s.identifier == socket.identifier)
        tree.links.new(source, target)
        linked = f"{target.node.name}.{target.name}"
    touched = []
    for obj, mod in modifiers_using(tree):
        # The modifier's copy of the input was made with the type's zero; give it the default.
        if value is not None and socket.identifier in mod.keys():
            mod[socket.identifier] = value
        refresh(obj)
        touched.append(obj.name)
    return {
        "group": tree.name,
        "name": socket.name,
        "identifier": socket.identifier,
        "type": socket_type,
        "linked_to": linked,
        "changed": changed(modified=[tree.name, *touched]),
    }


@registry.tool(
    "set_modifier_group_input",
    "Set the value a Geometry Nodes modifier gives one of its node group's inputs (by input name or identifier), then re-evaluate the object.",
    toolset="nodes",
    idempotent=True,
    output={
        "object": {"type": "string"},
        "modifier": {"type": "string"},
        "input": {"type": "string"},
        "identifier": {"type": "string"},
        "value": {"description": "The value the modifier now holds"},
    },
)
@registry.mutating_op(
    "geonodes.set_modifier_input",
    object=Param(NAME, about="The object with the Geometry Nodes modifier"),
    input=Param(NAME, about="The group input's name (or identifier, e.g. Input_2)"),
    value=Param(VALUE, about="The value: number, boolean, string, [x, y, z], [r, g, b, a] or a datablock name"),
    modifier=Param(NAME, None, about="The modifier's name (default: the object's first Geometry Nodes modifier)"),
)
def set_modifier_input(ctx, object, input, value, modifier):
    op = "geonodes.set_modifier_input"
    obj = find_object(object)
    mod = _nodes_modifier(obj, modifier, op)
    inputs = group_inputs(mod.node_group)
    match = next((i for i in inputs if i[0] == input), None) or next((i for i in inputs if i[1] == input), None)
    settable = [i for i in inputs if i[2] != "GEOMETRY"]
    if match is None or match[2] == "GEOMETRY":
        names = ", ".join(f"{i[0]} ({i[1]}, {i[2]})" for i in settable) or "none"
        raise bad_params(op, f"group '{mod.node_group.name}' of modifier '{mod.name}' has no settable input '{input}' (inputs: {names})")
    name, identifier, socket_type, _item = match
    current = mod[identifier] if identifier in mod.keys() else None
    coerced = coerce_value(socket_type, current, value, op, f"input '{name}'")
    mod[identifier] = coerced
    refresh(obj)
    stored = mod[identifier]
    if isinstance(stored, bpy.types.ID):
        stored = stored.name
    elif hasattr(stored, "to_list"):
        stored = stored.to_list()
    return {
        "object": obj.name,
        "modifier": mod.name,
        "input": name,
        "identifier": identifier,
        "value": stored,
        "changed": changed(modified=[obj.name]),
    }


def _nodes_modifier(obj, name, op):
    mods = [m for m in obj.modifiers if m.type == "NODES"]
    if name is not None:
        mod = obj.modifiers.get(name)
        if mod is None or mod.type != "NODES":
            names = ", ".join(m.name for m in mods) or "none"
            raise OpError("not_found", f"{op}: object '{obj.name}' has no Geometry Nodes modifier '{name}' (its Geometry Nodes modifiers: {names})")
    elif not mods:
        raise OpError("not_found", f"{op}: object '{obj.name}' has no Geometry Nodes modifier")
    else:
        mod = mods[0]
    if mod.node_group is None:
        raise bad_params(op, f"modifier '{mod.name}' of '{obj.name}' has no node group")
    return mod
