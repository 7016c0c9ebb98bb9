"""Mesh edits done with bmesh, one call each: bevel, extrude, inset, subdivide, merge by
distance, recalculate / flip normals, triangulate. No bpy.ops, so they run headless."""

import math

import bmesh
from mathutils import Vector

from .modeling_support import COUNT_OUTPUT, choose_faces, counts, editing_bmesh, faces_params, mesh_object
from .ops_common import changed, registry
from .registry import BOOLEAN, INTEGER, NAME, NUMBER, Param, bad_params, one_of

OBJECT = Param(NAME, about="The mesh object to edit")


def _answer(obj, **extra):
    return {"object": obj.name, **counts(obj.data), **extra, "changed": changed(modified=[obj.name])}


@registry.tool(
    "bevel_edges",
    "Bevel the edges of a mesh object (all of them, or only those sharper than an angle) as one step.",
    toolset="modeling",
    output={**COUNT_OUTPUT, "beveled_edges": {"type": "integer", "description": "How many edges were beveled"}},
)
@registry.mutating_op(
    "mesh.bevel",
    object=OBJECT,
    width=Param(NUMBER, 0.05, minimum=0.0001, maximum=100.0, about="Bevel width (offset from the edge), m"),
    segments=Param(INTEGER, 1, minimum=1, maximum=32, about="Segments across each bevel (more = rounder)"),
    edges=Param(one_of("all", "sharp"), "all", about="Which edges: all, or those whose faces meet sharper than 'angle'"),
    angle=Param(NUMBER, 30.0, minimum=0.0, maximum=180.0, about="With edges='sharp': the least angle between face normals, degrees"),
    profile=Param(NUMBER, 0.5, minimum=0.0, maximum=1.0, about="Profile shape: 0.5 round, lower concave, higher convex"),
)
def mesh_bevel(ctx, object, width, segments, edges, angle, profile):
    obj = mesh_object("mesh.bevel", object)
    limit = math.radians(angle)
    with editing_bmesh(obj) as bm:
        chosen = [
            edge for edge in bm.edges
            if edges == "all" or (len(edge.link_faces) == 2 and edge.calc_face_angle(0.0) >= limit - 1e-6)
        ]
        if not chosen:
            raise bad_params("mesh.bevel", f"no edge of '{obj.name}' is sharper than {angle}° (param 'angle'); nothing to bevel")
        bmesh.ops.bevel(bm, geom=chosen, offset=width, offset_type="OFFSET", segments=segments,
                        profile=profile, affect="EDGES", clamp_overlap=True)
    return _answer(obj, beveled_edges=len(chosen))


@registry.tool(
    "extrude_faces",
    "Extrude faces of a mesh object along their normals (the faces facing an axis, given indices, or all).",
    toolset="modeling",
    output={**COUNT_OUTPUT, "extruded_faces": {"type": "integer"}},
)
@registry.mutating_op(
    "mesh.extrude",
    object=OBJECT,
    distance=Param(NUMBER, 1.0, minimum=-1000.0, maximum=1000.0, about="How far to move the extruded faces along their normal, m (negative = inwards)"),
    mode=Param(one_of("region", "individual"), "region",
               about="'region' keeps touching faces together and moves them along their mean normal; 'individual' extrudes each face along its own normal"),
    **faces_params(),
)
def mesh_extrude(ctx, object, distance, mode, faces, facing):
    obj = mesh_object("mesh.extrude", object)
    with editing_bmesh(obj) as bm:
        chosen = choose_faces("mesh.extrude", bm, faces, facing)
        if mode == "individual":
            result = bmesh.ops.extrude_discrete_faces(bm, faces=chosen)
            for face in result["faces"]:
                bmesh.ops.translate(bm, vec=face.normal * distance, verts=list(face.verts))
        else:
            normal = sum((face.normal for face in chosen), Vector())
            normal = normal.normalized() if normal.length > 1e-9 else chosen[0].normal
            result = bmesh.ops.extrude_face_region(bm, geom=chosen)
            moved = [element for element in result["geom"] if isinstance(element, bmesh.types.BMVert)]
            bmesh.ops.translate(bm, vec=normal * distance, verts=moved)
            # The originals are now inside the extrusion: drop them, as Blender's extrude does.
            bmesh.ops.delete(bm, geom=chosen, context="FACES_ONLY")
        bm.normal_update()
    return _answer(obj, extruded_faces=len(chosen))


@registry.tool(
    "inset_faces",
    "Inset faces of a mesh object: a smaller copy of each face inside a ring of new faces, optionally raised or sunk.",
    toolset="modeling",
    output={**COUNT_OUTPUT, "inset_faces": {"type": "integer"}},
)
@registry.mutating_op(
    "mesh.inset",
    object=OBJECT,
    thickness=Param(NUMBER, 0.1, minimum=0.0, maximum=100.0, about="Inset distance from the face border, m"),
    depth=Param(NUMBER, 0.0, minimum=-100.0, maximum=100.0, about="Raise (positive) or sink (negative) the inner face, m"),
    individual=Param(BOOLEAN, False, about="Inset each face on its own instead of the chosen faces as one region"),
    **faces_params(),
)
def mesh_inset(ctx, object, thickness, depth, individual, faces, facing):
    obj = mesh_object("mesh.inset", object)
    with editing_bmesh(obj) as bm:
        chosen = choose_faces("mesh.inset", bm, faces, facing)
        if individual:
            bmesh.ops.inset_individual(bm, faces=chosen, thickness=thickness, depth=depth, use_even_offset=True)
        else:
            bmesh.ops.inset_region(bm, faces=chosen, thickness=thickness, depth=depth, use_even_offset=True)
    return _answer(obj, inset_faces=len(chosen))


@registry.tool(
    "subdivide_mesh",
    "Subdivide every edge of a mesh object into more pieces (grid-filling its faces), optionally smoothing the result.",
    toolset="modeling",
    output=COUNT_OUTPUT,
)
@registry.mutating_op(
    "mesh.subdivide",
    object=OBJECT,
    cuts=Param(INTEGER, 1, minimum=1, maximum=10, about="Cuts per edge"),
    smoothness=Param(NUMBER, 0.0, minimum=0.0, maximum=1.0, about="How far new vertices move toward a smooth surface (0 = flat)"),
)
def mesh_subdivide(ctx, object, cuts, smoothness):
    obj = mesh_object("mesh.subdivide", object)
    with editing_bmesh(obj) as bm:
        if not bm.edges:
            raise bad_params("mesh.subdivide", f"mesh of '{obj.name}' has no edges to subdivide")
        bmesh.ops.subdivide_edges(bm, edges=list(bm.edges), cuts=cuts, smooth=smoothness, use_grid_fill=True)
    return _answer(obj)


@registry.tool(
    "merge_by_distance",
    "Weld the vertices of a mesh object that lie closer than a distance (remove doubles).",
    toolset="modeling",
    idempotent=True,
    output={**COUNT_OUTPUT, "removed_vertices": {"type": "integer"}},
)
@registry.mutating_op(
    "mesh.merge_by_distance",
    object=OBJECT,
    distance=Param(NUMBER, 0.0001, minimum=0.0, maximum=100.0, about="Merge vertices closer than this, m"),
)
def mesh_merge_by_distance(ctx, object, distance):
    obj = mesh_object("mesh.merge_by_distance", object)
    before = len(obj.data.vertices)
    with editing_bmesh(obj) as bm:
        bmesh.ops.remove_doubles(bm, verts=list(bm.verts), dist=distance)
    return _answer(obj, removed_vertices=before - len(obj.data.vertices))


@registry.tool(
    "recalculate_normals",
    "Make the face normals of a mesh object point consistently outside (or inside).",
    toolset="modeling",
    idempotent=True,
    output={**COUNT_OUTPUT, "flipped": {"type": "integer", "description": "How many faces changed direction"}},
)
@registry.mutating_op(
    "mesh.recalculate_normals",
    object=OBJECT,
    direction=Param(one_of("outside", "inside"), "outside", about="Which way the normals should point"),
)
def mesh_recalculate_normals(ctx, object, direction):
    obj = mesh_object("mesh.recalculate_normals", object)
    with editing_bmesh(obj) as bm:
        before = [face.normal.copy() for face in bm.faces]
        bmesh.ops.recalc_face_normals(bm, faces=list(bm.faces))
        if direction == "inside":
            bmesh.ops.reverse_faces(bm, faces=list(bm.faces))
        bm.normal_update()
        flipped = sum(1 for face, old in zip(bm.faces, before) if face.normal.dot(old) < 0)
    return _answer(obj, flipped=flipped)


@registry.tool(
    "flip_normals",
    "Reverse the normals of faces of a mesh object (all, those facing an axis, or given indices).",
    toolset="modeling",
    output={**COUNT_OUTPUT, "flipped": {"type": "integer"}},
)
@registry.mutating_op("mesh.flip_normals", object=OBJECT, **faces_params())
def mesh_flip_normals(ctx, object, faces, facing):
    obj = mesh_object("mesh.flip_normals", object)
    with editing_bmesh(obj) as bm:
        chosen = choose_faces("mesh.flip_normals", bm, faces, facing)
        bmesh.ops.reverse_faces(bm, faces=chosen)
        bm.normal_update()
    return _answer(obj, flipped=len(chosen))


QUAD_METHODS = {"beauty": "BEAUTY", "fixed": "FIXED", "alternate": "ALTERNATE", "short_edge": "SHORT_EDGE", "long_edge": "LONG_EDGE"}
NGON_METHODS = {"beauty": "BEAUTY", "ear_clip": "EAR_CLIP"}


@registry.tool(
    "triangulate_mesh",
    "Split the quads and n-gons of a mesh object into triangles.",
    toolset="modeling",
    idempotent=True,
    output={**COUNT_OUTPUT, "triangulated_faces": {"type": "integer", "description": "Faces that had more than 3 corners"}},
)
@registry.mutating_op(
    "mesh.triangulate",
    object=OBJECT,
    quad_method=Param(one_of(*QUAD_METHODS), "beauty", about="How a quad is split"),
    ngon_method=Param(one_of(*NGON_METHODS), "beauty", about="How a polygon of 5+ corners is split"),
    **faces_params(),
)
def mesh_triangulate(ctx, object, quad_method, ngon_method, faces, facing):
    obj = mesh_object("mesh.triangulate", object)
    with editing_bmesh(obj) as bm:
        chosen = [face for face in choose_faces("mesh.triangulate", bm, faces, facing) if len(face.verts) > 3]
        if chosen:
            bmesh.ops.triangulate(bm, faces=chosen, quad_method=QUAD_METHODS[quad_method], ngon_method=NGON_METHODS[ngon_method])
    return _answer(obj, triangulated_faces=len(chosen))
