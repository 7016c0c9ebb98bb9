"""Geometry-node groups: make one on an object (a Geometry Nodes modifier with Group
Input -> Group Output), add, link, unlink, set and remove its nodes, describe it, and read
the evaluated mesh the modifier makes."""

import bpy

from .ops_common import already_exists, changed, find_object, registry, update_view_layer
from .ops_nodes_common import (
    GEOMETRY, LINK_OUTPUT, SOCKET_REF, VALUE, add_to_tree, connect_in_tree, describe_tree, disconnect_in_tree,
    find_group, modifiers_using, refresh, remove_from_tree, set_input_in_tree,
)
from .ops_nodes_groups import group_inputs, new_group_socket
from .registry import NAME, POINT2, Param, bad_params

@registry.tool(
    "create_geometry_nodes",
    "Add a Geometry Nodes modifier to an object with a node group whose Group Input geometry is linked to its Group Output (a new group, or an existing one by name).",
    toolset="nodes",
    output={
        "object": {"type": "string"},
        "modifier": {"type": "string"},
        "group": {"type": "string"},
        "created_group": {"type": "boolean", "description": "False when an existing group was reused"},
        "nodes": {"type": "array", "items": {"type": "string"}},
    },
)
@registry.mutating_op(
    "geonodes.create",
    object=Param(NAME, about="The object (mesh, curve, point cloud...) to add the modifier to"),
    group=Param(NAME, None, about="Node group name: an existing geometry group is reused, otherwise one is made (default: '<object> Nodes')"),
    modifier=Param(NAME, "GeometryNodes", about="The new modifier's name"),
)
def geonodes_create(ctx, object, group, modifier):
    op = "geonodes.create"
    obj = find_object(object)
    if obj.modifiers.get(modifier) is not None:
        raise already_exists("modifier", modifier)
    existing = bpy.data.node_groups.get(group) if group else None
    if existing is not None and existing.bl_idname != "GeometryNodeTree":
        raise bad_params(op, f"node group '{group}' is a {existing.bl_idname}, not a geometry node group")
    try:
        mod = obj.modifiers.new(modifier, "NODES")
    except (TypeError, RuntimeError):
        mod = None
    if mod is None:
        raise bad_params(op, f"object '{obj.name}' ({obj.type}) cannot have a Geometry Nodes modifier")
    tree = existing or _new_group(group or f"{obj.name} Nodes")
    mod.node_group = tree
    refresh(obj)
    created = [] if existing else [tree.name]
    return {
        "object": obj.name,
        "modifier": mod.name,
        "group": tree.name,
        "created_group": existing is None,
        "nodes": [n.name for n in tree.nodes],
        "changed": changed(created=created, modified=[obj.name]),
    }


def _new_group(name):
    tree = bpy.data.node_groups.new(name, "GeometryNodeTree")
    if hasattr(tree, "is_modifier"):  # 4.0+: offered in the modifier's group list
        tree.is_modifier = True
    new_group_socket(tree, "Geometry", "INPUT", "NodeSocketGeometry")
    new_group_socket(tree, "Geometry", "OUTPUT", "NodeSocketGeometry")
    group_in = tree.nodes.new("NodeGroupInput")
    group_in.location = (-300.0, 0.0)
    group_out = tree.nodes.new("NodeGroupOutput")
    group_out.location = (300.0, 0.0)
    tree.links.new(group_in.outputs[0], group_out.inputs[0])
    return tree


@registry.tool(
    "add_geometry_node",
    "Add a node to a geometry node group by its type idname (GeometryNodeSubdivideMesh, GeometryNodeMeshToPoints, ShaderNodeMath, ...; list_node_types finds them).",
    toolset="nodes",
    output={"group": {"type": "string"}, "node": {"type": "string"}, "type": {"type": "string"},
            "inputs": {"type": "array", "items": {"type": "string"}}, "outputs": {"type": "array", "items": {"type": "string"}}},
)
@registry.mutating_op(
    "geonodes.add_node",
    group=Param(NAME, about="The geometry node group's name"),
    type=Param(NAME, about="Node type idname, e.g. GeometryNodeSubdivideMesh"),
    name=Param(NAME, None, about="Name for the node (default: Blender's)"),
    location=Param(POINT2, None, about="Position in the node editor [x, y] (default: right of the others)"),
)
def geonodes_add_node(ctx, group, type, name, location):
    return add_to_tree(GEOMETRY, group, type, name, location, "geonodes.add_node")


@registry.tool(
    "connect_geometry_nodes",
    "Link an output socket of one node to an input socket of another in a geometry node group (sockets by name or index); an input's earlier link is replaced.",
    toolset="nodes",
    idempotent=True,
    output=LINK_OUTPUT,
)
@registry.mutating_op(
    "geonodes.connect",
    group=Param(NAME, about="The geometry node group's name"),
    from_node=Param(NAME, about="Node the link starts at"),
    from_socket=Param(SOCKET_REF, about="Its output socket, by name or index"),
    to_node=Param(NAME, about="Node the link ends at"),
    to_socket=Param(SOCKET_REF, about="Its input socket, by name or index"),
)
def geonodes_connect(ctx, group, from_node, from_socket, to_node, to_socket):
    return connect_in_tree(GEOMETRY, group, from_node, from_socket, to_node, to_socket, "geonodes.connect")


@registry.tool(
    "disconnect_geometry_nodes",
    "Remove the links into one input socket of a node in a geometry node group (or only the one coming from from_node).",
    toolset="nodes",
    output={"removed": {"type": "array", "items": {"type": "string"}, "description": "node.socket each removed link came from"}},
)
@registry.mutating_op(
    "geonodes.disconnect",
    group=Param(NAME, about="The geometry node group's name"),
    to_node=Param(NAME, about="Node whose input is linked"),
    to_socket=Param(SOCKET_REF, about="That input socket, by name or index"),
    from_node=Param(NAME, None, about="Only remove the link from this node (default: every link into the socket)"),
)
def geonodes_disconnect(ctx, group, to_node, to_socket, from_node):
    return disconnect_in_tree(GEOMETRY, group, to_node, to_socket, from_node, "geonodes.disconnect")


@registry.tool(
    "set_geometry_node_input",
    "Set the default value of an unlinked input socket of a node in a geometry node group (e.g. Subdivide Mesh's Level).",
    toolset="nodes",
    idempotent=True,
    output={"node": {"type": "string"}, "socket": {"type": "string"}, "value": {"description": "The socket's value now"}},
)
@registry.mutating_op(
    "geonodes.set_input",
    group=Param(NAME, about="The geometry node group's name"),
    node=Param(NAME, about="The node's name"),
    socket=Param(SOCKET_REF, about="The input socket, by name or index"),
    value=Param(VALUE, about="Number, boolean, string, [x, y, z], [r, g, b, a] or a datablock name (Object, Material sockets)"),
)
def geonodes_set_input(ctx, group, node, socket, value):
    return set_input_in_tree(GEOMETRY, group, node, socket, value, "geonodes.set_input")


@registry.tool(
    "list_geometry_nodes",
    "Describe a geometry node group: its nodes with their enabled sockets (index, name, type, value or link), its links, its group inputs and the objects using it.",
    toolset="nodes",
    output={
        "group": {"type": "string"},
        "nodes": {"type": "array", "items": {"type": "object"}},
        "links": {"type": "array", "items": {"type": "object"}},
        "group_inputs": {"type": "array", "items": {"type": "object"}},
        "used_by": {"type": "array", "items": {"type": "string"}, "description": "object/modifier pairs"},
    },
)
@registry.op("geonodes.list", group=Param(NAME, about="The geometry node group's name"))
def geonodes_list(ctx, group):
    tree = find_group(group, "geonodes.list")
    inputs = [{"name": n, "identifier": i, "type": t} for n, i, t, _item in group_inputs(tree)]
    users = [f"{obj.name}/{mod.name}" for obj, mod in modifiers_using(tree)]
    return {"group": tree.name, **describe_tree(tree), "group_inputs": inputs, "used_by": users}


@registry.tool(
    "remove_geometry_node",
    "Delete a node (and its links) from a geometry node group.",
    toolset="nodes",
    destructive=True,
    output={"removed": {"type": "string"}, "links_removed": {"type": "integer"}},
)
@registry.mutating_op(
    "geonodes.remove_node",
    group=Param(NAME, about="The geometry node group's name"),
    node=Param(NAME, about="The node to delete"),
)
def geonodes_remove_node(ctx, group, node):
    return remove_from_tree(GEOMETRY, group, node, "geonodes.remove_node")


@registry.tool(
    "get_evaluated_geometry",
    "Count what an object's modifiers (Geometry Nodes among them) make: the evaluated mesh's vertices, edges and faces, the points of point clouds it makes, beside the original mesh's counts.",
    toolset="nodes",
    output={
        "object": {"type": "string"},
        "vertices": {"type": "integer"}, "edges": {"type": "integer"}, "faces": {"type": "integer"},
        "points": {"type": "integer", "description": "Points in the point clouds the object's modifiers make"},
        "instances": {"type": "integer", "description": "Instances the object's modifiers make"},
        "original": {"type": "object", "description": "The un-modified mesh's vertices, edges, faces"},
    },
)
@registry.op("geonodes.evaluated", object=Param(NAME, about="The object to evaluate"))
def geonodes_evaluated(ctx, object):
    obj = find_object(object)
    if obj.type not in ("MESH", "CURVE", "FONT", "SURFACE", "POINTCLOUD", "CURVES", "VOLUME"):
        raise bad_params("geonodes.evaluated", f"object '{obj.name}' ({obj.type}) has no geometry to evaluate")
    update_view_layer()
    depsgraph = bpy.context.evaluated_depsgraph_get()
    evaluated = obj.evaluated_get(depsgraph)
    counts = {"vertices": 0, "edges": 0, "faces": 0}
    mesh = evaluated.to_mesh() if evaluated.type in ("MESH", "CURVE", "FONT", "SURFACE") else None
    if mesh is not None:
        counts = {"vertices": len(mesh.vertices), "edges": len(mesh.edges), "faces": len(mesh.polygons)}
        evaluated.to_mesh_clear()
    points = instances = 0
    for instance in depsgraph.object_instances:
        if not instance.is_instance or instance.parent is None or instance.parent.original != obj:
            continue
        if instance.object.type == "POINTCLOUD":
            points += len(instance.object.data.points)
        else:
            instances += 1
    original = None
    if obj.type == "MESH":
        original = {"vertices": len(obj.data.vertices), "edges": len(obj.data.edges), "faces": len(obj.data.polygons)}
    return {"object": obj.name, **counts, "points": points, "instances": instances, "original": original}
