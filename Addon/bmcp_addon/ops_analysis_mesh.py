"""Analysis toolset, mesh quality: statistics, non-manifold edges, normals, thin walls,
loose and degenerate geometry, self-intersections, the 3D-print report and object comparison.

All read-only: each check reads a world-space copy of the evaluated mesh (analysis_mesh).
"""

import bpy

from . import analysis_compat
from .analysis_mesh import (
    check_degenerate, check_intersections, check_loose, check_non_manifold, check_normals, check_thin,
    stats, using, world_bmesh,
)
from .ops_common import find_object, registry, update_view_layer, vector
from .registry import BOOLEAN, NAME, NUMBER, Param

OBJECT = Param(NAME, about="The mesh object's name")
EVALUATED = Param(BOOLEAN, True, about="Measure the mesh with its modifiers applied (true) or the base mesh (false)")
POINT_LIST = {"type": "array", "items": {"type": "array", "items": {"type": "number"}}, "description": "Sample world locations [x, y, z], at most 10"}
COUNT = {"type": "integer", "description": "How many problems were found (0 = passed)"}


def _mesh_stats_of(name, evaluated):
    with using(world_bmesh("analysis.mesh_stats", name, evaluated)) as bm:
        return stats(bm)


@registry.tool(
    "get_mesh_stats",
    "Count a mesh object's vertices, edges, faces and triangles and measure its world-space surface area (m²) and volume (m³, meaningful when closed).",
    toolset="analysis",
    output={
        "vertices": {"type": "integer"}, "edges": {"type": "integer"}, "faces": {"type": "integer"},
        "triangles": {"type": "integer"}, "surface_area": {"type": "number"}, "volume": {"type": "number"},
        "closed": {"type": "boolean", "description": "Every edge has exactly two faces"},
        "islands": {"type": "integer", "description": "Separate connected pieces"},
    },
)
@registry.op("analysis.mesh_stats", object=OBJECT, evaluated=EVALUATED)
def analysis_mesh_stats(ctx, object, evaluated):
    result = {"object": object, **_mesh_stats_of(object, evaluated)}
    mesh = find_object(object).data
    if analysis_compat.mesh_has_auto_smooth(bpy.app.version):
        result["auto_smooth"] = bool(mesh.use_auto_smooth)
    result["materials"] = len(mesh.materials)
    return result


def _checked(op_name, name, evaluated, check, *args):
    with using(world_bmesh(op_name, name, evaluated)) as bm:
        return {"object": name, **check(bm, *args)}


@registry.tool(
    "check_non_manifold",
    "Find non-manifold geometry (boundary/open edges, edges shared by 3+ faces, wire edges, bow-tie vertices) in a mesh object; gives counts and sample locations.",
    toolset="analysis",
    output={"count": COUNT, "boundary_edges": {"type": "integer"}, "multi_face_edges": {"type": "integer"},
            "wire_edges": {"type": "integer"}, "non_manifold_vertices": {"type": "integer"}, "samples": POINT_LIST},
)
@registry.op("analysis.non_manifold", object=OBJECT, evaluated=EVALUATED)
def analysis_non_manifold(ctx, object, evaluated):
    return _checked("analysis.non_manifold", object, evaluated, check_non_manifold)


@registry.tool(
    "check_normals",
    "Find faces whose normals point inward or against their neighbours (flipped faces, inside-out parts) in a mesh object.",
    toolset="analysis",
    output={"count": COUNT, "flipped_faces": {"type": "integer"}, "inside_out_islands": {"type": "integer"},
            "inconsistent_edges": {"type": "integer"}, "face_indices": {"type": "array", "items": {"type": "integer"}},
            "samples": POINT_LIST},
)
@registry.op("analysis.normals", object=OBJECT, evaluated=EVALUATED)
def analysis_normals(ctx, object, evaluated):
    return _checked("analysis.normals", object, evaluated, check_normals)


THICKNESS = Param(NUMBER, 0.002, minimum=1e-6, maximum=10.0, about="Thinnest wall allowed, m (0.002 = 2 mm)")


@registry.tool(
    "check_thin_walls",
    "Find faces of a mesh object whose wall is thinner than a minimum thickness (ray cast inward from each face, world space).",
    toolset="analysis",
    output={"count": COUNT, "thin_faces": {"type": "integer"}, "min_thickness": {"type": "number"},
            "thinnest_measured": {"type": ["number", "null"], "description": "Thinnest wall found within 4× min_thickness, m"},
            "samples": {"type": "array", "items": {"type": "object"}}},
)
@registry.op("analysis.thin_walls", object=OBJECT, min_thickness=THICKNESS, evaluated=EVALUATED)
def analysis_thin_walls(ctx, object, min_thickness, evaluated):
    return _checked("analysis.thin_walls", object, evaluated, check_thin, min_thickness)


@registry.tool(
    "check_loose_geometry",
    "Find loose vertices (no edges) and loose edges (no faces) in a mesh object.",
    toolset="analysis",
    output={"count": COUNT, "loose_vertices": {"type": "integer"}, "loose_edges": {"type": "integer"}, "samples": POINT_LIST},
)
@registry.op("analysis.loose_geometry", object=OBJECT, evaluated=EVALUATED)
def analysis_loose_geometry(ctx, object, evaluated):
    return _checked("analysis.loose_geometry", object, evaluated, check_loose)


MIN_AREA = Param(NUMBER, 1e-8, minimum=0.0, maximum=1.0, about="Faces with this area or less count as degenerate, m²")


@registry.tool(
    "check_degenerate_faces",
    "Find zero-area faces and zero-length edges in a mesh object.",
    toolset="analysis",
    output={"count": COUNT, "degenerate_faces": {"type": "integer"}, "zero_length_edges": {"type": "integer"},
            "face_indices": {"type": "array", "items": {"type": "integer"}}, "samples": POINT_LIST},
)
@registry.op("analysis.degenerate_faces", object=OBJECT, min_area=MIN_AREA, evaluated=EVALUATED)
def analysis_degenerate_faces(ctx, object, min_area, evaluated):
    return _checked("analysis.degenerate_faces", object, evaluated, check_degenerate, min_area)


@registry.tool(
    "check_self_intersections",
    "Find faces of a mesh object that pass through other faces of the same mesh (BVH overlap, neighbours excluded).",
    toolset="analysis",
    output={"count": COUNT, "intersecting_faces": {"type": "integer"}, "face_pairs": {"type": "integer"},
            "face_indices": {"type": "array", "items": {"type": "integer"}}, "samples": POINT_LIST},
)
@registry.op("analysis.self_intersections", object=OBJECT, evaluated=EVALUATED)
def analysis_self_intersections(ctx, object, evaluated):
    return _checked("analysis.self_intersections", object, evaluated, check_intersections)


@registry.tool(
    "check_3d_print",
    "Run every mesh check for 3D printing on one object (non-manifold, normals, loose and degenerate geometry, self-intersections, thin walls) and give one pass/fail report with the volume and size.",
    toolset="analysis",
    output={
        "passed": {"type": "boolean"},
        "problems": {"type": "array", "items": {"type": "string"}, "description": "One line per failed check"},
        "checks": {"type": "object", "description": "Each check's full result, by name"},
        "volume": {"type": "number"}, "surface_area": {"type": "number"},
        "dimensions": {"type": "array", "items": {"type": "number"}},
    },
)
@registry.op("analysis.print_check", object=OBJECT, min_thickness=THICKNESS, evaluated=EVALUATED)
def analysis_print_check(ctx, object, min_thickness, evaluated):
    with using(world_bmesh("analysis.print_check", object, evaluated)) as bm:
        checks = {
            "non_manifold": check_non_manifold(bm),
            "normals": check_normals(bm),
            "loose_geometry": check_loose(bm),
            "degenerate_faces": check_degenerate(bm),
            "self_intersections": check_intersections(bm),
            "thin_walls": check_thin(bm, min_thickness),
        }
        measured = stats(bm)
        xs = [[vert.co[axis] for vert in bm.verts] for axis in range(3)]
        dimensions = [max(values) - min(values) if values else 0.0 for values in xs]
    problems = [f"{name}: {result['count']} found" for name, result in checks.items() if result["count"]]
    if measured["faces"] == 0:
        problems.insert(0, "mesh: no faces")
    for result in checks.values():
        result["passed"] = result["count"] == 0
    return {
        "object": object,
        "passed": not problems,
        "problems": problems,
        "checks": checks,
        "volume": measured["volume"],
        "surface_area": measured["surface_area"],
        "dimensions": dimensions,
    }


@registry.tool(
    "compare_objects",
    "Compare two objects: type, world location and dimension differences, and for meshes the vertex/face counts, area, volume and, when topology matches, the largest vertex offset.",
    toolset="analysis",
    output={
        "same_type": {"type": "boolean"}, "same_topology": {"type": ["boolean", "null"]},
        "location_distance": {"type": "number"}, "dimension_difference": {"type": "array", "items": {"type": "number"}},
        "max_vertex_offset": {"type": ["number", "null"], "description": "Largest world distance between matching vertices, m"},
    },
)
@registry.op(
    "analysis.compare",
    first=Param(NAME, about="The first object's name"),
    second=Param(NAME, about="The second object's name"),
    evaluated=EVALUATED,
)
def analysis_compare(ctx, first, second, evaluated):
    a, b = find_object(first), find_object(second)
    update_view_layer()
    result = {
        "first": a.name, "second": b.name,
        "same_type": a.type == b.type,
        "types": [a.type, b.type],
        "location_distance": (a.matrix_world.translation - b.matrix_world.translation).length,
        "dimension_difference": vector(b.dimensions - a.dimensions),
        "same_topology": None,
        "max_vertex_offset": None,
    }
    if a.type == "MESH" and b.type == "MESH":
        with using(world_bmesh("analysis.compare", first, evaluated)) as bm_a, \
                using(world_bmesh("analysis.compare", second, evaluated)) as bm_b:
            stats_a, stats_b = stats(bm_a), stats(bm_b)
            same = (len(bm_a.verts), len(bm_a.edges), len(bm_a.faces)) == (len(bm_b.verts), len(bm_b.edges), len(bm_b.faces))
            result["same_topology"] = same
            if same:
                result["max_vertex_offset"] = max(
                    ((va.co - vb.co).length for va, vb in zip(bm_a.verts, bm_b.verts)), default=0.0)
        result["mesh"] = {
            key: {"first": stats_a[key], "second": stats_b[key]}
            for key in ("vertices", "edges", "faces", "triangles", "surface_area", "volume", "closed")
        }
    return result
