"""Primitive meshes built with bmesh into bpy.data, without bpy.ops.

bpy.ops.mesh.primitive_*_add needs a window/view-layer context and leaves
edit-mode and selection side effects; bmesh works the same headless and in
the GUI. Sizes follow Blender's own Add menu defaults.
"""

import math

import bmesh
import bpy
from mathutils import Matrix

SEGMENTS = 32
RINGS = 16
ICO_SUBDIVISIONS = 2
TORUS_MAJOR_SEGMENTS = 48
TORUS_MINOR_SEGMENTS = 12


def new_mesh(name, fill):
    """A new mesh datablock `name` holding what `fill(bm)` builds in a fresh bmesh."""
    bm = bmesh.new()
    try:
        fill(bm)
        mesh = bpy.data.meshes.new(name)
        bm.to_mesh(mesh)
    finally:
        bm.free()
    mesh.update()
    return mesh


def build_mesh(name, kind, size=2.0, radius=1.0, depth=2.0, minor_radius=0.25):
    """A new mesh datablock of primitive `kind` (cube, uv_sphere, ...)."""
    return new_mesh(name, lambda bm: _BUILDERS[kind](bm, size=size, radius=radius, depth=depth, minor_radius=minor_radius))


def _uv(bm):
    # calc_uvs needs a UV layer to write into.
    bm.loops.layers.uv.new("UVMap")
    return True


def _cube(bm, size, **_):
    bmesh.ops.create_cube(bm, size=size, calc_uvs=_uv(bm))


def _plane(bm, size, **_):
    # create_grid's size is half the edge length, like a radius.
    bmesh.ops.create_grid(bm, x_segments=1, y_segments=1, size=size / 2.0, calc_uvs=_uv(bm))


def _uv_sphere(bm, radius, **_):
    bmesh.ops.create_uvsphere(bm, u_segments=SEGMENTS, v_segments=RINGS, radius=radius, calc_uvs=_uv(bm))


def _ico_sphere(bm, radius, **_):
    bmesh.ops.create_icosphere(bm, subdivisions=ICO_SUBDIVISIONS, radius=radius, calc_uvs=_uv(bm))


def _cylinder(bm, radius, depth, **_):
    bmesh.ops.create_cone(
        bm, cap_ends=True, cap_tris=False, segments=SEGMENTS, radius1=radius, radius2=radius,
        depth=depth, calc_uvs=_uv(bm),
    )


def _cone(bm, radius, depth, **_):
    bmesh.ops.create_cone(
        bm, cap_ends=True, cap_tris=False, segments=SEGMENTS, radius1=radius, radius2=0.0,
        depth=depth, calc_uvs=_uv(bm),
    )


def _circle(bm, radius, **_):
    bmesh.ops.create_circle(bm, cap_ends=False, segments=SEGMENTS, radius=radius)


def _monkey(bm, size, **_):
    # create_monkey makes Suzanne about 2.7 units wide at size 1; the Add
    # menu's "size 2" monkey is the unscaled one, so scale by size / 2.
    bmesh.ops.create_monkey(bm, matrix=Matrix.Scale(size / 2.0, 4))


def _torus(bm, radius, minor_radius, **_):
    """No bmesh op makes a torus: rings of vertices around the major circle."""
    rings = []
    for i in range(TORUS_MAJOR_SEGMENTS):
        major = 2.0 * math.pi * i / TORUS_MAJOR_SEGMENTS
        ring = []
        for j in range(TORUS_MINOR_SEGMENTS):
            minor = 2.0 * math.pi * j / TORUS_MINOR_SEGMENTS
            distance = radius + minor_radius * math.cos(minor)
            ring.append(bm.verts.new((distance * math.cos(major), distance * math.sin(major), minor_radius * math.sin(minor))))
        rings.append(ring)
    for i, ring in enumerate(rings):
        following = rings[(i + 1) % TORUS_MAJOR_SEGMENTS]
        for j in range(TORUS_MINOR_SEGMENTS):
            k = (j + 1) % TORUS_MINOR_SEGMENTS
            bm.faces.new((ring[j], following[j], following[k], ring[k]))
    bm.normal_update()


_BUILDERS = {
    "cube": _cube,
    "plane": _plane,
    "uv_sphere": _uv_sphere,
    "ico_sphere": _ico_sphere,
    "cylinder": _cylinder,
    "cone": _cone,
    "circle": _circle,
    "monkey": _monkey,
    "torus": _torus,
}
MESH_KINDS = tuple(_BUILDERS)
