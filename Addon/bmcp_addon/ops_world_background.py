"""The world: a plain background colour, an HDRI environment from a file under the files root,
its strength, and what the world holds now (toolset camera_light)."""

import math
import os

import bpy

from .camera_light_compat import (
    BACKGROUND_NODE, ENVIRONMENT_NODE, MAPPING_NODE, TEXCOORD_NODE, WORLD_OUTPUT_NODE, world_needs_use_nodes,
)
from .file_paths import resolve_under_root
from .ops_common import changed, current_scene, registry, vector, version
from .registry import COLOR_RGBA, NAME, NUMBER, OpError, Param
from .settings import files_root

IMAGE_SUFFIXES = (".hdr", ".exr", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
ENV_NODE_NAME = "bmcp Environment"
MAPPING_NODE_NAME = "bmcp Mapping"
TEXCOORD_NODE_NAME = "bmcp Texture Coordinate"


def world_nodes(op_name):
    """The scene's world (made if missing) and its Background node, linked to the active output."""
    scene = current_scene()
    world = scene.world
    created = []
    if world is None:
        world = bpy.data.worlds.new("World")
        scene.world = world
        created.append(world.name)
    if world_needs_use_nodes(version()) or world.node_tree is None:
        world.use_nodes = True
    tree = world.node_tree
    if tree is None:
        raise OpError("not_supported", f"{op_name}: the world '{world.name}' has no node tree")
    outputs = [node for node in tree.nodes if node.bl_idname == WORLD_OUTPUT_NODE]
    output = next((node for node in outputs if node.is_active_output), outputs[0] if outputs else None)
    if output is None:
        output = tree.nodes.new(WORLD_OUTPUT_NODE)
    surface = output.inputs["Surface"]
    background = None
    for link in surface.links:
        if link.from_node.bl_idname == BACKGROUND_NODE:
            background = link.from_node
    if background is None:
        background = tree.nodes.new(BACKGROUND_NODE)
        background.location = (output.location.x - 250, output.location.y)
        tree.links.new(background.outputs["Background"], surface)
    return world, background, created


def _environment_node(background):
    links = background.inputs["Color"].links
    if links and links[0].from_node.bl_idname == ENVIRONMENT_NODE:
        return links[0].from_node
    return None


def world_facts(world, background):
    env = _environment_node(background)
    image = env.image if env is not None else None
    return {
        "world": world.name,
        "color": vector(background.inputs["Color"].default_value),
        "strength": background.inputs["Strength"].default_value,
        "hdri": None if image is None else {
            "image": image.name, "path": bpy.path.abspath(image.filepath), "size": list(image.size),
        },
    }


WORLD_OUTPUT = {
    "world": {"type": "string"},
    "color": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
    "strength": {"type": "number"},
    "hdri": {"type": ["object", "null"], "description": "The environment image, when the background uses one"},
}


@registry.tool(
    "set_world_color",
    "Make the world background a plain colour with a strength (replacing an HDRI environment if one is used).",
    toolset="camera_light",
    idempotent=True,
    output=WORLD_OUTPUT,
)
@registry.mutating_op(
    "world.color",
    color=Param(COLOR_RGBA, about="Background colour [r, g, b], each 0-1"),
    strength=Param(NUMBER, None, minimum=0.0, maximum=1000.0, about="Light strength of the background (default: unchanged)"),
)
def world_color(ctx, color, strength):
    world, background, created = world_nodes("world.color")
    tree = world.node_tree
    for link in list(background.inputs["Color"].links):
        tree.links.remove(link)
    background.inputs["Color"].default_value = color
    if strength is not None:
        background.inputs["Strength"].default_value = strength
    world.color = color[:3]  # what Workbench and the viewport show
    return {**world_facts(world, background), "changed": changed(created=created, modified=[world.name])}


@registry.tool(
    "set_world_hdri",
    "Light the scene with an HDRI: an environment image (.hdr, .exr, …) from a file under the files root, with a strength and a rotation about Z.",
    toolset="camera_light",
    idempotent=True,
    output=WORLD_OUTPUT,
)
@registry.mutating_op(
    "world.hdri",
    path=Param(NAME, about="Image file under the files root (relative to it or absolute): .hdr, .exr, .png, .jpg, .tif"),
    strength=Param(NUMBER, 1.0, minimum=0.0, maximum=1000.0, about="Light strength of the environment"),
    rotation=Param(NUMBER, 0.0, minimum=-360.0, maximum=360.0, about="Turn of the environment about Z, degrees"),
)
def world_hdri(ctx, path, strength, rotation):
    root = files_root()
    source = resolve_under_root(path, root, "world.hdri")
    if not source.lower().endswith(IMAGE_SUFFIXES):
        raise OpError("bad_params", f"world.hdri: param 'path' must name an image ({', '.join(IMAGE_SUFFIXES)}), got '{path}'")
    if not os.path.isfile(source):
        raise OpError("not_found", f"world.hdri: no file '{path}' under {os.path.realpath(root)}")
    try:
        image = bpy.data.images.load(source, check_existing=True)
    except RuntimeError as exc:
        raise OpError("file_unreadable", f"world.hdri: cannot read '{source}' as an image: {exc}") from None
    if image.size[0] == 0 or image.size[1] == 0:
        bpy.data.images.remove(image)
        raise OpError("file_unreadable", f"world.hdri: '{source}' holds no image Blender can read")
    world, background, created = world_nodes("world.hdri")
    tree = world.node_tree
    env = tree.nodes.get(ENV_NODE_NAME) or tree.nodes.new(ENVIRONMENT_NODE)
    env.name = ENV_NODE_NAME
    env.location = (background.location.x - 300, background.location.y)
    env.image = image
    mapping = tree.nodes.get(MAPPING_NODE_NAME) or tree.nodes.new(MAPPING_NODE)
    mapping.name = MAPPING_NODE_NAME
    mapping.location = (env.location.x - 200, env.location.y)
    coords = tree.nodes.get(TEXCOORD_NODE_NAME) or tree.nodes.new(TEXCOORD_NODE)
    coords.name = TEXCOORD_NODE_NAME
    coords.location = (mapping.location.x - 200, mapping.location.y)
    mapping.inputs["Rotation"].default_value = (0.0, 0.0, math.radians(rotation))
    tree.links.new(coords.outputs["Generated"], mapping.inputs["Vector"])
    tree.links.new(mapping.outputs["Vector"], env.inputs["Vector"])
    tree.links.new(env.outputs["Color"], background.inputs["Color"])
    background.inputs["Strength"].default_value = strength
    return {**world_facts(world, background), "changed": changed(created=created + [image.name], modified=[world.name])}


@registry.tool(
    "set_world_strength",
    "Set how strongly the world background (colour or HDRI) lights the scene.",
    toolset="camera_light",
    idempotent=True,
    output=WORLD_OUTPUT,
)
@registry.mutating_op(
    "world.strength",
    strength=Param(NUMBER, minimum=0.0, maximum=1000.0, about="Light strength of the background (1 = as the image/colour is)"),
)
def world_strength(ctx, strength):
    world, background, created = world_nodes("world.strength")
    background.inputs["Strength"].default_value = strength
    return {**world_facts(world, background), "changed": changed(created=created, modified=[world.name])}


@registry.tool(
    "get_world_settings",
    "Read the world background: its colour, strength and the HDRI image it uses, if any.",
    toolset="camera_light",
    output=WORLD_OUTPUT,
)
@registry.op("world.info")
def world_info(ctx):
    world = current_scene().world
    if world is None or world.node_tree is None:
        return {"world": world.name if world else None, "color": None, "strength": None, "hdri": None}
    background = next((node for node in world.node_tree.nodes if node.bl_idname == BACKGROUND_NODE), None)
    if background is None:
        return {"world": world.name, "color": None, "strength": None, "hdri": None}
    return world_facts(world, background)
