"""The scene a new session starts from: empty but for a camera and a sun (the default),
Blender's startup file as it is, or a .blend the operator names (BMCP_SESSION_TEMPLATE).

Why not the startup file: its Cube, Camera and Light were part of every new session's scene,
so a house's design.md measured the cube too. The camera and sun of the empty start are
marked (`bmcp_template`, with the placement they were made at) so state.json can say they are
still where the template put them, and design.md leaves them out until someone moves them.
"""

import math
import os

import bpy
from mathutils import Euler, Matrix, Vector

TEMPLATE_PROPERTY = "bmcp_template"  # the placement (16 floats) a template object was made at
EMPTY, FACTORY = "empty", "factory"

# Where the factory startup file puts its camera, so renders of an empty start frame as before.
CAMERA_LOCATION = (7.3589, -6.9258, 4.9583)
CAMERA_ROTATION = (math.radians(63.6), 0.0, math.radians(46.7))
SUN_ROTATION = (math.radians(40.0), math.radians(10.0), math.radians(30.0))


def template_setting(environ=None):
    """BMCP_SESSION_TEMPLATE: 'empty' (default), 'factory', or the path of a .blend file."""
    env = os.environ if environ is None else environ
    value = env.get("BMCP_SESSION_TEMPLATE", "").strip() or EMPTY
    if value.lower() in (EMPTY, FACTORY):
        return value.lower()
    path = os.path.realpath(os.path.expanduser(value))
    if not (path.endswith(".blend") and os.path.isfile(path)):
        raise ValueError(f"BMCP_SESSION_TEMPLATE must be 'empty', 'factory' or the path of a .blend file, "
                         f"got '{value}' (no such .blend file)")
    return path


def _flat(matrix):
    return [float(value) for row in matrix for value in row]


def _mark(obj):
    obj.matrix_world = Matrix.Translation(obj.location) @ obj.rotation_euler.to_matrix().to_4x4()
    obj[TEMPLATE_PROPERTY] = _flat(obj.matrix_world)


def empty_the_scene():
    """Remove every object and its unused data, then add the marked Camera and Sun."""
    scene = bpy.context.scene
    for obj in list(scene.objects):
        bpy.data.objects.remove(obj, do_unlink=True)
    for datablocks in (bpy.data.meshes, bpy.data.cameras, bpy.data.lights, bpy.data.materials):
        for block in list(datablocks):
            if block.users == 0:
                datablocks.remove(block)
    target = scene.collection.children[0] if len(scene.collection.children) else scene.collection

    camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    camera.location = Vector(CAMERA_LOCATION)
    camera.rotation_euler = Euler(CAMERA_ROTATION)
    target.objects.link(camera)
    _mark(camera)
    scene.camera = camera

    sun_light = bpy.data.lights.new("Sun", "SUN")
    sun_light.energy = 3.0
    sun = bpy.data.objects.new("Sun", sun_light)
    sun.location = Vector((4.0, -4.0, 8.0))
    sun.rotation_euler = Euler(SUN_ROTATION)
    target.objects.link(sun)
    _mark(sun)


def template_default(obj):
    """True while a template object is where the template put it (so it is no part of the design)."""
    placed = obj.get(TEMPLATE_PROPERTY)
    if placed is None:
        return False
    try:
        made = [float(value) for value in placed]
    except (TypeError, ValueError):
        return False
    now = _flat(obj.matrix_world)
    return len(made) == 16 and all(abs(a - b) < 1e-5 for a, b in zip(made, now))
