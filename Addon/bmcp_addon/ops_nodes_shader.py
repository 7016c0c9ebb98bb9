"""Material node trees: add, link, unlink, set and remove shader nodes and describe a
material's tree. Principled BSDF input names are taken in either the 3.x or the 4.0+
spelling (nodes_compat.principled_input_name)."""

from .ops_common import registry
from .ops_nodes_common import (
    LINK_OUTPUT, SHADER, SOCKET_REF, VALUE, add_to_tree, connect_in_tree, describe_tree, disconnect_in_tree,
    material_tree, remove_from_tree, set_input_in_tree,
)
from .registry import NAME, POINT2, Param

@registry.tool(
    "add_shader_node",
    "Add a node to a material's node tree by its type idname (ShaderNodeTexNoise, ShaderNodeMixRGB, ShaderNodeBump, ...; list_node_types finds them).",
    toolset="nodes",
    output={"material": {"type": "string"}, "node": {"type": "string"}, "type": {"type": "string"},
            "inputs": {"type": "array", "items": {"type": "string"}}, "outputs": {"type": "array", "items": {"type": "string"}}},
)
@registry.mutating_op(
    "shader.add_node",
    material=Param(NAME, about="The material's name (its nodes are switched on if off)"),
    type=Param(NAME, about="Node type idname, e.g. ShaderNodeTexNoise"),
    name=Param(NAME, None, about="Name for the node (default: Blender's)"),
    location=Param(POINT2, None, about="Position in the node editor [x, y] (default: right of the others)"),
)
def shader_add_node(ctx, material, type, name, location):
    return add_to_tree(SHADER, material, type, name, location, "shader.add_node")


@registry.tool(
    "connect_shader_nodes",
    "Link an output socket of one node to an input socket of another in a material's node tree (sockets by name or index); an input's earlier link is replaced.",
    toolset="nodes",
    idempotent=True,
    output=LINK_OUTPUT,
)
@registry.mutating_op(
    "shader.connect",
    material=Param(NAME, about="The material's name"),
    from_node=Param(NAME, about="Node the link starts at"),
    from_socket=Param(SOCKET_REF, about="Its output socket, by name or index"),
    to_node=Param(NAME, about="Node the link ends at"),
    to_socket=Param(SOCKET_REF, about="Its input socket, by name or index"),
)
def shader_connect(ctx, material, from_node, from_socket, to_node, to_socket):
    return connect_in_tree(SHADER, material, from_node, from_socket, to_node, to_socket, "shader.connect")


@registry.tool(
    "disconnect_shader_nodes",
    "Remove the links into one input socket of a node in a material's node tree (or only the one coming from from_node).",
    toolset="nodes",
    output={"removed": {"type": "array", "items": {"type": "string"}, "description": "node.socket each removed link came from"}},
)
@registry.mutating_op(
    "shader.disconnect",
    material=Param(NAME, about="The material's name"),
    to_node=Param(NAME, about="Node whose input is linked"),
    to_socket=Param(SOCKET_REF, about="That input socket, by name or index"),
    from_node=Param(NAME, None, about="Only remove the link from this node (default: every link into the socket)"),
)
def shader_disconnect(ctx, material, to_node, to_socket, from_node):
    return disconnect_in_tree(SHADER, material, to_node, to_socket, from_node, "shader.disconnect")


@registry.tool(
    "set_shader_node_input",
    "Set the default value of an unlinked input socket of a shader node (Principled BSDF inputs in either the 3.x or the 4.x name: Emission or Emission Color, Specular or Specular IOR Level, ...).",
    toolset="nodes",
    idempotent=True,
    output={"node": {"type": "string"}, "socket": {"type": "string", "description": "The socket's name in this Blender"},
            "value": {"description": "The socket's value now"}},
)
@registry.mutating_op(
    "shader.set_input",
    material=Param(NAME, about="The material's name"),
    node=Param(NAME, about="The node's name, e.g. Principled BSDF"),
    socket=Param(SOCKET_REF, about="The input socket, by name or index"),
    value=Param(VALUE, about="Number, boolean, string, [x, y, z] or [r, g, b, a]"),
)
def shader_set_input(ctx, material, node, socket, value):
    return set_input_in_tree(SHADER, material, node, socket, value, "shader.set_input")


@registry.tool(
    "list_shader_nodes",
    "Describe a material's node tree: its nodes with their enabled sockets (index, name, type, value or link) and its links.",
    toolset="nodes",
    output={
        "material": {"type": "string"},
        "nodes": {"type": "array", "items": {"type": "object"}},
        "links": {"type": "array", "items": {"type": "object"}},
    },
)
@registry.op("shader.list", material=Param(NAME, about="The material's name"))
def shader_list(ctx, material):
    mat, tree = material_tree(material, "shader.list")
    return {"material": mat.name, **describe_tree(tree)}


@registry.tool(
    "remove_shader_node",
    "Delete a node (and its links) from a material's node tree.",
    toolset="nodes",
    destructive=True,
    output={"removed": {"type": "string"}, "links_removed": {"type": "integer"}},
)
@registry.mutating_op(
    "shader.remove_node",
    material=Param(NAME, about="The material's name"),
    node=Param(NAME, about="The node to delete"),
)
def shader_remove_node(ctx, material, node):
    return remove_from_tree(SHADER, material, node, "shader.remove_node")
