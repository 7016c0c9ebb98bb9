"""The modeling toolset against a real headless Blender: each tool is checked in the scene
(vertex and face counts, normals, evaluated meshes, UV maps, text bodies, curve points)."""

import json
import math

import pytest

from conftest import error_of


@pytest.fixture
def client(factory_client):
    return factory_client


def py(client, expression):
    """The JSON value of a Python expression evaluated in Blender."""
    code = f"import json, math, bmesh, mathutils\nbpy.context.view_layer.update()\nprint(json.dumps({expression}))"
    out = client.call("code.execute", {"code": code})["result"]
    return json.loads(out.strip().splitlines()[-1])


def mesh_counts(client, name):
    return py(client, f"[len(bpy.data.objects[{name!r}].data.vertices), len(bpy.data.objects[{name!r}].data.polygons)]")


def refusal(client, op, params):
    error = error_of(client.request(op, params))
    assert error["code"] == "bad_params", error
    return error["message"]


# The factory cube as two separated cubes (16 vertices, 12 faces): loose parts, joins.
TWO_CUBES = """
import bmesh
bm = bmesh.new()
bmesh.ops.create_cube(bm, size=1.0)
moved = bmesh.ops.create_cube(bm, size=1.0)
bmesh.ops.translate(bm, vec=(3, 0, 0), verts=moved['verts'])
mesh = bpy.data.meshes.new('Pair'); bm.to_mesh(mesh); bm.free()
bpy.context.scene.collection.objects.link(bpy.data.objects.new('Pair', mesh))
"""


def outward_normals(client, name):
    """For a convex mesh around its origin: how many faces point away from the centre."""
    return py(client, f"sum(1 for p in bpy.data.objects[{name!r}].data.polygons if p.normal.dot(p.center) > 0)")


# -- bmesh edits ------------------------------------------------------------------------


def test_bevel_all_edges_of_the_cube(client):
    result = client.call("mesh.bevel", {"object": "Cube", "width": 0.1, "segments": 1})
    assert result["beveled_edges"] == 12
    # One segment: each corner becomes a triangle, each edge a strip: 24 vertices, 6 + 12 + 8 faces.
    assert mesh_counts(client, "Cube") == [24, 26]
    assert result["vertices"] == 24 and result["changed"]["modified"] == ["Cube"]
    assert py(client, "list(bpy.data.objects['Cube'].dimensions)") == pytest.approx([2, 2, 2])


def test_bevel_sharp_only_leaves_a_smooth_sphere_alone(client):
    client.call("object.create", {"type": "uv_sphere", "name": "Ball"})
    message = refusal(client, "mesh.bevel", {"object": "Ball", "edges": "sharp", "angle": 60})
    assert "sharper than 60" in message
    message = refusal(client, "mesh.bevel", {"object": "Cube", "segments": 40})
    assert "param 'segments' must be an integer between 1 and 32" in message
    message = refusal(client, "mesh.bevel", {"object": "Camera"})
    assert "must name a mesh object; 'Camera' is a CAMERA" in message


def test_extrude_top_face(client):
    result = client.call("mesh.extrude", {"object": "Cube", "facing": "+z", "distance": 1.5})
    assert result["extruded_faces"] == 1
    assert mesh_counts(client, "Cube") == [12, 10]
    assert py(client, "list(bpy.data.objects['Cube'].dimensions)") == pytest.approx([2, 2, 3.5])
    assert outward_normals(client, "Cube") == 10


def test_extrude_individual_faces_by_index(client):
    client.call("mesh.extrude", {"object": "Cube", "faces": [0, 1], "distance": 0.5, "mode": "individual"})
    assert mesh_counts(client, "Cube") == [16, 14]
    message = refusal(client, "mesh.extrude", {"object": "Cube", "faces": [99]})
    assert "index 99, outside 0..13" in message
    message = refusal(client, "mesh.extrude", {"object": "Cube", "facing": "up"})
    assert "param 'facing' must be one of 'any', '+x'" in message


def test_inset_top_face(client):
    result = client.call("mesh.inset", {"object": "Cube", "facing": "+z", "thickness": 0.2, "depth": -0.1})
    assert result["inset_faces"] == 1
    assert mesh_counts(client, "Cube") == [12, 10]
    # The inner face is sunk 0.1 below the top and 0.2 in from its border.
    top = py(client, "sorted({round(v.co.z, 4) for v in bpy.data.objects['Cube'].data.vertices})")
    assert top == pytest.approx([-1, 0.9, 1])
    assert py(client, "max(abs(v.co.x) for v in bpy.data.objects['Cube'].data.vertices if v.co.z < 0.95 and v.co.z > 0)") == pytest.approx(0.8)


def test_inset_refusals(client):
    assert "param 'thickness' must be a number between 0.0 and 100.0" in refusal(client, "mesh.inset", {"object": "Cube", "thickness": -1})
    client.call("mesh.from_data", {"name": "Flat", "vertices": [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], "faces": [[0, 1, 2, 3]]})
    assert "no face of the mesh faces '-z'" in refusal(client, "mesh.inset", {"object": "Flat", "facing": "-z"})


def test_subdivide_cube(client):
    result = client.call("mesh.subdivide", {"object": "Cube", "cuts": 1})
    assert mesh_counts(client, "Cube") == [26, 24]
    assert result["polygons"] == 24
    client.call("mesh.subdivide", {"object": "Cube", "cuts": 2, "smoothness": 1.0})
    assert mesh_counts(client, "Cube")[1] == 24 * 9
    # Smoothing moves the new points off the flat faces (a flat subdivision stays within |x| <= 1).
    assert py(client, "max(abs(v.co.x) for v in bpy.data.objects['Cube'].data.vertices)") > 1.01
    assert "param 'cuts' must be an integer between 1 and 10" in refusal(client, "mesh.subdivide", {"object": "Cube", "cuts": 0})


def test_merge_by_distance_welds_duplicates(client):
    # Two triangles sharing an edge but with that edge's vertices doubled.
    vertices = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0.00001], [0, 1, 0], [1, 1, 0]]
    client.call("mesh.from_data", {"name": "Seam", "vertices": vertices, "faces": [[0, 1, 2], [3, 5, 4]]})
    result = client.call("mesh.merge_by_distance", {"object": "Seam", "distance": 0.001})
    assert result["removed_vertices"] == 2
    assert mesh_counts(client, "Seam") == [4, 2]
    assert py(client, "len(bpy.data.objects['Seam'].data.edges)") == 5
    assert "param 'distance' must be a number between 0.0 and 100.0" in refusal(client, "mesh.merge_by_distance", {"object": "Seam", "distance": -0.1})


def test_recalculate_and_flip_normals(client):
    client.call("mesh.flip_normals", {"object": "Cube", "facing": "+z"})
    assert outward_normals(client, "Cube") == 5
    result = client.call("mesh.recalculate_normals", {"object": "Cube"})
    assert result["flipped"] == 1
    assert outward_normals(client, "Cube") == 6
    client.call("mesh.recalculate_normals", {"object": "Cube", "direction": "inside"})
    assert outward_normals(client, "Cube") == 0
    result = client.call("mesh.flip_normals", {"object": "Cube"})
    assert result["flipped"] == 6 and outward_normals(client, "Cube") == 6
    assert "param 'direction' must be one of 'outside', 'inside'" in refusal(client, "mesh.recalculate_normals", {"object": "Cube", "direction": "out"})
    assert "param 'faces' must be an array of at least 1 items" in refusal(client, "mesh.flip_normals", {"object": "Cube", "faces": []})


def test_triangulate(client):
    result = client.call("mesh.triangulate", {"object": "Cube"})
    assert result["triangulated_faces"] == 6
    assert mesh_counts(client, "Cube") == [8, 12]
    assert py(client, "all(len(p.vertices) == 3 for p in bpy.data.objects['Cube'].data.polygons)")
    assert "param 'quad_method' must be one of 'beauty', 'fixed'" in refusal(client, "mesh.triangulate", {"object": "Cube", "quad_method": "diagonal"})


# -- whole-mesh steps -------------------------------------------------------------------


def test_boolean_difference_hides_the_cutter(client):
    client.call("object.create", {"type": "cylinder", "name": "Drill", "radius": 0.4, "depth": 4})
    result = client.call("mesh.boolean", {"object": "Cube", "operand": "Drill", "operation": "difference"})
    assert result["operand_action"] == "hide"
    assert result["vertices"] > 8 and mesh_counts(client, "Cube")[0] == result["vertices"]
    # A hole along Z: no vertex of the cube is within the drill's radius any more, except on it.
    assert py(client, "min(math.hypot(v.co.x, v.co.y) for v in bpy.data.objects['Cube'].data.vertices)") == pytest.approx(0.4, abs=0.01)
    assert py(client, "[bpy.data.objects['Drill'].hide_get(), bpy.data.objects['Cube'].modifiers.keys()]") == [True, []]


def test_boolean_union_deletes_the_operand(client):
    client.call("object.create", {"type": "cube", "name": "Other", "location": [1, 1, 1]})
    result = client.call("mesh.boolean", {"object": "Cube", "operand": "Other", "operation": "union", "operand_action": "delete", "solver": "fast"})
    assert result["changed"]["removed"] == ["Other"]
    assert py(client, "'Other' in bpy.data.objects") is False
    assert py(client, "list(bpy.data.objects['Cube'].dimensions)") == pytest.approx([3, 3, 3])


def test_boolean_refusals(client):
    assert "param 'operation' must be one of 'union', 'difference', 'intersect'" in refusal(
        client, "mesh.boolean", {"object": "Cube", "operand": "Cube", "operation": "subtract"})
    assert "another object" in refusal(client, "mesh.boolean", {"object": "Cube", "operand": "Cube"})
    assert "param 'operand' must name a mesh object" in refusal(client, "mesh.boolean", {"object": "Cube", "operand": "Light"})


def test_mirror_doubles_an_offset_mesh(client):
    client.call("mesh.from_data", {"name": "Half", "vertices": [[1, 0, 0], [2, 0, 0], [2, 1, 0], [1, 1, 0]], "faces": [[0, 1, 2, 3]]})
    result = client.call("mesh.mirror", {"object": "Half", "axes": ["x"]})
    assert mesh_counts(client, "Half") == [8, 2] and result["polygons"] == 2
    assert py(client, "sorted(round(v.co.x) for v in bpy.data.objects['Half'].data.vertices)") == [-2, -2, -1, -1, 1, 1, 2, 2]
    # Touching the plane: the seam welds.
    client.call("mesh.from_data", {"name": "Touch", "vertices": [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], "faces": [[0, 1, 2, 3]]})
    client.call("mesh.mirror", {"object": "Touch", "axes": ["x", "y"]})
    assert mesh_counts(client, "Touch") == [9, 4]
    assert "param 'axes' must be an array of: x, y, z" in refusal(client, "mesh.mirror", {"object": "Half", "axes": ["w"]})


def test_decimate(client):
    client.call("object.create", {"type": "uv_sphere", "name": "Ball"})
    before = mesh_counts(client, "Ball")[1]
    result = client.call("mesh.decimate", {"object": "Ball", "ratio": 0.25})
    assert result["polygons_before"] == before
    after = mesh_counts(client, "Ball")[1]
    assert after < before * 0.5 and after == result["polygons"]
    client.call("mesh.subdivide", {"object": "Cube", "cuts": 3})
    client.call("mesh.decimate", {"object": "Cube", "mode": "planar", "angle": 5})
    assert mesh_counts(client, "Cube")[1] == 6
    assert "param 'ratio' must be a number between 0.0 and 1.0" in refusal(client, "mesh.decimate", {"object": "Ball", "ratio": 2})


def test_shade_smooth_and_flat(client):
    result = client.call("mesh.shade_smooth", {"object": "Cube", "angle": 30})
    assert result["smooth_faces"] == 6 and result["sharp_edges"] == 12
    assert py(client, "all(p.use_smooth for p in bpy.data.objects['Cube'].data.polygons)")
    result = client.call("mesh.shade_flat", {"object": "Cube"})
    assert result["smooth_faces"] == 0
    assert py(client, "any(p.use_smooth for p in bpy.data.objects['Cube'].data.polygons)") is False
    assert "param 'angle' must be a number between 0.0 and 180.0" in refusal(client, "mesh.shade_smooth", {"object": "Cube", "angle": 270})
    assert "missing required param 'object'" in refusal(client, "mesh.shade_flat", {})


def test_create_mesh_from_data(client):
    result = client.call("mesh.from_data", {
        "name": "Pyramid", "location": [0, 0, 2],
        "vertices": [[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0], [0, 0, 1]],
        "faces": [[3, 2, 1, 0], [0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]],
    })
    assert result["changed"]["created"] == ["Pyramid"]
    assert mesh_counts(client, "Pyramid") == [5, 5]
    info = client.call("object.info", {"name": "Pyramid"})
    assert info["location"] == pytest.approx([0, 0, 2]) and info["dimensions"] == pytest.approx([2, 2, 1])
    assert "uses vertex 7, outside 0..2" in refusal(client, "mesh.from_data", {"vertices": [[0, 0, 0], [1, 0, 0], [0, 1, 0]], "faces": [[0, 1, 7]]})
    assert "param 'faces' must be an array" in refusal(client, "mesh.from_data", {"vertices": [[0, 0, 0]], "faces": [[0, 1]]})
    assert error_of(client.request("mesh.from_data", {"name": "Cube", "vertices": [[0, 0, 0]]}))["code"] == "already_exists"


# -- objects ----------------------------------------------------------------------------


def test_join_objects_keeps_world_places_and_materials(client):
    client.call("object.create", {"type": "cube", "name": "Far", "location": [5, 0, 0]})
    client.call("material.create", {"name": "Red"})
    client.call("material.assign", {"object": "Far", "material": "Red"})
    result = client.call("mesh.join", {"target": "Cube", "objects": ["Far"]})
    assert result["joined"] == ["Far"] and result["changed"]["removed"] == ["Far"]
    assert mesh_counts(client, "Cube") == [16, 12]
    assert py(client, "'Far' in bpy.data.objects") is False
    assert py(client, "max(v.co.x for v in bpy.data.objects['Cube'].data.vertices)") == pytest.approx(6)
    assert py(client, "[m.name for m in bpy.data.objects['Cube'].data.materials]") == ["Material", "Red"]
    assert py(client, "sorted(p.material_index for p in bpy.data.objects['Cube'].data.polygons)") == [0] * 6 + [1] * 6
    assert "other than the target" in refusal(client, "mesh.join", {"target": "Cube", "objects": ["Cube"]})
    assert "'Light' is a LIGHT" in refusal(client, "mesh.join", {"target": "Cube", "objects": ["Light"]})


def test_separate_loose_parts(client):
    client.call("code.execute", {"code": TWO_CUBES})
    result = client.call("mesh.separate_loose", {"object": "Pair"})
    assert len(result["parts"]) == 2 and result["parts"][0] == "Pair"
    second = result["parts"][1]
    assert mesh_counts(client, "Pair") == [8, 6] and mesh_counts(client, second) == [8, 6]
    assert py(client, f"bpy.data.objects[{second!r}].data != bpy.data.objects['Pair'].data")
    assert "param 'max_parts' must be an integer between 2 and 10000" in refusal(client, "mesh.separate_loose", {"object": "Pair", "max_parts": 1})


def test_set_origin_modes(client):
    client.call("code.execute", {"code": TWO_CUBES})
    result = client.call("object.set_origin", {"object": "Pair", "to": "geometry"})
    assert result["location"] == pytest.approx([1.5, 0, 0])
    # The geometry has not moved in the world.
    assert py(client, "[min(v.co.x for v in bpy.data.objects['Pair'].data.vertices), bpy.data.objects['Pair'].location.x]") == pytest.approx([-2, 1.5])
    client.call("object.set_origin", {"object": "Pair", "to": "point", "point": [0, 0, -0.5]})
    assert client.call("object.info", {"name": "Pair"})["location"] == pytest.approx([0, 0, -0.5])
    assert py(client, "min(v.co.z for v in bpy.data.objects['Pair'].data.vertices)") == pytest.approx(0)
    client.call("code.execute", {"code": "bpy.context.scene.cursor.location = (0, 0, 3)"})
    client.call("object.set_origin", {"object": "Pair", "to": "cursor"})
    client.call("object.set_origin", {"object": "Pair", "to": "bounds"})
    assert client.call("object.info", {"name": "Pair"})["location"] == pytest.approx([1.5, 0, 0])
    assert "param 'point' is needed with to='point'" in refusal(client, "object.set_origin", {"object": "Pair", "to": "point"})
    assert "param 'to' must be one of 'geometry', 'bounds', 'cursor', 'point'" in refusal(client, "object.set_origin", {"object": "Pair", "to": "centre"})


def test_apply_transform(client):
    client.call("object.transform", {"name": "Cube", "location": [1, 2, 3], "rotation": [0, 0, math.pi / 2], "scale": [2, 1, 1]})
    result = client.call("object.apply_transform", {"object": "Cube", "scale": True, "rotation": True})
    info = client.call("object.info", {"name": "Cube"})
    assert info["scale"] == pytest.approx([1, 1, 1]) and info["rotation"] == pytest.approx([0, 0, 0], abs=1e-6)
    assert info["location"] == pytest.approx([1, 2, 3])
    # The 4 m wide side now lies along world Y, in the mesh itself.
    assert result["dimensions"] == pytest.approx([2, 4, 2])
    assert info["world_bounding_box"]["min"] == pytest.approx([0, 0, 2], abs=1e-5)
    client.call("object.apply_transform", {"object": "Cube", "location": True, "rotation": False, "scale": False})
    info = client.call("object.info", {"name": "Cube"})
    assert info["location"] == pytest.approx([0, 0, 0]) and info["world_bounding_box"]["min"] == pytest.approx([0, 0, 2], abs=1e-5)
    assert "at least one of params" in refusal(client, "object.apply_transform", {"object": "Cube", "rotation": False, "scale": False})
    assert "must name a mesh or curve object; 'Camera' is a CAMERA" in refusal(client, "object.apply_transform", {"object": "Camera"})


def test_convert_curve_to_mesh(client):
    client.call("curve.create", {"name": "Pipe", "points": [[0, 0, 0], [2, 0, 0], [2, 2, 1]], "bevel_depth": 0.1})
    result = client.call("object.convert_to_mesh", {"object": "Pipe", "keep_original": True})
    assert result["object"] == "Pipe_mesh" and result["polygons"] > 0
    assert py(client, "[bpy.data.objects['Pipe'].type, bpy.data.objects['Pipe_mesh'].type]") == ["CURVE", "MESH"]
    result = client.call("object.convert_to_mesh", {"object": "Pipe"})
    assert result["object"] == "Pipe"
    assert py(client, "bpy.data.objects['Pipe'].type") == "MESH"
    assert mesh_counts(client, "Pipe") == mesh_counts(client, "Pipe_mesh")
    assert "'Light' is a LIGHT" in refusal(client, "object.convert_to_mesh", {"object": "Light"})


def test_convert_bakes_a_mesh_modifier(client):
    client.call("modifier.add", {"object": "Cube", "type": "SUBSURF", "settings": {"levels": 1}})
    result = client.call("object.convert_to_mesh", {"object": "Cube"})
    assert result["polygons"] == 24
    assert py(client, "[len(bpy.data.objects['Cube'].modifiers), len(bpy.data.objects['Cube'].data.polygons)]") == [0, 24]


# -- UV ---------------------------------------------------------------------------------


def uv_ok(result, client, name):
    """The UV map exists, is active, and spans a real area."""
    assert result["uv_area"] > 0.01
    assert result["uv_max"][0] - result["uv_min"][0] > 0.05 and result["uv_max"][1] - result["uv_min"][1] > 0.05
    assert py(client, f"bpy.data.objects[{name!r}].data.uv_layers.active.name") == result["uv_map"]
    distinct = py(client, f"len({{tuple(round(c, 4) for c in l.uv) for l in bpy.data.objects[{name!r}].data.uv_layers[{result['uv_map']!r}].data}})")
    assert distinct >= 4


def test_uv_smart_project_into_a_new_map(client):
    result = client.call("uv.smart_project", {"object": "Cube", "uv_map": "Smart", "island_margin": 0.02})
    assert result["uv_map"] == "Smart"
    uv_ok(result, client, "Cube")
    assert result["uv_min"][0] >= -1e-6 and result["uv_max"][0] <= 1 + 1e-6
    assert py(client, "bpy.data.objects['Cube'].mode") == "OBJECT"
    assert "param 'angle_limit' must be a number between 1.0 and 89.0" in refusal(client, "uv.smart_project", {"object": "Cube", "angle_limit": 120})


def test_uv_cube_project(client):
    client.call("code.execute", {"code": "bpy.data.objects['Cube'].data.uv_layers.remove(bpy.data.objects['Cube'].data.uv_layers[0])"})
    result = client.call("uv.cube_project", {"object": "Cube", "cube_size": 2})
    assert result["uv_map"] == "UVMap"
    uv_ok(result, client, "Cube")
    assert "param 'cube_size' must be a number between 0.001 and 1000.0" in refusal(client, "uv.cube_project", {"object": "Cube", "cube_size": 0})


def test_uv_unwrap_with_seams_from_sharp_edges(client):
    result = client.call("uv.unwrap", {"object": "Cube", "seam_angle": 30, "uv_map": "Unwrapped"})
    assert result["seams"] == 12
    uv_ok(result, client, "Cube")
    client.call("object.create", {"type": "plane", "name": "Sheet"})
    uv_ok(client.call("uv.unwrap", {"object": "Sheet", "method": "conformal"}), client, "Sheet")
    assert "param 'method' must be one of 'angle_based', 'conformal', 'minimum_stretch'" in refusal(client, "uv.unwrap", {"object": "Cube", "method": "lscm"})
    assert "must name a mesh object" in refusal(client, "uv.unwrap", {"object": "Light"})


# -- text and curves --------------------------------------------------------------------


def test_create_and_set_text(client):
    result = client.call("text.create", {"body": "Hello", "name": "Sign", "size": 2, "extrude": 0.1, "align": "center"})
    assert result["body"] == "Hello" and result["changed"]["created"] == ["Sign"]
    assert py(client, "[bpy.data.objects['Sign'].type, bpy.data.objects['Sign'].data.body, bpy.data.objects['Sign'].data.size, bpy.data.objects['Sign'].data.align_x]") == ["FONT", "Hello", 2, "CENTER"]
    # The evaluated text is real geometry, 0.2 m deep (extrude on both sides).
    evaluated = "bpy.data.objects['Sign'].evaluated_get(bpy.context.evaluated_depsgraph_get())"
    short = py(client, f"[len({evaluated}.to_mesh().polygons), bpy.data.objects['Sign'].dimensions.z]")
    assert short[0] > 0 and short[1] == pytest.approx(0.2, abs=1e-3)
    width = py(client, "bpy.data.objects['Sign'].dimensions.x")
    result = client.call("text.set", {"object": "Sign", "body": "Hello, world"})
    assert result["body"] == "Hello, world" and result["size"] == 2
    assert py(client, "bpy.data.objects['Sign'].data.body") == "Hello, world"
    assert py(client, "bpy.data.objects['Sign'].dimensions.x") > width * 1.5
    assert "'Cube' is a MESH" in refusal(client, "text.set", {"object": "Cube", "body": "x"})
    assert "param 'size' must be a number between 0.001 and 1000.0" in refusal(client, "text.create", {"body": "x", "size": 0})
    assert "missing required param 'body'" in refusal(client, "text.create", {"name": "T"})


def test_create_bezier_and_poly_curves(client):
    points = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 1]]
    result = client.call("curve.create", {"name": "Path", "points": points, "kind": "poly"})
    assert result["points"] == 4 and result["length"] == pytest.approx(1 + 1 + math.sqrt(2))
    flat = [c for point in points for c in point]
    assert py(client, "[c for p in bpy.data.objects['Path'].data.splines[0].points for c in list(p.co)[:3]]") == pytest.approx(flat)
    result = client.call("curve.create", {"name": "Loop", "points": points, "cyclic": True, "bevel_depth": 0.05})
    assert py(client, "[bpy.data.objects['Loop'].data.splines[0].type, len(bpy.data.objects['Loop'].data.splines[0].bezier_points), bpy.data.objects['Loop'].data.splines[0].use_cyclic_u]") == ["BEZIER", 4, True]
    assert py(client, "[c for p in bpy.data.objects['Loop'].data.splines[0].bezier_points for c in p.co]") == pytest.approx(flat)
    # The bevel makes it a tube: the evaluated curve has faces.
    assert py(client, "len(bpy.data.objects['Loop'].evaluated_get(bpy.context.evaluated_depsgraph_get()).to_mesh().polygons)") > 0
    client.call("curve.create", {"name": "Nurb", "points": points, "kind": "nurbs"})
    assert py(client, "bpy.data.objects['Nurb'].data.splines[0].type") == "NURBS"
    assert "at least 2 items" in refusal(client, "curve.create", {"points": [[0, 0, 0]]})
    assert "param 'kind' must be one of 'bezier', 'poly', 'nurbs'" in refusal(client, "curve.create", {"points": points, "kind": "spline"})


# -- edges of the contract ----------------------------------------------------------------


def test_edits_reach_an_object_in_edit_mode(client):
    """A GUI user may sit in edit mode: the edit goes through the edit-mesh, so it survives leaving it."""
    client.call("code.execute", {"code": "bpy.context.view_layer.objects.active = bpy.data.objects['Cube']\nbpy.ops.object.mode_set(mode='EDIT')"})
    client.call("mesh.subdivide", {"object": "Cube"})
    client.call("code.execute", {"code": "bpy.ops.object.mode_set(mode='OBJECT')"})
    assert mesh_counts(client, "Cube") == [26, 24]


def test_boolean_solver_the_blender_lacks_is_not_available(client):
    client.call("object.create", {"type": "cube", "name": "Other", "location": [1, 1, 1]})
    answer = client.request("mesh.boolean", {"object": "Cube", "operand": "Other", "solver": "manifold"})
    version = tuple(int(part) for part in client.call("addon.health")["blender_version"].split(".")[:2])
    if version >= (4, 5):
        assert answer["type"] == "reply"
    else:
        error = error_of(answer)
        assert error["code"] == "not_available" and "solver 'manifold'" in error["message"] and "exact" in error["message"]
        assert mesh_counts(client, "Cube") == [8, 6]


def test_uv_of_a_hidden_object_is_refused_and_selection_is_kept(client):
    client.call("code.execute", {"code": "bpy.data.objects['Cube'].select_set(False)\nbpy.data.objects['Light'].select_set(True)\nbpy.context.view_layer.objects.active = bpy.data.objects['Light']"})
    client.call("uv.smart_project", {"object": "Cube"})
    assert py(client, "[bpy.context.view_layer.objects.active.name, bpy.data.objects['Light'].select_get(), bpy.data.objects['Cube'].select_get()]") == ["Light", True, False]
    client.call("code.execute", {"code": "bpy.data.objects['Cube'].hide_set(True)"})
    error = error_of(client.request("uv.smart_project", {"object": "Cube"}))
    assert error["code"] == "not_supported" and "must be visible" in error["message"]
