"""Object ops against a real headless Blender: create, inspect, edit, page the scene."""

import math

import pytest

from conftest import clean_env, error_of, headless_command
from wire_clients import V1Client

FACTORY = {"Camera", "Cube", "Light"}


@pytest.fixture(scope="module")
def addon(launch_blender):
    """Default settings plus V1 (env), for the tests of what V1 clients see."""
    blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0"), clean_env(BMCP_ALLOW_V1="1"))
    yield blender
    blender.stop()


@pytest.fixture
def client(factory_client):
    return factory_client


@pytest.mark.parametrize(
    "kind, extra, mesh_type, dimensions, vertices",
    [
        ("cube", {"size": 3}, "MESH", [3, 3, 3], 8),
        ("plane", {"size": 4}, "MESH", [4, 4, 0], 4),
        ("uv_sphere", {"radius": 2}, "MESH", [4, 4, 4], None),
        ("ico_sphere", {}, "MESH", None, 42),
        ("cylinder", {"radius": 0.5, "depth": 3}, "MESH", [1, 1, 3], 64),
        ("cone", {"radius": 1, "depth": 2}, "MESH", [2, 2, 2], None),
        ("torus", {"radius": 1, "minor_radius": 0.25}, "MESH", [2.5, 2.5, 0.5], 48 * 12),
        ("circle", {"radius": 1.5}, "MESH", [3, 3, 0], 32),
        ("monkey", {}, "MESH", None, 507),
        ("empty", {"size": 0.5}, "EMPTY", None, None),
        ("light", {"light_type": "spot", "energy": 500}, "LIGHT", None, None),
        ("camera", {}, "CAMERA", None, None),
    ],
)
def test_create_every_kind(client, kind, extra, mesh_type, dimensions, vertices):
    result = client.call("object.create", {"type": kind, "name": f"new_{kind}", "location": [1, 2, 3], **extra})
    assert result["name"] == f"new_{kind}"
    assert result["type"] == mesh_type
    assert result["changed"] == {"created": [f"new_{kind}"], "modified": ["Collection"], "removed": []}
    info = client.call("object.info", {"name": f"new_{kind}"})
    assert info["location"] == pytest.approx([1, 2, 3])
    assert info["collections"] == ["Collection"]
    if dimensions is not None:
        assert info["dimensions"] == pytest.approx(dimensions, abs=1e-3)
    if vertices is not None:
        assert info["mesh"]["vertices"] == vertices
    if kind == "light":
        assert info["light"]["type"] == "SPOT"
        assert info["light"]["energy"] == pytest.approx(500)


def test_create_with_rotation_scale_and_collection(client):
    client.call("collection.create", {"name": "Props"})
    result = client.call(
        "object.create",
        {"type": "cube", "name": "Box", "rotation": [0, 0, math.pi / 2], "scale": [1, 2, 1], "collection": "Props"},
    )
    assert result["changed"]["modified"] == ["Props"]
    info = client.call("object.info", {"name": "Box"})
    assert info["rotation"] == pytest.approx([0, 0, math.pi / 2])
    assert info["dimensions"] == pytest.approx([2, 4, 2])
    assert info["collections"] == ["Props"]
    # Rotated 90° about Z, the 2 x 4 footprint lies 4 wide in X.
    box = info["world_bounding_box"]
    assert box["min"] == pytest.approx([-2, -1, -1])
    assert box["max"] == pytest.approx([2, 1, 1])


def test_create_refusals_name_the_param(client):
    error = error_of(client.request("object.create", {"type": "pyramid"}))
    assert error["code"] == "bad_params"
    assert "param 'type' must be one of 'cube'" in error["message"] and "got str 'pyramid'" in error["message"]
    error = error_of(client.request("object.create", {"type": "cube", "radius": 2}))
    assert error["message"] == "object.create: param 'radius' does not apply to type 'cube'"
    error = error_of(client.request("object.create", {"type": "cube", "size": -1}))
    assert error["message"] == "object.create: param 'size' must be a number of at least 0.0, got int -1"
    error = error_of(client.request("object.create", {"type": "cube", "location": [1, 2]}))
    assert "param 'location' must be an array of 3 numbers" in error["message"]
    error = error_of(client.request("object.create", {"type": "cube", "collection": "Nowhere"}))
    assert error == {"code": "not_found", "message": "no collection named 'Nowhere'"}
    assert set(o["name"] for o in client.call("scene.info")["objects"]) == FACTORY


def test_object_info_reports_bounds_modifiers_materials_and_triangles(client):
    client.call("object.transform", {"name": "Cube", "location": [10, 0, 0], "scale": [2, 1, 1]})
    client.call("modifier.add", {"object": "Cube", "type": "BEVEL", "name": "Round"})
    info = client.call("object.info", {"name": "Cube"})
    assert info["world_bounding_box"] == {"min": pytest.approx([8, -1, -1]), "max": pytest.approx([12, 1, 1])}
    assert info["modifiers"] == [{"name": "Round", "type": "BEVEL"}]
    assert info["materials"] == ["Material"]
    assert info["mesh"] == {"vertices": 8, "edges": 12, "polygons": 6, "triangles": 12}
    light = client.call("object.info", {"name": "Light"})
    assert light["world_bounding_box"]["min"] == light["world_bounding_box"]["max"] == pytest.approx(light["location"])


def test_transform_absolute_and_delta(client):
    result = client.call("object.transform", {"name": "Cube", "location": [1, 1, 1], "rotation": [0.1, 0, 0]})
    assert result["changed"] == {"created": [], "modified": ["Cube"], "removed": []}
    result = client.call(
        "object.transform",
        {"name": "Cube", "location": [1, 0, -1], "rotation": [0.2, 0, 0], "scale": [2, 3, 4], "delta": True},
    )
    assert result["location"] == pytest.approx([2, 1, 0])
    assert result["rotation"] == pytest.approx([0.3, 0, 0])
    assert result["scale"] == pytest.approx([2, 3, 4])
    assert error_of(client.request("object.transform", {"name": "Cube"}))["code"] == "bad_params"
    assert error_of(client.request("object.transform", {"name": "Ghost", "location": [0, 0, 0]}))["code"] == "not_found"


def test_rename(client):
    result = client.call("object.rename", {"name": "Cube", "new_name": "Block"})
    assert result["name"] == "Block"
    assert result["changed"]["modified"] == ["Block"]
    error = error_of(client.request("object.rename", {"name": "Block", "new_name": "Camera"}))
    assert error == {"code": "already_exists", "message": "an object named 'Camera' already exists"}
    assert error_of(client.request("object.rename", {"name": "Cube", "new_name": "X"}))["code"] == "not_found"


def test_parent_keep_transform_and_clear(client):
    client.call("object.create", {"type": "empty", "name": "Rig", "location": [5, 0, 0]})
    client.call("object.parent", {"name": "Cube", "parent": "Rig"})
    info = client.call("object.info", {"name": "Cube"})
    assert info["parent"] == "Rig"
    assert info["world_bounding_box"]["min"] == pytest.approx([-1, -1, -1])  # did not move
    assert client.call("object.info", {"name": "Rig"})["children"] == ["Cube"]
    client.call("object.transform", {"name": "Rig", "location": [6, 0, 0]})
    assert client.call("object.info", {"name": "Cube"})["world_bounding_box"]["min"] == pytest.approx([0, -1, -1])
    client.call("object.parent", {"name": "Cube", "parent": None})
    info = client.call("object.info", {"name": "Cube"})
    assert info["parent"] is None
    assert info["world_bounding_box"]["min"] == pytest.approx([0, -1, -1])  # kept where it was


def test_parent_without_keep_transform_moves_with_parent_and_refuses_cycles(client):
    client.call("object.create", {"type": "empty", "name": "Base", "location": [0, 0, 4]})
    client.call("object.parent", {"name": "Cube", "parent": "Base", "keep_transform": False})
    assert client.call("object.info", {"name": "Cube"})["world_bounding_box"]["min"] == pytest.approx([-1, -1, 3])
    error = error_of(client.request("object.parent", {"name": "Base", "parent": "Cube"}))
    assert error["code"] == "bad_params" and "cycle" in error["message"]
    assert error_of(client.request("object.parent", {"name": "Cube", "parent": "Ghost"}))["code"] == "not_found"


def test_duplicate_copy_and_linked(client):
    result = client.call("object.duplicate", {"name": "Cube", "new_name": "Cube2", "offset": [3, 0, 0]})
    assert result["changed"]["created"] == ["Cube2"]
    linked = client.call("object.duplicate", {"name": "Cube", "linked": True})
    code = (
        "o = bpy.data.objects\n"
        f"print(o['Cube'].data == o['Cube2'].data, o['Cube'].data == o[{linked['name']!r}].data)"
    )
    assert client.call("code.execute", {"code": code})["result"] == "False True\n"
    assert client.call("object.info", {"name": "Cube2"})["location"] == pytest.approx([3, 0, 0])
    error = error_of(client.request("object.duplicate", {"name": "Cube", "new_name": "Light"}))
    assert error["code"] == "already_exists"


def test_delete_is_all_or_nothing(client):
    error = error_of(client.request("object.delete", {"names": ["Cube", "Ghost", "Phantom"]}))
    assert error == {"code": "not_found", "message": "no object named 'Ghost', 'Phantom' in scene 'Scene'"}
    assert {o["name"] for o in client.call("scene.info")["objects"]} == FACTORY
    result = client.call("object.delete", {"names": ["Cube", "Light"]})
    assert result["changed"] == {"created": [], "modified": [], "removed": ["Cube", "Light"]}
    assert {o["name"] for o in client.call("scene.info")["objects"]} == {"Camera"}
    # The deleted cube's mesh does not linger as orphan data.
    assert client.call("code.execute", {"code": "print('Cube' in bpy.data.meshes)"})["result"] == "False\n"
    assert error_of(client.request("object.delete", {"names": "Cube"}))["code"] == "bad_params"


def test_select_and_active(client):
    result = client.call("object.select", {"names": ["Cube", "Light"], "active": "Light"})
    assert result["selected"] == ["Cube", "Light"]
    assert result["active"] == "Light"
    result = client.call("object.select", {"names": ["Camera"], "deselect_others": False})
    assert result["selected"] == ["Camera", "Cube", "Light"]
    assert result["changed"]["modified"] == ["Camera"]
    result = client.call("object.select", {"names": []})
    assert result["selected"] == []


def test_scene_info_pages_with_cursor_and_fields(client):
    code = "for i in range(25):\n    o = bpy.data.objects.new(f'E{i:02d}', None)\n    bpy.context.scene.collection.objects.link(o)"
    client.call("code.execute", {"code": code})
    seen = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 10, "fields": ["name", "parent", "collection", "visible", "dimensions"]}
        if cursor:
            params["cursor"] = cursor
        page = client.call("scene.info", params)
        assert page["total"] == 28
        assert all(set(o) == {"name", "parent", "collection", "visible", "dimensions"} for o in page["objects"])
        seen += [o["name"] for o in page["objects"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(seen) and len(seen) == 28 and len(set(seen)) == 28
    cube = client.call("scene.info", {"fields": ["name", "collection", "rotation", "scale"], "cursor": "Clight"})["objects"][0]
    assert cube == {"name": "Cube", "collection": "Collection", "rotation": [0, 0, 0], "scale": [1, 1, 1]}


def test_scene_info_param_checks(client):
    error = error_of(client.request("scene.info", {"limit": 5000}))
    assert error["message"] == "scene.info: param 'limit' must be an integer between 1 and 1000, got int 5000"
    error = error_of(client.request("scene.info", {"fields": ["name", "colour"]}))
    assert "param 'fields' must be an array of: name, type" in error["message"]


def test_v1_scene_info_lists_every_object(client, addon):
    code = "for i in range(1100):\n    o = bpy.data.objects.new(f'Many{i:04d}', None)\n    bpy.context.scene.collection.objects.link(o)"
    client.call("code.execute", {"code": code})
    with V1Client(addon.address) as v1:
        result = v1.command("get_scene_info")["result"]
    assert result["object_count"] == 1103
    assert len(result["objects"]) == 1103
    assert set(result["objects"][0]) == {"name", "type", "location"}
    assert "next_cursor" not in result


def test_v1_object_info_keeps_v1_bounding_box_shape(client, addon):
    with V1Client(addon.address) as v1:
        result = v1.command("get_object_info", {"name": "Cube"})["result"]
    assert result["world_bounding_box"] == [[-1, -1, -1], [1, 1, 1]]
    assert result["mesh"]["polygons"] == 6


def test_scene_snapshot_lists_every_object_with_sizes_bounds_and_materials(client):
    client.call("material.create", {"name": "Clay", "base_color": [0.5, 0.25, 0.0]})
    client.call("object.transform", {"name": "Cube", "location": [10, 0, 0], "scale": [2, 1, 1]})
    client.call("material.assign", {"object": "Cube", "material": "Clay"})
    snapshot = client.call("scene.snapshot")
    objects = {obj["name"]: obj for obj in snapshot["objects"]}
    assert set(objects) == {"Cube", "Camera", "Light"} and snapshot["object_count"] == 3
    assert not snapshot["truncated"]
    cube = objects["Cube"]
    assert cube["type"] == "MESH" and cube["collection"] == "Collection" and "Clay" in cube["materials"]
    assert cube["dimensions"] == pytest.approx([4, 2, 2])
    assert cube["world_bounding_box"] == {"min": pytest.approx([8, -1, -1]), "max": pytest.approx([12, 1, 1])}
    assert {"name": "Clay", "base_color": pytest.approx([0.5, 0.25, 0.0, 1.0])} in snapshot["materials"]
    # Read-only: the scene is as it was.
    assert client.call("scene.info")["object_count"] == 3
