"""Texture nodes linked in as one step: an Image Texture from an image file under the files
root (file_paths), and procedural textures (noise, voronoi, wave, checker, ...)."""

import os

import bpy

from . import nodes_compat
from .file_paths import resolve_under_root
from .ops_common import changed, registry
from .ops_nodes_common import SOCKET_REF, find_node, find_socket, material_tree, version
from .registry import BOOLEAN, NAME, NUMBER, POINT2, OpError, Param, bad_params, one_of
from .settings import files_root

_TEXTURE_OUTPUT = {
    "material": {"type": "string"},
    "node": {"type": "string", "description": "The new texture node's name"},
    "type": {"type": "string"},
    "linked": {"type": "string", "description": "texture output -> node.input"},
}


def _target(tree, to_node, to_socket, op):
    """The input the texture feeds: to_node's, else the tree's Principled BSDF's."""
    if to_node is None:
        node = next((n for n in tree.nodes if n.bl_idname == "ShaderNodeBsdfPrincipled"), None)
        if node is None:
            raise bad_params(op, f"'{tree.name}' has no Principled BSDF node; name the node to link to with to_node")
    else:
        node = find_node(tree, to_node, op)
    return find_socket(node, to_socket, "input", op)


def _place(node, target, name, location):
    if name:
        node.name = name
    node.location = location if location is not None else (target.node.location.x - 320.0, target.node.location.y)


@registry.tool(
    "add_image_texture",
    "Add an Image Texture node that loads an image file (under the allowed files folder) into a material and link its Color (or Alpha) to an input, by default the Principled BSDF's Base Color.",
    toolset="nodes",
    output={**_TEXTURE_OUTPUT, "image": {"type": "string"}, "size": {"type": "array", "items": {"type": "integer"}},
            "colorspace": {"type": "string"}},
)
@registry.mutating_op(
    "shader.image_texture",
    material=Param(NAME, about="The material's name (its nodes are switched on if off)"),
    path=Param(NAME, about="Image file (PNG, JPEG, EXR, ...) relative to the files folder, or absolute inside it"),
    to_node=Param(NAME, None, about="Node to link into (default: the Principled BSDF)"),
    to_socket=Param(SOCKET_REF, "Base Color", about="Its input socket, by name or index"),
    output=Param(one_of("Color", "Alpha"), "Color", about="Which output of the texture to link"),
    non_color=Param(BOOLEAN, False, about="Read the image as data (roughness, normal, height maps), not colour"),
    name=Param(NAME, None, about="Name for the node (default: Blender's)"),
    location=Param(POINT2, None, about="Position in the node editor [x, y] (default: left of the node it feeds)"),
)
def shader_image_texture(ctx, material, path, to_node, to_socket, output, non_color, name, location):
    op = "shader.image_texture"
    mat, tree = material_tree(material, op, create=True)
    target = _target(tree, to_node, to_socket, op)
    root = files_root()
    resolved = resolve_under_root(path, root, op)
    if not os.path.isfile(resolved):
        raise OpError("not_found", f"{op}: no file '{path}' under {os.path.realpath(root)}")
    known = {img.name for img in bpy.data.images}
    try:
        image = bpy.data.images.load(resolved, check_existing=True)
    except RuntimeError as exc:
        raise OpError("file_unreadable", f"{op}: cannot read '{resolved}' as an image: {exc}") from None
    # load() reads lazily: a file that is no image shows as a 0 x 0 image once asked its size.
    if tuple(image.size) == (0, 0):
        if image.name not in known:
            bpy.data.images.remove(image)
        raise OpError("file_unreadable", f"{op}: cannot read '{resolved}' as an image")
    if non_color:
        spaces = [item.identifier for item in image.colorspace_settings.bl_rna.properties["name"].enum_items]
        space = nodes_compat.non_color_space(spaces)
        if space is not None:
            image.colorspace_settings.name = space
    node = tree.nodes.new("ShaderNodeTexImage")
    node.image = image
    _place(node, target, name, location)
    tree.links.new(node.outputs[output], target)
    created = [image.name] if image.name not in known else []
    return {
        "material": mat.name,
        "node": node.name,
        "type": node.bl_idname,
        "image": image.name,
        "size": [int(image.size[0]), int(image.size[1])],
        "colorspace": image.colorspace_settings.name,
        "linked": f"{output} -> {target.node.name}.{target.name}",
        "changed": changed(created=created, modified=[mat.name]),
    }


@registry.tool(
    "add_procedural_texture",
    "Add a procedural texture node (noise, voronoi, wave, checker, magic, brick, gradient, musgrave) to a material and link its Color or Fac to an input, by default the Principled BSDF's Base Color.",
    toolset="nodes",
    output={**_TEXTURE_OUTPUT, "scale": {"type": ["number", "null"]}},
)
@registry.mutating_op(
    "shader.procedural_texture",
    material=Param(NAME, about="The material's name (its nodes are switched on if off)"),
    kind=Param(one_of(*nodes_compat.PROCEDURAL_TEXTURES), about="Which texture (musgrave is a Noise Texture from Blender 4.1)"),
    to_node=Param(NAME, None, about="Node to link into (default: the Principled BSDF)"),
    to_socket=Param(SOCKET_REF, "Base Color", about="Its input socket, by name or index"),
    output=Param(one_of("Color", "Fac"), "Color", about="Which output to link: Color, or the scalar Fac (Distance for voronoi)"),
    scale=Param(NUMBER, 5.0, minimum=0.0, maximum=1000.0, about="The texture's Scale input (gradient has none)"),
    name=Param(NAME, None, about="Name for the node (default: Blender's)"),
    location=Param(POINT2, None, about="Position in the node editor [x, y] (default: left of the node it feeds)"),
)
def shader_procedural_texture(ctx, material, kind, to_node, to_socket, output, scale, name, location):
    op = "shader.procedural_texture"
    mat, tree = material_tree(material, op, create=True)
    target = _target(tree, to_node, to_socket, op)
    node = tree.nodes.new(nodes_compat.procedural_texture_node(version(), kind))
    _place(node, target, name, location)
    applied = None
    if "Scale" in node.inputs:
        node.inputs["Scale"].default_value = scale
        applied = float(scale)
    socket_name = nodes_compat.texture_output_socket(version(), kind, output)
    # find_socket also matches the identifier: 5.0 shows 'Fac' as 'Factor', its identifier stays.
    source = find_socket(node, socket_name, "output", op)
    tree.links.new(source, target)
    return {
        "material": mat.name,
        "node": node.name,
        "type": node.bl_idname,
        "scale": applied,
        "linked": f"{source.name} -> {target.node.name}.{target.name}",
        "changed": changed(modified=[mat.name]),
    }
