"""Node ops for either tree kind: set_node_property (a node's own settings such as a Math
node's operation or a Capture Attribute's data_type) and list_node_types."""

from .ops_common import changed, registry
from .ops_nodes_common import GEOMETRY, SHADER, VALUE, find_node, node_types, open_tree, refresh_users, set_property
from .registry import INTEGER, NAME, STRING, Param, one_of

TREE_KINDS = (GEOMETRY, SHADER)


@registry.tool(
    "set_node_property",
    "Set a node's own setting (not a socket): e.g. a Math node's operation, a Capture Attribute's data_type or domain, a Noise Texture's noise_dimensions; in a geometry node group or a material.",
    toolset="nodes",
    idempotent=True,
    output={"node": {"type": "string"}, "property": {"type": "string"}, "value": {"description": "The property's value now"}},
)
@registry.mutating_op(
    "nodes.set_property",
    tree_type=Param(one_of(*TREE_KINDS), about="geometry (tree names a node group) or shader (tree names a material)"),
    tree=Param(NAME, about="The geometry node group's or the material's name"),
    node=Param(NAME, about="The node's name"),
    property=Param(NAME, about="The node property's identifier, e.g. operation, data_type, mode, domain"),
    value=Param(VALUE, about="The value: an enum identifier (e.g. MULTIPLY), a number, a boolean, a string or an array"),
)
def nodes_set_property(ctx, tree_type, tree, node, property, value):
    op = "nodes.set_property"
    node_tree, owner = open_tree(tree_type, tree, op)
    target = find_node(node_tree, node, op)
    stored = set_property(target, property, value, op)
    touched = refresh_users(tree_type, node_tree)
    return {"node": target.name, "property": property, "value": stored, "changed": changed(modified=[owner, *touched])}


@registry.tool(
    "list_node_types",
    "Search the node type idnames a geometry node group or a material's node tree accepts (by idname, UI name or description), for add_geometry_node and add_shader_node.",
    toolset="nodes",
    output={
        "tree_type": {"type": "string"},
        "types": {"type": "array", "items": {"type": "object"}, "description": "type (idname), name, description"},
        "total": {"type": "integer", "description": "How many matched (types holds at most limit)"},
    },
)
@registry.op(
    "nodes.types",
    tree_type=Param(one_of(*TREE_KINDS), about="Which kind of node tree"),
    search=Param(STRING, "", about="Words every match contains (case-insensitive), e.g. 'subdivide' or 'texture'"),
    limit=Param(INTEGER, 50, minimum=1, maximum=500, about="Most types to return"),
)
def nodes_types(ctx, tree_type, search, limit):
    words = search.casefold().split()
    matches = [
        {"type": idname, "name": label, "description": about}
        for idname, label, about in node_types(tree_type)
        if all(word in f"{idname} {label} {about}".casefold() for word in words)
    ]
    return {"tree_type": tree_type, "types": matches[:limit], "total": len(matches)}
