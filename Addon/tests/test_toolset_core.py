"""The core tools' behaviour where their declaration says something checkable: rotations are
radians, scene.info pages by cursor and refuses a cursor it never gave, glTF export works on
the default install, and numbers out of a declared range are refused naming it."""

import json
import math
import struct

import pytest

from blender_helpers import addon_with_files_root, printed_json
from conftest import error_of


files_root, addon, client = addon_with_files_root("core-files")


def world_axis(client, name, axis):
    # matrix_world is refreshed by an evaluation; headless, nothing else runs one between calls.
    code = (f"bpy.context.view_layer.update()\no = bpy.data.objects['{name}']\n"
            f"print([round(v, 9) for v in o.matrix_world.to_3x3() @ mathutils.Vector({axis})])")
    return printed_json(client, code)


def test_create_object_rotation_is_radians(client):
    client.call("object.create", {"type": "cube", "name": "Turned", "rotation": [0, 0, math.pi / 2]})
    # A quarter turn about z takes the cube's own x axis onto world y.
    assert world_axis(client, "Turned", (1, 0, 0)) == pytest.approx([0, 1, 0], abs=1e-6)
    assert client.call("object.info", {"name": "Turned"})["rotation"] == pytest.approx([0, 0, math.pi / 2])


def test_transform_object_rotation_is_radians_and_delta_adds(client):
    client.call("object.transform", {"name": "Cube", "rotation": [math.pi / 2, 0, 0]})
    # A quarter turn about x takes local y onto world z.
    assert world_axis(client, "Cube", (0, 1, 0)) == pytest.approx([0, 0, 1], abs=1e-6)
    client.call("object.transform", {"name": "Cube", "rotation": [math.pi / 2, 0, 0], "delta": True})
    assert world_axis(client, "Cube", (0, 1, 0)) == pytest.approx([0, -1, 0], abs=1e-6)


def test_transform_object_needs_a_known_object_and_three_numbers(client):
    assert error_of(client.request("object.transform", {"name": "Ghost", "location": [0, 0, 0]}))["code"] == "not_found"
    error = error_of(client.request("object.transform", {"name": "Cube", "rotation": [0, 90]}))
    assert "param 'rotation' must be an array of 3 numbers" in error["message"]


def test_scene_info_pages_and_refuses_a_cursor_it_never_gave(client):
    first = client.call("scene.info", {"limit": 2})
    assert [o["name"] for o in first["objects"]] == ["Camera", "Cube"] and first["next_cursor"] == "Cube"
    last = client.call("scene.info", {"limit": 2, "cursor": first["next_cursor"]})
    assert [o["name"] for o in last["objects"]] == ["Light"] and last["next_cursor"] is None
    for cursor in ("", "x" * 64, 7):
        error = error_of(client.request("scene.info", {"cursor": cursor}))
        assert error["code"] == "bad_params" and "param 'cursor'" in error["message"], error
    error = error_of(client.request("scene.info", {"limit": 0}))
    assert "param 'limit' must be an integer between 1 and 1000" in error["message"]


def glb_json(data):
    """The JSON chunk of a binary glTF: 12-byte header, then chunk length, type 'JSON', data."""
    assert data[:4] == b"glTF"
    length, kind = struct.unpack("<I4s", data[12:20])
    assert kind == b"JSON"
    return json.loads(data[20:20 + length])


def test_export_scene_to_glb_works_on_this_install(client, files_root):
    # Debian's Blender needs python3-numpy for its glTF exporter; bootstrap.sh installs it.
    result = client.call("file.export", {"path": "scene/house.glb", "format": "glb"})
    path = files_root / "scene" / "house.glb"
    assert result["path"] == str(path) and result["size"] == path.stat().st_size > 0
    document = glb_json(path.read_bytes())
    assert "Cube" in [node.get("name") for node in document["nodes"]]
    assert len(document["meshes"]) >= 1
    cube = document["meshes"][0]["primitives"][0]
    assert document["accessors"][cube["attributes"]["POSITION"]]["count"] >= 8


def test_render_image_size_is_bounded_by_its_schema(client):
    error = error_of(client.request("render.image", {"width": 5000}))
    assert "param 'width' must be an integer between 1 and 2048" in error["message"]
    error = error_of(client.request("render.viewport", {"format": "gif", "filepath": "x.gif"}))
    assert "param 'format' must be one of 'bmp', 'jpeg', 'jpg', 'png', 'tiff'" in error["message"]


def test_registry_refuses_with_the_unit_when_a_param_has_one(client):
    error = error_of(client.request("arch.stairs", {"total_rise": 3.0, "tread": 0.4}))
    assert error["message"] == "arch.stairs: param 'tread' must be between 0.21 and 0.35 m, got 0.4"
    error = error_of(client.request("arch.roof", {"type": "gable", "width": 6, "depth": 8, "gable_fraction": 0.9}))
    assert error["message"] == "arch.roof: param 'gable_fraction' must be between 0.2 and 0.8, got 0.9"
    error = error_of(client.request("arch.column_grid", {"nx": 0}))
    assert "param 'nx' must be an integer between 1 and 50, got int 0" in error["message"]


def test_every_modifier_type_the_schema_names_is_one_this_blender_has(client):
    """MODIFIER_TYPES is the add_modifier enum; a Blender that lacked one would refuse a call
    the schema allows (this runs on 3.4 and on 5.0 in CI)."""
    from result_shapes import CATALOGUE

    tools = {tool["name"]: tool for tool in json.loads(CATALOGUE.read_text())["tools"]}
    MODIFIER_TYPES = tools["add_modifier"]["inputSchema"]["properties"]["type"]["enum"]
    assert "SUBSURF" in MODIFIER_TYPES
    code = "import bpy, json\nprint(json.dumps([i.identifier for i in bpy.types.Modifier.bl_rna.properties['type'].enum_items]))"
    have = set(json.loads(client.call("code.execute", {"code": code})["result"]))
    assert set(MODIFIER_TYPES) <= have, sorted(set(MODIFIER_TYPES) - have)
    made = client.call("modifier.add", {"object": "Cube", "type": "weld"})
    assert made["type"] == "WELD"
