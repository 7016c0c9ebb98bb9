"""Mesh measurements and quality checks on an object's evaluated mesh, in world space.

Each check_* function takes a world-space bmesh and returns a JSON-ready dict with a
"count"; ops_analysis_mesh offers each as a tool and check_3d_print runs them all. Nothing
here changes the scene: the bmesh is a copy made from the depsgraph's evaluated object.
"""

import bmesh
import bpy
from mathutils.bvhtree import BVHTree

from .ops_common import find_object, update_view_layer, vector
from .registry import OpError

# How many sample locations a check reports (the counts are always complete).
SAMPLE_LIMIT = 10


def world_bmesh(op_name, name, evaluated=True):
    """A bmesh of the object's mesh (modifiers applied unless evaluated=False), in world space.

    A negative-scale transform mirrors the mesh, which turns its faces inside out; they are
    reversed back so normals mean what they mean on screen.
    """
    obj = find_object(name)
    if obj.type != "MESH":
        raise OpError("bad_params", f"{op_name}: object '{name}' is a {obj.type}, not a MESH")
    if obj.mode == "EDIT":
        # In Edit Mode the mesh data lags the edit-mesh until written back; measure what the user sees.
        obj.update_from_editmode()
    update_view_layer()
    bm = bmesh.new()
    if evaluated:
        # to_mesh rather than bmesh.from_object: in Edit Mode from_object yields no faces (3.4).
        evaluated_obj = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
        try:
            bm.from_mesh(evaluated_obj.to_mesh())
        finally:
            evaluated_obj.to_mesh_clear()
    else:
        bm.from_mesh(obj.data)
    matrix = obj.matrix_world
    bm.transform(matrix)
    if matrix.determinant() < 0:
        bmesh.ops.reverse_faces(bm, faces=bm.faces)
    bm.normal_update()
    for table in (bm.verts, bm.edges, bm.faces):
        table.ensure_lookup_table()
    return bm


class using:
    """`with using(bm) as bm:` frees the bmesh however the block ends."""

    def __init__(self, bm):
        self.bm = bm

    def __enter__(self):
        return self.bm

    def __exit__(self, *exc_info):
        self.bm.free()


def _edge_centre(edge):
    return vector((edge.verts[0].co + edge.verts[1].co) / 2)


def _samples(items, where):
    return [where(item) for item in items[:SAMPLE_LIMIT]]


def stats(bm):
    triangles = sum(len(face.verts) - 2 for face in bm.faces)
    closed = all(len(edge.link_faces) == 2 for edge in bm.edges) and len(bm.faces) > 0
    return {
        "vertices": len(bm.verts),
        "edges": len(bm.edges),
        "faces": len(bm.faces),
        "triangles": triangles,
        "surface_area": sum(face.calc_area() for face in bm.faces),
        # calc_volume is only meaningful for a closed mesh; report it anyway, flagged.
        "volume": abs(bm.calc_volume(signed=True)),
        "closed": closed,
        "islands": len(face_islands(bm)),
    }


def check_non_manifold(bm):
    boundary = [edge for edge in bm.edges if len(edge.link_faces) == 1]
    multi = [edge for edge in bm.edges if len(edge.link_faces) > 2]
    wire = [edge for edge in bm.edges if not edge.link_faces]
    # A vertex where two fans of faces meet at one point (bow-tie) is non-manifold though
    # every edge at it is fine.
    verts = [vert for vert in bm.verts if vert.link_faces and not vert.is_manifold]
    edges = boundary + multi + wire
    return {
        "count": len(edges),
        "boundary_edges": len(boundary),
        "multi_face_edges": len(multi),
        "wire_edges": len(wire),
        "non_manifold_vertices": len(verts),
        "samples": _samples(edges, _edge_centre),
    }


def face_islands(bm):
    """Faces grouped by shared edges: a list of lists of BMFace."""
    seen = set()
    islands = []
    for start in bm.faces:
        if start.index in seen:
            continue
        seen.add(start.index)
        island, stack = [], [start]
        while stack:
            face = stack.pop()
            island.append(face)
            for edge in face.edges:
                for other in edge.link_faces:
                    if other.index not in seen:
                        seen.add(other.index)
                        stack.append(other)
        islands.append(island)
    return islands


def check_normals(bm):
    """Faces whose normal disagrees with the outward direction.

    A copy gets Blender's own recalculation (outside for closed parts); a face whose normal
    it reverses was flipped. On an open part "outside" is a guess, so only the minority of
    its faces (those against their neighbours) count.
    """
    before = [face.normal.copy() for face in bm.faces]
    copy = bm.copy()
    try:
        bmesh.ops.recalc_face_normals(copy, faces=copy.faces)
        copy.faces.ensure_lookup_table()
        reversed_index = {index for index, face in enumerate(copy.faces) if face.normal.dot(before[index]) < 0}
    finally:
        copy.free()
    flipped, inside_out = [], 0
    for island in face_islands(bm):
        against = [face for face in island if face.index in reversed_index]
        closed = all(len(edge.link_faces) == 2 for face in island for edge in face.edges)
        if not closed and len(against) * 2 > len(island):
            against = [face for face in island if face.index not in reversed_index]
        if closed and against and len(against) == len(island):
            inside_out += 1
        flipped += against
    inconsistent_edges = sum(1 for edge in bm.edges if len(edge.link_faces) == 2 and not edge.is_contiguous)
    return {
        "count": len(flipped),
        "flipped_faces": len(flipped),
        "inside_out_islands": inside_out,
        "inconsistent_edges": inconsistent_edges,
        "face_indices": [face.index for face in flipped[:SAMPLE_LIMIT]],
        "samples": _samples(flipped, lambda face: vector(face.calc_center_median())),
    }


def check_loose(bm):
    verts = [vert for vert in bm.verts if not vert.link_edges]
    edges = [edge for edge in bm.edges if not edge.link_faces]
    return {
        "count": len(verts) + len(edges),
        "loose_vertices": len(verts),
        "loose_edges": len(edges),
        "samples": _samples(verts, lambda vert: vector(vert.co)) + _samples(edges, _edge_centre),
    }


def check_degenerate(bm, min_area=1e-8, min_length=1e-6):
    faces = [face for face in bm.faces if face.calc_area() <= min_area]
    edges = [edge for edge in bm.edges if edge.calc_length() <= min_length]
    return {
        "count": len(faces) + len(edges),
        "degenerate_faces": len(faces),
        "zero_length_edges": len(edges),
        "face_indices": [face.index for face in faces[:SAMPLE_LIMIT]],
        "samples": _samples(faces, lambda face: vector(face.calc_center_median())),
    }


def check_intersections(bm):
    """Pairs of faces that cross each other without sharing a vertex (BVH overlap)."""
    tree = BVHTree.FromBMesh(bm, epsilon=0.0)
    faces = bm.faces
    pairs = []
    for first, second in tree.overlap(tree):
        if first >= second:
            continue
        if set(faces[first].verts) & set(faces[second].verts):
            continue  # neighbours touch by construction
        pairs.append((first, second))
    involved = sorted({index for pair in pairs for index in pair})
    return {
        "count": len(involved),
        "intersecting_faces": len(involved),
        "face_pairs": len(pairs),
        "face_indices": involved[:SAMPLE_LIMIT],
        "samples": [vector(faces[index].calc_center_median()) for index in involved[:SAMPLE_LIMIT]],
    }


def check_thin(bm, min_thickness):
    """Faces whose wall, measured by a ray cast inward from the face's centre, is thinner
    than min_thickness. A hit counts only where the ray leaves the solid (the far wall's
    normal points along the ray), so a crease next to the face is not a wall."""
    tree = BVHTree.FromBMesh(bm)
    thin = []
    thinnest = None
    for face in bm.faces:
        normal = face.normal
        if normal.length < 0.5:
            continue  # degenerate face: no direction to measure along
        direction = -normal
        origin = face.calc_center_median() + direction * 1e-6
        location, hit_normal, index, distance = tree.ray_cast(origin, direction, min_thickness * 4 + 1e-3)
        if location is None or index == face.index or hit_normal.dot(direction) <= 0:
            continue
        distance += 1e-6
        if thinnest is None or distance < thinnest:
            thinnest = distance
        if distance < min_thickness:
            thin.append((face, distance))
    return {
        "count": len(thin),
        "thin_faces": len(thin),
        "min_thickness": min_thickness,
        "thinnest_measured": thinnest,
        "face_indices": [face.index for face, _ in thin[:SAMPLE_LIMIT]],
        "samples": [
            {"location": vector(face.calc_center_median()), "thickness": distance}
            for face, distance in thin[:SAMPLE_LIMIT]
        ],
    }
