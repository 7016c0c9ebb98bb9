"""The analysis toolset against a real headless Blender: each check is run on geometry built
to have (or not have) the defect, and each query is compared with the scene."""

import math

import pytest

from conftest import error_of


@pytest.fixture
def client(factory_client):
    return factory_client


def run(client, code):
    return client.call("code.execute", {"code": code})["result"]


def edit_cube(client, body, name="Cube"):
    """Run bmesh code on a mesh object's data (`bm` is its bmesh)."""
    run(client, f"import bmesh\nme = bpy.data.objects['{name}'].data\nbm = bmesh.new()\nbm.from_mesh(me)\n"
                "bm.faces.ensure_lookup_table()\nbm.verts.ensure_lookup_table()\n"
                f"{body}\nbm.to_mesh(me)\nbm.free()\nme.update()")


def add_mesh(client, name, verts, faces, edges=()):
    run(client, f"me = bpy.data.meshes.new('{name}')\nme.from_pydata({list(verts)!r}, {list(edges)!r}, {list(faces)!r})\n"
                f"obj = bpy.data.objects.new('{name}', me)\nbpy.context.scene.collection.objects.link(obj)")


def add_box(client, name, size, location=(0, 0, 0)):
    sx, sy, sz = (s / 2 for s in size)
    verts = [(location[0] + x * sx, location[1] + y * sy, location[2] + z * sz)
             for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    add_mesh(client, name, verts, faces)


def bad(client, op, params):
    error = error_of(client.request(op, params))
    return error["code"], error["message"]


# -- mesh checks ---------------------------------------------------------------


def test_non_manifold_open_cube_has_4_boundary_edges(client):
    assert client.call("analysis.non_manifold", {"object": "Cube"})["count"] == 0
    edit_cube(client, "bmesh.ops.delete(bm, geom=[bm.faces[0]], context='FACES_ONLY')")
    result = client.call("analysis.non_manifold", {"object": "Cube"})
    assert result["boundary_edges"] == 4 and result["count"] == 4
    assert len(result["samples"]) == 4


def test_non_manifold_refuses_a_non_mesh_and_unknown_object(client):
    code, message = bad(client, "analysis.non_manifold", {"object": "Camera"})
    assert code == "bad_params" and "'Camera' is a CAMERA, not a MESH" in message
    code, message = bad(client, "analysis.non_manifold", {"object": "Nope"})
    assert code == "not_found" and "'Nope'" in message


def test_normals_one_flipped_face_and_inside_out(client):
    assert client.call("analysis.normals", {"object": "Cube"})["count"] == 0
    edit_cube(client, "bm.faces[2].normal_flip()")
    result = client.call("analysis.normals", {"object": "Cube"})
    assert result["flipped_faces"] == 1 and result["face_indices"] == [2]
    edit_cube(client, "[f.normal_flip() for f in bm.faces]")
    result = client.call("analysis.normals", {"object": "Cube"})
    assert result["flipped_faces"] == 5 and result["inside_out_islands"] == 0
    edit_cube(client, "bm.faces[2].normal_flip()")
    result = client.call("analysis.normals", {"object": "Cube"})
    assert result["flipped_faces"] == 6 and result["inside_out_islands"] == 1


def test_normals_bad_params(client):
    code, message = bad(client, "analysis.normals", {"object": "Cube", "evaluated": "yes"})
    assert code == "bad_params" and "param 'evaluated' must be a boolean" in message


def test_thin_walls_flags_a_1mm_box_not_a_1m_cube(client):
    add_box(client, "Sheet", (1, 1, 0.001))
    add_box(client, "Block", (1, 1, 1), (3, 0, 0))
    sheet = client.call("analysis.thin_walls", {"object": "Sheet", "min_thickness": 0.002})
    assert sheet["thin_faces"] == 2
    assert sheet["thinnest_measured"] == pytest.approx(0.001, abs=1e-5)
    assert client.call("analysis.thin_walls", {"object": "Block", "min_thickness": 0.002})["count"] == 0
    # World space: scaled down 1000×, the 1 m block becomes a 1 mm one.
    run(client, "bpy.data.objects['Block'].scale = (0.001, 0.001, 0.001)")
    assert client.call("analysis.thin_walls", {"object": "Block", "min_thickness": 0.002})["count"] == 6


def test_thin_walls_bad_thickness(client):
    code, message = bad(client, "analysis.thin_walls", {"object": "Cube", "min_thickness": 0})
    assert code == "bad_params" and "between 1e-06 and 10.0" in message and "got" in message


def test_loose_geometry(client):
    assert client.call("analysis.loose_geometry", {"object": "Cube"})["count"] == 0
    edit_cube(client, "a = bm.verts.new((3, 0, 0))\nb = bm.verts.new((4, 0, 0))\nbm.edges.new((a, b))\nbm.verts.new((5, 5, 5))")
    result = client.call("analysis.loose_geometry", {"object": "Cube"})
    assert (result["loose_vertices"], result["loose_edges"]) == (1, 1)
    assert [5.0, 5.0, 5.0] in result["samples"]


def test_loose_geometry_bad_params(client):
    code, message = bad(client, "analysis.loose_geometry", {})
    assert code == "bad_params" and "missing required param 'object'" in message


def test_degenerate_faces(client):
    add_mesh(client, "Tris", [(0, 0, 0), (1, 0, 0), (2, 0, 0), (0, 1, 0)], [(0, 1, 2), (0, 1, 3)])
    result = client.call("analysis.degenerate_faces", {"object": "Tris"})
    assert result["degenerate_faces"] == 1 and result["face_indices"] == [0]
    assert client.call("analysis.degenerate_faces", {"object": "Cube"})["count"] == 0


def test_degenerate_faces_bad_area(client):
    code, message = bad(client, "analysis.degenerate_faces", {"object": "Cube", "min_area": 2})
    assert code == "bad_params" and "between 0.0 and 1.0" in message


def test_self_intersections(client):
    assert client.call("analysis.self_intersections", {"object": "Cube"})["count"] == 0
    edit_cube(client, "bmesh.ops.create_cube(bm, size=2.0, matrix=__import__('mathutils').Matrix.Translation((1, 0.5, 0.3)))")
    result = client.call("analysis.self_intersections", {"object": "Cube"})
    assert result["intersecting_faces"] > 0 and result["face_pairs"] > 0


def test_self_intersections_bad_params(client):
    code, message = bad(client, "analysis.self_intersections", {"object": ""})
    assert code == "bad_params" and "param 'object' must be a non-empty string" in message


def test_3d_print_report(client):
    good = client.call("analysis.print_check", {"object": "Cube"})
    assert good["passed"] is True and good["problems"] == []
    assert good["volume"] == pytest.approx(8.0) and good["dimensions"] == pytest.approx([2, 2, 2])
    edit_cube(client, "bmesh.ops.delete(bm, geom=[bm.faces[0]], context='FACES_ONLY')")
    report = client.call("analysis.print_check", {"object": "Cube"})
    assert report["passed"] is False
    assert "non_manifold: 4 found" in report["problems"]
    assert report["checks"]["non_manifold"]["passed"] is False and report["checks"]["loose_geometry"]["passed"] is True


def test_3d_print_bad_params(client):
    code, message = bad(client, "analysis.print_check", {"object": "Cube", "min_thickness": 11})
    assert code == "bad_params" and "between 1e-06 and 10.0" in message


def test_mesh_stats_world_space_and_modifiers(client):
    stats = client.call("analysis.mesh_stats", {"object": "Cube"})
    assert (stats["vertices"], stats["faces"], stats["triangles"]) == (8, 6, 12)
    assert stats["surface_area"] == pytest.approx(24) and stats["volume"] == pytest.approx(8) and stats["closed"]
    run(client, "o = bpy.data.objects['Cube']\no.scale = (2, 2, 2)\no.modifiers.new('S', 'SUBSURF').levels = 1")
    stats = client.call("analysis.mesh_stats", {"object": "Cube"})
    assert stats["vertices"] == 26
    base = client.call("analysis.mesh_stats", {"object": "Cube", "evaluated": False})
    assert base["vertices"] == 8 and base["volume"] == pytest.approx(64)


def test_mesh_stats_bad_params(client):
    code, message = bad(client, "analysis.mesh_stats", {"object": "Cube", "extra": 1})
    assert code == "bad_params" and "unknown param 'extra'" in message


def test_compare_objects(client):
    run(client, "c = bpy.data.objects['Cube']\nd = c.copy()\nd.data = c.data.copy()\nd.name = 'Twin'\n"
                "d.location = (3, 0, 0)\nbpy.context.scene.collection.objects.link(d)")
    result = client.call("analysis.compare", {"first": "Cube", "second": "Twin"})
    assert result["same_topology"] is True and result["location_distance"] == pytest.approx(3)
    assert result["max_vertex_offset"] == pytest.approx(3)
    other = client.call("analysis.compare", {"first": "Cube", "second": "Camera"})
    assert other["same_type"] is False and other["same_topology"] is None


def test_compare_bad_params(client):
    code, message = bad(client, "analysis.compare", {"first": "Cube"})
    assert code == "bad_params" and "missing required param 'second'" in message


# -- scene queries -------------------------------------------------------------


def test_selection(client):
    run(client, "for o in bpy.context.view_layer.objects: o.select_set(o.name in ('Camera', 'Light'))\n"
                "bpy.context.view_layer.objects.active = bpy.data.objects['Light']")
    result = client.call("analysis.selection")
    assert result["selected"] == ["Camera", "Light"] and result["active"] == "Light" and result["count"] == 2


def test_selection_takes_no_params(client):
    code, message = bad(client, "analysis.selection", {"all": True})
    assert code == "bad_params" and "known params: none" in message


def test_hierarchy(client):
    run(client, "bpy.data.objects['Camera'].parent = bpy.data.objects['Cube']\n"
                "bpy.data.objects['Light'].parent = bpy.data.objects['Camera']")
    tree = client.call("analysis.hierarchy", {"root": "*"})
    assert [node["name"] for node in tree["roots"]] == ["Cube"] and tree["objects"] == 3
    cube = tree["roots"][0]
    assert cube["children"][0]["name"] == "Camera" and cube["children"][0]["children"][0]["name"] == "Light"
    below = client.call("analysis.hierarchy", {"root": "Camera", "max_depth": 1})
    assert below["parent"] == "Cube" and below["roots"][0]["children"][0]["children_not_shown"] == 0


def test_hierarchy_bad_params(client):
    code, message = bad(client, "analysis.hierarchy", {"root": "*", "max_depth": 0})
    assert code == "bad_params" and "between 1 and 256" in message


def test_find_objects(client):
    add_box(client, "Wall_A", (1, 1, 1))
    add_box(client, "wall_b", (1, 1, 1))
    run(client, "bpy.data.objects['Wall_A'].data.materials.append(bpy.data.materials['Material'])")
    names = [item["name"] for item in client.call("analysis.find_objects", {"pattern": "WALL*"})["objects"]]
    assert names == ["Wall_A", "wall_b"]
    assert client.call("analysis.find_objects", {"pattern": "*", "type": "light"})["objects"] == [{"name": "Light", "type": "LIGHT"}]
    by_material = client.call("analysis.find_objects", {"pattern": "*", "material": "Material"})
    assert [item["name"] for item in by_material["objects"]] == ["Cube", "Wall_A"]
    assert client.call("analysis.find_objects", {"pattern": "*", "collection": "Collection"})["count"] == 3


def test_find_objects_bad_type(client):
    code, message = bad(client, "analysis.find_objects", {"pattern": "*", "type": "BLOB"})
    assert code == "bad_params" and "one of 'MESH'" in message and "'BLOB'" in message


def test_bounding_box_rotated_and_combined(client):
    run(client, "bpy.data.objects['Cube'].rotation_euler = (0, 0, 0.7853981634)")
    result = client.call("analysis.bounding_box", {"objects": ["Cube"]})
    assert result["objects"]["Cube"]["size"] == pytest.approx([2 * math.sqrt(2), 2 * math.sqrt(2), 2], abs=1e-4)
    loose = client.call("analysis.bounding_box", {"objects": ["Cube"], "exact": False})
    assert loose["objects"]["Cube"]["size"][0] == pytest.approx(2 * math.sqrt(2), abs=1e-4)
    add_box(client, "Far", (2, 2, 2), (10, 0, 0))
    both = client.call("analysis.bounding_box", {"objects": ["Cube", "Far"]})
    assert both["combined"]["max"][0] == pytest.approx(11) and both["combined"]["center"][2] == pytest.approx(0)


def test_bounding_box_bad_params(client):
    code, message = bad(client, "analysis.bounding_box", {"objects": []})
    assert code == "bad_params" and "at least 1" in message
    code, message = bad(client, "analysis.bounding_box", {"objects": ["Cube", "Ghost"]})
    assert code == "not_found" and "'Ghost'" in message


def test_measure_distance(client):
    add_box(client, "Other", (2, 2, 2), (5, 0, 0))
    origins = client.call("analysis.distance", {"first": "Cube", "second": "Other"})
    assert origins["distance"] == pytest.approx(0) and origins["mode"] == "origins"  # origin of Other is at 0
    run(client, "me = bpy.data.objects['Other'].data\nme.transform(__import__('mathutils').Matrix.Translation((-5, 0, 0)))\n"
                "bpy.data.objects['Other'].location = (5, 0, 0)")
    assert client.call("analysis.distance", {"first": "Cube", "second": "Other"})["distance"] == pytest.approx(5)
    closest = client.call("analysis.distance", {"first": "Cube", "second": "Other", "mode": "closest"})
    assert closest["distance"] == pytest.approx(3) and closest["mode"] == "closest"
    assert closest["point_a"][0] == pytest.approx(1) and closest["point_b"][0] == pytest.approx(4)
    run(client, "bpy.data.objects['Other'].location = (1, 0, 0)")
    assert client.call("analysis.distance", {"first": "Cube", "second": "Other", "mode": "closest"})["distance"] == 0


def test_measure_distance_bad_mode(client):
    code, message = bad(client, "analysis.distance", {"first": "Cube", "second": "Light", "mode": "surface"})
    assert code == "bad_params" and "one of 'origins', 'closest'" in message


def test_list_data_blocks(client):
    result = client.call("analysis.data_blocks", {"kind": "materials"})["kinds"]["materials"]
    users = {item["name"]: item["users"] for item in result["items"]}
    assert users["Material"] == 1 and result["count"] == len(users)
    run(client, "bpy.data.meshes.new('Spare')")
    orphans = client.call("analysis.data_blocks", {"kind": "all", "orphans_only": True})["kinds"]
    assert [item["name"] for item in orphans["meshes"]["items"]] == ["Spare"]
    # The used material is never listed (5.0's factory file has an unused "Dots Stroke" one).
    assert "Material" not in [item["name"] for item in orphans.get("materials", {"items": []})["items"]]
    assert all(item["users"] == 0 for kind in orphans.values() for item in kind["items"])


def test_list_data_blocks_bad_kind(client):
    code, message = bad(client, "analysis.data_blocks", {"kind": "spaceships"})
    assert code == "bad_params" and "'materials'" in message and "'spaceships'" in message


def test_scene_statistics(client):
    stats = client.call("analysis.scene_statistics")
    assert stats["objects"] == 3 and stats["objects_by_type"] == {"CAMERA": 1, "LIGHT": 1, "MESH": 1}
    assert (stats["vertices"], stats["faces"], stats["triangles"]) == (8, 6, 12)
    run(client, "bpy.data.objects['Cube'].modifiers.new('S', 'SUBSURF').levels = 1")
    assert client.call("analysis.scene_statistics")["faces"] == 24


def test_scene_statistics_takes_no_params(client):
    code, message = bad(client, "analysis.scene_statistics", {"scene": "Scene"})
    assert code == "bad_params" and "unknown param 'scene'" in message


# -- Blender API lookup ----------------------------------------------------------


def test_search_operators(client):
    result = client.call("analysis.search_operators", {"query": "bevel"})
    assert result["operators"][0]["operator"] == "mesh.bevel"
    assert result["operators"][0]["idname"] == "MESH_OT_bevel" and result["count"] >= 1
    two = client.call("analysis.search_operators", {"query": "primitive cube", "limit": 5})
    assert "mesh.primitive_cube_add" in [item["operator"] for item in two["operators"]]


def test_search_operators_bad_params(client):
    code, message = bad(client, "analysis.search_operators", {"query": "bevel", "limit": 0})
    assert code == "bad_params" and "between 1 and 500" in message
    code, message = bad(client, "analysis.search_operators", {"query": "   "})
    assert code == "bad_params" and "keyword" in message


def test_operator_info(client):
    for name in ("mesh.bevel", "MESH_OT_bevel"):
        info = client.call("analysis.operator_info", {"operator": name})
        properties = {prop["identifier"]: prop for prop in info["properties"]}
        assert info["operator"] == "mesh.bevel" and info["name"] == "Bevel"
        assert properties["segments"]["type"] == "INT" and properties["segments"]["default"] == 1
        assert "OFFSET" in [item["identifier"] for item in properties["offset_type"]["items"]]


def test_operator_info_bad_names(client):
    code, message = bad(client, "analysis.operator_info", {"operator": "bevel"})
    assert code == "bad_params" and "'mesh.bevel'" in message and "'bevel'" in message
    code, message = bad(client, "analysis.operator_info", {"operator": "mesh.bevvel"})
    assert code == "not_found" and "mesh.bevvel" in message


def test_rna_properties(client):
    subsurf = client.call("analysis.rna_properties", {"target": "SubsurfModifier"})
    levels = next(prop for prop in subsurf["properties"] if prop["identifier"] == "levels")
    assert subsurf["base"] == "Modifier" and levels["type"] == "INT" and levels["default"] == 1
    mesh = client.call("analysis.rna_properties", {"target": "objects['Cube'].data"})
    assert mesh["struct"] == "Mesh" and "vertices" in [prop["identifier"] for prop in mesh["properties"]]


def test_rna_properties_unknown(client):
    code, message = bad(client, "analysis.rna_properties", {"target": "SubsurfModifer"})
    assert code == "not_found" and "SubsurfModifer" in message
    code, message = bad(client, "analysis.rna_properties", {"target": "objects['Cube'].location"})
    assert code == "bad_params" and "not an RNA struct" in message


def test_property_value(client):
    vertices = client.call("analysis.property_value", {"path": "objects['Cube'].data.vertices"})
    assert vertices["length"] == 8 and vertices["value"]["length"] == 8
    run(client, "bpy.data.objects['Cube'].location = (1, 2, 3)")
    location = client.call("analysis.property_value", {"path": "bpy.data.objects[\"Cube\"].location"})
    assert location["value"] == pytest.approx([1, 2, 3]) and location["value_type"] == "Vector"
    first = client.call("analysis.property_value", {"path": "meshes['Cube'].vertices[0].co"})
    assert first["value"] == pytest.approx([1, 1, 1])


def test_property_value_refusals(client):
    code, message = bad(client, "analysis.property_value", {"path": "objects['Cube'].select_get"})
    assert code == "bad_params" and "is a function" in message
    code, message = bad(client, "analysis.property_value", {"path": "objects[Cube]"})
    assert code == "bad_params" and "quoted name" in message
    code, message = bad(client, "analysis.property_value", {"path": "objects['Ghost'].location"})
    assert code == "not_found" and "Ghost" in message
    code, message = bad(client, "analysis.property_value", {"path": "objects['Cube'].__class__"})
    assert code == "bad_params" and "private" in message


def test_modifier_and_object_types(client):
    modifiers = [item["identifier"] for item in client.call("analysis.modifier_types")["types"]]
    assert {"SUBSURF", "BEVEL", "BOOLEAN", "NODES"} <= set(modifiers)
    objects = [item["identifier"] for item in client.call("analysis.object_types")["types"]]
    assert {"MESH", "EMPTY", "CAMERA", "LIGHT"} <= set(objects)


def test_type_lists_take_no_params(client):
    for op in ("analysis.modifier_types", "analysis.object_types"):
        code, message = bad(client, op, {"kind": "x"})
        assert code == "bad_params" and "known params: none" in message


def test_enum_items(client):
    result = client.call("analysis.enum_items", {"struct": "Light", "property": "type"})
    assert [item["identifier"] for item in result["items"]] == ["POINT", "SUN", "SPOT", "AREA"]


def test_enum_items_bad_property(client):
    code, message = bad(client, "analysis.enum_items", {"struct": "Light", "property": "energy"})
    assert code == "bad_params" and "enum properties: " in message and "type" in message


def test_checks_see_edit_mode_changes(client):
    run(client, "import bmesh\nobj = bpy.data.objects['Cube']\nbpy.context.view_layer.objects.active = obj\n"
                "bpy.ops.object.mode_set(mode='EDIT')\nbm = bmesh.from_edit_mesh(obj.data)\nbm.faces.ensure_lookup_table()\n"
                "bmesh.ops.delete(bm, geom=[bm.faces[0]], context='FACES_ONLY')\nbmesh.update_edit_mesh(obj.data)")
    assert client.call("analysis.non_manifold", {"object": "Cube"})["boundary_edges"] == 4
    run(client, "bpy.ops.object.mode_set(mode='OBJECT')")
