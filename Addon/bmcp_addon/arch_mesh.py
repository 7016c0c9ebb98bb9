"""Blender side of the architecture ops: solids -> mesh objects, collections, boolean cuts.

Uses bmesh and bpy.data only (never bpy.ops), so everything works in
`blender -b` with no window, area or selection state to set up.
"""

import json
import math

import bmesh
import bpy
from mathutils import Matrix, Vector

from . import arch_geometry
from .arch_tags import OPENINGS_PROPERTY
from .primitives import new_mesh



def collection_named(name):
    """The collection `name`, created and linked under the current scene when missing."""
    scene = bpy.context.scene
    collection = bpy.data.collections.get(name)
    if collection is None:
        collection = bpy.data.collections.new(name)
    if collection not in set(scene.collection.children_recursive):
        scene.collection.children.link(collection)
    return collection


def mesh_from_solid(name, solid):
    def fill(bm):
        verts = [bm.verts.new(point) for point in solid.vertices]
        for face in solid.faces:
            bm.faces.new([verts[index] for index in face])
        # Builders only promise closed shells; this makes every normal point outwards,
        # which the EXACT boolean solver and shading both rely on.
        bmesh.ops.recalc_face_normals(bm, faces=bm.faces[:])

    return new_mesh(name, fill)


def add_object(name, solid, collection_name, location=(0.0, 0.0, 0.0), rotation_z_deg=0.0):
    """A new mesh object from `solid` (in its local space), placed and linked; returns it."""
    obj = bpy.data.objects.new(name, mesh_from_solid(name, solid))
    obj.location = Vector(location)
    obj.rotation_euler = (0.0, 0.0, math.radians(rotation_z_deg))
    collection_named(collection_name).objects.link(obj)
    # Placement matters to the next command in the same batch (booleans, bounds).
    obj.matrix_world = Matrix.Translation(obj.location) @ obj.rotation_euler.to_matrix().to_4x4()
    return obj


def local_extent(obj):
    """(min corner, max corner) of the object's mesh in its own space."""
    coords = [vertex.co for vertex in obj.data.vertices]
    if not coords:
        return None
    low = Vector((min(c.x for c in coords), min(c.y for c in coords), min(c.z for c in coords)))
    high = Vector((max(c.x for c in coords), max(c.y for c in coords), max(c.z for c in coords)))
    return low, high


def recorded_openings(wall):
    try:
        return json.loads(wall.get(OPENINGS_PROPERTY, "[]"))
    except (TypeError, ValueError):
        return []


def cut_box(wall, x0, x1, y0, y1, z0, z1, record):
    """Subtract a box given in the wall's local space, applying the result to the wall's mesh.

    A temporary cutter object drives a DIFFERENCE boolean; the evaluated mesh
    becomes the wall's new data and the cutter is deleted, so nothing extra
    is left in the scene or the file.
    """
    cutter_mesh = mesh_from_solid("bmcp-cutter", arch_geometry.box(x0, x1, y0, y1, z0, z1))
    cutter = bpy.data.objects.new("bmcp-cutter", cutter_mesh)
    scene = bpy.context.scene
    scene.collection.objects.link(cutter)
    cutter.matrix_world = wall.matrix_world.copy()
    cutter.hide_render = True
    modifier = wall.modifiers.new("bmcp-opening", "BOOLEAN")
    modifier.operation = "DIFFERENCE"
    modifier.solver = "EXACT"
    modifier.object = cutter
    try:
        depsgraph = bpy.context.evaluated_depsgraph_get()
        depsgraph.update()
        cut_mesh = bpy.data.meshes.new_from_object(wall.evaluated_get(depsgraph))
    finally:
        wall.modifiers.remove(modifier)
        bpy.data.objects.remove(cutter, do_unlink=True)
        bpy.data.meshes.remove(cutter_mesh)
    old_mesh = wall.data
    wall.data = cut_mesh
    if old_mesh.users == 0:
        mesh_name = old_mesh.name
        bpy.data.meshes.remove(old_mesh)
        cut_mesh.name = mesh_name
    wall[OPENINGS_PROPERTY] = json.dumps(recorded_openings(wall) + [record])
