"""The nodes toolset against a real headless Blender: geometry-node groups change the
evaluated mesh, shader nodes are linked in the material's tree, values land on sockets."""

import pytest

from blender_helpers import addon_with_files_root, printed_json as py
from conftest import error_of


files_root, addon, client = addon_with_files_root("nodes-files")


def links_of(client, tree_expr):
    return py(client, f"import json; t = {tree_expr}\n"
                      "print(json.dumps(sorted([l.from_node.name, l.from_socket.name, l.to_node.name, l.to_socket.name]"
                      " for l in t.links)))")


def evaluated(client, name="Cube"):
    return client.call("geonodes.evaluated", {"object": name})


def subdivided_cube(client):
    """Cube -> Group Input -> Subdivide Mesh -> Group Output; the group's name."""
    group = client.call("geonodes.create", {"object": "Cube"})["group"]
    client.call("geonodes.add_node", {"group": group, "type": "GeometryNodeSubdivideMesh", "name": "Subdiv"})
    client.call("geonodes.connect", {"group": group, "from_node": "Group Input", "from_socket": "Geometry",
                                     "to_node": "Subdiv", "to_socket": "Mesh"})
    client.call("geonodes.connect", {"group": group, "from_node": "Subdiv", "from_socket": 0,
                                     "to_node": "Group Output", "to_socket": 0})
    return group


def material(client, name="Mat"):
    client.call("material.create", {"name": name})
    return f"bpy.data.materials['{name}'].node_tree"


# -- geometry nodes ----------------------------------------------------------------------


def test_create_geometry_nodes_links_input_to_output(client):
    result = client.call("geonodes.create", {"object": "Cube", "modifier": "GN"})
    assert result["group"] == "Cube Nodes" and result["created_group"] is True
    assert result["changed"]["created"] == ["Cube Nodes"]
    modifiers = py(client, "import json\n"
                           "print(json.dumps([(m.type, m.node_group.name) for m in bpy.data.objects['Cube'].modifiers]))")
    assert modifiers == [["NODES", "Cube Nodes"]]
    assert links_of(client, "bpy.data.node_groups['Cube Nodes']") == [["Group Input", "Geometry", "Group Output", "Geometry"]]
    assert evaluated(client)["vertices"] == 8
    # A second object reuses the group.
    client.call("object.create", {"type": "plane", "name": "P"})
    again = client.call("geonodes.create", {"object": "P", "group": "Cube Nodes"})
    assert again["created_group"] is False and again["changed"]["created"] == []
    assert client.call("geonodes.list", {"group": "Cube Nodes"})["used_by"] == ["Cube/GN", "P/GeometryNodes"]


def test_create_geometry_nodes_refusals(client):
    error = error_of(client.request("geonodes.create", {"object": "Camera"}))
    assert error["code"] == "bad_params" and "CAMERA" in error["message"]
    assert error_of(client.request("geonodes.create", {"object": "Nope"}))["code"] == "not_found"
    client.call("geonodes.create", {"object": "Cube"})
    assert error_of(client.request("geonodes.create", {"object": "Cube"}))["code"] == "already_exists"


def test_subdivide_node_changes_the_evaluated_mesh(client):
    group = subdivided_cube(client)
    assert links_of(client, f"bpy.data.node_groups['{group}']") == [
        ["Group Input", "Geometry", "Subdiv", "Mesh"], ["Subdiv", "Mesh", "Group Output", "Geometry"]]
    assert evaluated(client)["vertices"] == 26  # level 1: 8 corners + 12 edge points + 6 face points
    result = client.call("geonodes.set_input", {"group": group, "node": "Subdiv", "socket": "Level", "value": 2})
    assert result["value"] == 2 and "Cube" in result["changed"]["modified"]
    assert py(client, f"print(bpy.data.node_groups['{group}'].nodes['Subdiv'].inputs['Level'].default_value)") == 2
    counts = evaluated(client)
    assert counts["vertices"] == 98 and counts["faces"] == 96 and counts["original"]["vertices"] == 8


def test_mesh_to_points_makes_a_point_cloud(client):
    group = client.call("geonodes.create", {"object": "Cube"})["group"]
    node = client.call("geonodes.add_node", {"group": group, "type": "GeometryNodeMeshToPoints", "location": [0, 0]})
    assert node["node"] == "Mesh to Points" and "Points" in node["outputs"]
    client.call("geonodes.connect", {"group": group, "from_node": "Group Input", "from_socket": 0,
                                     "to_node": "Mesh to Points", "to_socket": "Mesh"})
    linked = client.call("geonodes.connect", {"group": group, "from_node": "Mesh to Points", "from_socket": "Points",
                                              "to_node": "Group Output", "to_socket": "Geometry"})
    assert linked["replaced_from"] == ["Group Input"]
    counts = evaluated(client)
    assert counts["points"] == 8 and counts["vertices"] == 0


def test_add_geometry_node_refusals(client):
    group = client.call("geonodes.create", {"object": "Cube"})["group"]
    error = error_of(client.request("geonodes.add_node", {"group": group, "type": "GeometryNodeSubdivideMesch"}))
    assert error["code"] == "bad_params" and "GeometryNodeSubdivideMesh" in error["message"]
    error = error_of(client.request("geonodes.add_node", {"group": group, "type": "ShaderNodeBsdfPrincipled"}))
    assert "not a node type of geometry trees" in error["message"]
    error = error_of(client.request("geonodes.add_node", {"group": "Nope", "type": "GeometryNodeSubdivideMesh"}))
    assert error["code"] == "not_found" and group in error["message"]
    error = error_of(client.request("geonodes.add_node", {"group": group, "type": "X", "location": [1]}))
    assert "location" in error["message"] and "2 numbers" in error["message"]


def test_connect_refusals_name_the_sockets(client):
    group = subdivided_cube(client)
    error = error_of(client.request("geonodes.connect", {"group": group, "from_node": "Subdiv", "from_socket": "Nope",
                                                         "to_node": "Group Output", "to_socket": 0}))
    assert error["code"] == "bad_params" and "0:Mesh" in error["message"]
    error = error_of(client.request("geonodes.connect", {"group": group, "from_node": "Subdiv", "from_socket": 7,
                                                         "to_node": "Group Output", "to_socket": 0}))
    assert "between 0 and 0" in error["message"] and "got 7" in error["message"]
    error = error_of(client.request("geonodes.connect", {"group": group, "from_node": "Subdivv", "from_socket": 0,
                                                         "to_node": "Group Output", "to_socket": 0}))
    assert error["code"] == "not_found" and "Subdiv" in error["message"]
    error = error_of(client.request("geonodes.connect", {"group": group, "from_node": "Subdiv", "from_socket": -1,
                                                         "to_node": "Group Output", "to_socket": 0}))
    assert "socket name or a socket index" in error["message"]
    client.call("geonodes.add_node", {"group": group, "type": "ShaderNodeMath", "name": "Calc"})
    error = error_of(client.request("geonodes.connect", {"group": group, "from_node": "Calc", "from_socket": 0,
                                                         "to_node": "Group Output", "to_socket": 0}))
    assert "cannot feed" in error["message"] and "GEOMETRY" in error["message"]
    assert ["Subdiv", "Mesh", "Group Output", "Geometry"] in links_of(client, f"bpy.data.node_groups['{group}']")
    assert evaluated(client)["vertices"] == 26


def test_set_geometry_node_input_refusals(client):
    group = subdivided_cube(client)
    error = error_of(client.request("geonodes.set_input", {"group": group, "node": "Subdiv", "socket": "Level", "value": "x"}))
    assert error["code"] == "bad_params" and "INT" in error["message"] and "integer" in error["message"]
    error = error_of(client.request("geonodes.set_input", {"group": group, "node": "Subdiv", "socket": "Mesh", "value": 1}))
    assert "linked from node 'Group Input'" in error["message"]


def test_disconnect_and_remove_geometry_nodes(client):
    group = subdivided_cube(client)
    removed = client.call("geonodes.disconnect", {"group": group, "to_node": "Group Output", "to_socket": "Geometry"})
    assert removed["removed"] == ["Subdiv.Mesh"]
    assert links_of(client, f"bpy.data.node_groups['{group}']") == [["Group Input", "Geometry", "Subdiv", "Mesh"]]
    assert evaluated(client)["vertices"] == 0
    error = error_of(client.request("geonodes.disconnect", {"group": group, "to_node": "Group Output", "to_socket": 0}))
    assert error["code"] == "not_found" and "has no link" in error["message"]
    result = client.call("geonodes.remove_node", {"group": group, "node": "Subdiv"})
    assert result["links_removed"] == 1
    assert [n["name"] for n in client.call("geonodes.list", {"group": group})["nodes"]] == ["Group Input", "Group Output"]
    error = error_of(client.request("geonodes.remove_node", {"group": group, "node": "Subdiv"}))
    assert error["code"] == "not_found"


def test_list_geometry_nodes_describes_sockets_and_links(client):
    group = subdivided_cube(client)
    listing = client.call("geonodes.list", {"group": group})
    subdiv = next(n for n in listing["nodes"] if n["name"] == "Subdiv")
    assert subdiv["type"] == "GeometryNodeSubdivideMesh"
    level = next(s for s in subdiv["inputs"] if s["name"] == "Level")
    assert level["value"] == 1 and level["type"] == "INT"
    assert subdiv["inputs"][0]["linked_from"] == ["Group Input.Geometry"]
    assert len(listing["links"]) == 2 and all(link["valid"] for link in listing["links"])
    assert error_of(client.request("geonodes.list", {"group": ""}))["code"] == "bad_params"


def test_group_input_drives_the_modifier(client):
    group = subdivided_cube(client)
    added = client.call("geonodes.add_group_input", {
        "group": group, "name": "Detail", "socket_type": "INT", "default": 2, "min_value": 0, "max_value": 5,
        "to_node": "Subdiv", "to_socket": "Level"})
    assert added["linked_to"] == "Subdiv.Level" and "Cube" in added["changed"]["modified"]
    assert evaluated(client)["vertices"] == 98
    listing = client.call("geonodes.list", {"group": group})
    assert {"name": "Detail", "identifier": added["identifier"], "type": "INT"} in listing["group_inputs"]
    result = client.call("geonodes.set_modifier_input", {"object": "Cube", "input": "Detail", "value": 3})
    assert result["value"] == 3 and result["identifier"] == added["identifier"]
    assert evaluated(client)["vertices"] == 386
    by_identifier = client.call("geonodes.set_modifier_input", {"object": "Cube", "input": added["identifier"], "value": 1})
    assert by_identifier["input"] == "Detail"
    assert evaluated(client)["vertices"] == 26


def test_float_object_and_boolean_group_inputs(client):
    group = client.call("geonodes.create", {"object": "Cube"})["group"]
    client.call("geonodes.add_group_input", {"group": group, "name": "Size", "socket_type": "float", "default": 0.5})
    client.call("geonodes.add_group_input", {"group": group, "name": "Target", "socket_type": "OBJECT"})
    client.call("geonodes.add_group_input", {"group": group, "name": "On", "socket_type": "BOOLEAN"})
    client.call("geonodes.set_modifier_input", {"object": "Cube", "input": "Size", "value": 2})
    client.call("geonodes.set_modifier_input", {"object": "Cube", "input": "Target", "value": "Camera"})
    client.call("geonodes.set_modifier_input", {"object": "Cube", "input": "On", "value": True})
    values = py(client, "import json; m = bpy.data.objects['Cube'].modifiers[0]\n"
                        f"g = bpy.data.node_groups['{group}']\n"
                        "print(json.dumps([m[k] if not hasattr(m[k], 'name') else m[k].name for k in m.keys()"
                        " if not k.endswith(('_use_attribute', '_attribute_name'))]))")
    assert values == [2.0, "Camera", True]
    error = error_of(client.request("geonodes.set_modifier_input", {"object": "Cube", "input": "Target", "value": "Nope"}))
    assert error["code"] == "not_found" and "no object named 'Nope'" in error["message"]


def test_group_input_refusals(client):
    group = subdivided_cube(client)
    error = error_of(client.request("geonodes.add_group_input", {"group": group, "name": "X", "socket_type": "FLOAT",
                                                                 "min_value": 3, "max_value": 1}))
    assert error["code"] == "bad_params" and "must not exceed" in error["message"]
    error = error_of(client.request("geonodes.add_group_input", {"group": group, "name": "X", "socket_type": "NUMBER"}))
    assert "'FLOAT'" in error["message"] and "'INT'" in error["message"]
    error = error_of(client.request("geonodes.add_group_input", {"group": group, "name": "X", "socket_type": "INT",
                                                                 "to_node": "Subdiv"}))
    assert "both to_node and to_socket" in error["message"]
    count = len(client.call("geonodes.list", {"group": group})["group_inputs"])
    assert count == 1  # nothing was added by the refusals
    error = error_of(client.request("geonodes.set_modifier_input", {"object": "Cube", "input": "Nope", "value": 1}))
    assert error["code"] == "bad_params" and "no settable input 'Nope'" in error["message"]
    error = error_of(client.request("geonodes.set_modifier_input", {"object": "Camera", "input": "Nope", "value": 1}))
    assert error["code"] == "not_found" and "no Geometry Nodes modifier" in error["message"]


def test_set_node_property_on_a_math_node(client):
    group = client.call("geonodes.create", {"object": "Cube"})["group"]
    client.call("geonodes.add_node", {"group": group, "type": "ShaderNodeMath", "name": "Calc"})
    result = client.call("nodes.set_property", {"tree_type": "geometry", "tree": group, "node": "Calc",
                                                "property": "operation", "value": "multiply"})
    assert result["value"] == "MULTIPLY"
    assert py(client, f"import json; print(json.dumps(bpy.data.node_groups['{group}'].nodes['Calc'].operation))") == "MULTIPLY"
    client.call("nodes.set_property", {"tree_type": "geometry", "tree": group, "node": "Calc",
                                       "property": "use_clamp", "value": True})
    assert py(client, f"import json; print(json.dumps(bpy.data.node_groups['{group}'].nodes['Calc'].use_clamp))") is True
    error = error_of(client.request("nodes.set_property", {"tree_type": "geometry", "tree": group, "node": "Calc",
                                                           "property": "operation", "value": "TIMES"}))
    assert error["code"] == "bad_params" and "MULTIPLY" in error["message"] and "TIMES" in error["message"]
    error = error_of(client.request("nodes.set_property", {"tree_type": "geometry", "tree": group, "node": "Calc",
                                                           "property": "colour", "value": 1}))
    assert "operation" in error["message"] and "use_clamp" in error["message"]
    error = error_of(client.request("nodes.set_property", {"tree_type": "world", "tree": group, "node": "Calc",
                                                           "property": "operation", "value": "ADD"}))
    assert "'geometry', 'shader'" in error["message"]


def test_set_node_property_in_a_material(client):
    tree = material(client)
    client.call("shader.add_node", {"material": "Mat", "type": "ShaderNodeTexNoise", "name": "N"})
    client.call("nodes.set_property", {"tree_type": "shader", "tree": "Mat", "node": "N",
                                       "property": "noise_dimensions", "value": "2D"})
    assert py(client, f"import json; print(json.dumps({tree}.nodes['N'].noise_dimensions))") == "2D"


def test_list_node_types_per_tree(client):
    geometry = client.call("nodes.types", {"tree_type": "geometry", "search": "subdivi", "limit": 500})
    names = {t["type"] for t in geometry["types"]}
    assert {"GeometryNodeSubdivideMesh", "GeometryNodeSubdivisionSurface"} <= names
    everything = {t["type"] for t in client.call("nodes.types", {"tree_type": "geometry", "limit": 500})["types"]}
    assert "ShaderNodeMath" in everything and "ShaderNodeBsdfPrincipled" not in everything
    shader = {t["type"] for t in client.call("nodes.types", {"tree_type": "shader", "search": "texture", "limit": 500})["types"]}
    assert "ShaderNodeTexImage" in shader and "GeometryNodeSubdivideMesh" not in shader
    assert client.call("nodes.types", {"tree_type": "shader", "limit": 3})["total"] > 3
    error = error_of(client.request("nodes.types", {"tree_type": "shader", "limit": 0}))
    assert "between 1 and 500" in error["message"]


def test_get_evaluated_geometry_refuses_a_camera(client):
    error = error_of(client.request("geonodes.evaluated", {"object": "Camera"}))
    assert error["code"] == "bad_params" and "CAMERA" in error["message"]


# -- shader nodes ------------------------------------------------------------------------


def test_add_and_connect_shader_nodes(client):
    tree = material(client)
    added = client.call("shader.add_node", {"material": "Mat", "type": "ShaderNodeTexNoise", "location": [-400, 0]})
    # 5.0 names the Fac output Factor (its identifier is still Fac, which finds it).
    assert added["node"] == "Noise Texture" and {"Fac", "Factor"} & set(added["outputs"])
    client.call("shader.connect", {"material": "Mat", "from_node": "Noise Texture", "from_socket": "Fac",
                                   "to_node": "Principled BSDF", "to_socket": "Roughness"})
    scalar = [l for l in links_of(client, tree) if l[0] == "Noise Texture"]
    assert scalar == [["Noise Texture", scalar[0][1], "Principled BSDF", "Roughness"]] and scalar[0][1] in ("Fac", "Factor")
    listing = client.call("shader.list", {"material": "Mat"})
    principled = next(n for n in listing["nodes"] if n["name"] == "Principled BSDF")
    roughness = next(s for s in principled["inputs"] if s["name"] == "Roughness")
    assert roughness["linked_from"] == [f"Noise Texture.{scalar[0][1]}"]
    error = error_of(client.request("shader.add_node", {"material": "Mat", "type": "GeometryNodeSubdivideMesh"}))
    assert "not a node type of shader trees" in error["message"]
    error = error_of(client.request("shader.connect", {"material": "Mat", "from_node": "Noise Texture", "from_socket": "Colour",
                                                       "to_node": "Principled BSDF", "to_socket": 0}))
    assert "has no output socket 'Colour'" in error["message"] and "Color" in error["message"]
    assert error_of(client.request("shader.list", {"material": "Nope"}))["code"] == "not_found"


def test_set_shader_node_input_takes_either_principled_spelling(client):
    tree = material(client)
    result = client.call("shader.set_input", {"material": "Mat", "node": "Principled BSDF",
                                              "socket": "Emission Color", "value": [1, 0.5, 0]})
    assert result["value"] == pytest.approx([1, 0.5, 0, 1])
    client.call("shader.set_input", {"material": "Mat", "node": "Principled BSDF", "socket": "Specular IOR Level", "value": 0.25})
    client.call("shader.set_input", {"material": "Mat", "node": "Principled BSDF", "socket": "Roughness", "value": 0.75})
    values = py(client, f"import json; n = {tree}.nodes['Principled BSDF']\n"
                        "e = [i for i in n.inputs if i.name in ('Emission', 'Emission Color')][0]\n"
                        "s = [i for i in n.inputs if i.name in ('Specular', 'Specular IOR Level')][0]\n"
                        "print(json.dumps([list(e.default_value), s.default_value, n.inputs['Roughness'].default_value]))")
    assert values[0] == pytest.approx([1, 0.5, 0, 1]) and values[1:] == pytest.approx([0.25, 0.75])
    error = error_of(client.request("shader.set_input", {"material": "Mat", "node": "Principled BSDF",
                                                         "socket": "Base Color", "value": 0.5}))
    assert error["code"] == "bad_params" and "3 or 4 numbers" in error["message"]
    error = error_of(client.request("shader.set_input", {"material": "Mat", "node": "Material Output",
                                                         "socket": "Surface", "value": 1}))
    assert "linked from node 'Principled BSDF'" in error["message"]


def test_disconnect_and_remove_shader_nodes(client):
    tree = material(client)
    result = client.call("shader.disconnect", {"material": "Mat", "to_node": "Material Output", "to_socket": "Surface"})
    assert result["removed"] == ["Principled BSDF.BSDF"]
    assert links_of(client, tree) == []
    error = error_of(client.request("shader.disconnect", {"material": "Mat", "to_node": "Material Output", "to_socket": "Surface"}))
    assert error["code"] == "not_found"
    assert client.call("shader.remove_node", {"material": "Mat", "node": "Principled BSDF"})["removed"] == "Principled BSDF"
    assert py(client, f"import json; print(json.dumps([n.name for n in {tree}.nodes]))") == ["Material Output"]
    assert error_of(client.request("shader.remove_node", {"material": "Mat", "node": "Principled BSDF"}))["code"] == "not_found"


def test_add_image_texture_from_a_saved_image(client, files_root):
    target = files_root / "textures" / "checker.png"
    client.call("code.execute", {"code": (
        f"import os; os.makedirs({str(target.parent)!r}, exist_ok=True)\n"
        "img = bpy.data.images.new('src', 4, 2)\n"
        "img.pixels = [0.5] * (4 * 2 * 4)\n"
        f"img.filepath_raw = {str(target)!r}; img.file_format = 'PNG'; img.save()\n"
        "bpy.data.images.remove(img)")})
    assert target.is_file()
    tree = material(client)
    result = client.call("shader.image_texture", {"material": "Mat", "path": "textures/checker.png"})
    assert result["size"] == [4, 2] and result["linked"] == "Color -> Principled BSDF.Base Color"
    assert result["changed"]["created"] == [result["image"]]
    assert ["Image Texture", "Color", "Principled BSDF", "Base Color"] in links_of(client, tree)
    rough = client.call("shader.image_texture", {"material": "Mat", "path": str(target), "to_socket": "Roughness",
                                                 "non_color": True, "name": "Rough"})
    assert rough["colorspace"] == "Non-Color" and rough["node"] == "Rough"
    assert py(client, f"import json; print(json.dumps({tree}.nodes['Rough'].image.filepath))") == str(target)


def test_add_image_texture_refusals(client, files_root):
    material(client)
    error = error_of(client.request("shader.image_texture", {"material": "Mat", "path": "/etc/hostname"}))
    assert error["code"] == "path_not_allowed" and str(files_root) in error["message"]
    error = error_of(client.request("shader.image_texture", {"material": "Mat", "path": "missing.png"}))
    assert error["code"] == "not_found"
    (files_root / "not-an-image.png").write_text("hello")
    error = error_of(client.request("shader.image_texture", {"material": "Mat", "path": "not-an-image.png"}))
    assert error["code"] == "file_unreadable"
    error = error_of(client.request("shader.image_texture", {"material": "Mat", "path": "x.png", "output": "Beta"}))
    assert "'Color', 'Alpha'" in error["message"]


@pytest.mark.parametrize("kind, node_type", [
    ("noise", "ShaderNodeTexNoise"), ("voronoi", "ShaderNodeTexVoronoi"), ("wave", "ShaderNodeTexWave"),
    ("checker", "ShaderNodeTexChecker"), ("magic", "ShaderNodeTexMagic"), ("brick", "ShaderNodeTexBrick"),
    ("gradient", "ShaderNodeTexGradient"), ("musgrave", None),
])
def test_add_procedural_texture_links_it(client, kind, node_type):
    tree = material(client)
    result = client.call("shader.procedural_texture", {"material": "Mat", "kind": kind, "scale": 12})
    if node_type:
        assert result["type"] == node_type
    linked = [l for l in links_of(client, tree) if l[2:] == ["Principled BSDF", "Base Color"]]
    assert linked == [[result["node"], linked[0][1], "Principled BSDF", "Base Color"]]
    if kind != "gradient":
        assert py(client, f"print({tree}.nodes[{result['node']!r}].inputs['Scale'].default_value)") == 12


def test_procedural_texture_fac_into_another_node(client):
    tree = material(client)
    noise = client.call("shader.procedural_texture", {"material": "Mat", "kind": "noise", "output": "Fac",
                                                      "to_socket": "Roughness"})
    assert noise["linked"] in ("Fac -> Principled BSDF.Roughness", "Factor -> Principled BSDF.Roughness")
    assert [l for l in links_of(client, tree) if l[2:] == ["Principled BSDF", "Roughness"]][0][0] == noise["node"]
    client.call("shader.add_node", {"material": "Mat", "type": "ShaderNodeBump", "name": "Bump"})
    result = client.call("shader.procedural_texture", {"material": "Mat", "kind": "voronoi", "output": "Fac",
                                                       "to_node": "Bump", "to_socket": "Height"})
    assert result["linked"] == "Distance -> Bump.Height"
    assert [result["node"], "Distance", "Bump", "Height"] in links_of(client, tree)
    error = error_of(client.request("shader.procedural_texture", {"material": "Mat", "kind": "marble"}))
    assert error["code"] == "bad_params" and "'noise'" in error["message"]
    error = error_of(client.request("shader.procedural_texture", {"material": "Mat", "kind": "noise", "scale": 5000}))
    assert "between 0.0 and 1000.0" in error["message"]
