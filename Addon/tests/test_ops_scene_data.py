"""Materials, collections and modifiers against a real headless Blender."""

import pytest

from conftest import error_of


@pytest.fixture
def client(factory_client):
    return factory_client


def blender_value(client, expression):
    return client.call("code.execute", {"code": f"print(repr({expression}))"})["result"].strip()


# -- materials ---------------------------------------------------------------------


def test_material_create_sets_principled_inputs(client):
    result = client.call(
        "material.create",
        {
            "name": "Brass",
            "base_color": [0.8, 0.6, 0.2],
            "metallic": 1,
            "roughness": 0.3,
            "emission_color": [1, 0, 0, 1],
            "emission_strength": 2.5,
        },
    )
    assert result["changed"] == {"created": ["Brass"], "modified": [], "removed": []}
    assert result["base_color"] == pytest.approx([0.8, 0.6, 0.2, 1.0])
    assert result["metallic"] == 1 and result["roughness"] == pytest.approx(0.3)
    assert result["emission_color"] == pytest.approx([1, 0, 0, 1])
    assert result["emission_strength"] == pytest.approx(2.5)
    # Read back from the node tree itself, whatever the socket is called in this version.
    node = "bpy.data.materials['Brass'].node_tree.nodes['Principled BSDF']"
    assert blender_value(client, f"round({node}.inputs['Roughness'].default_value, 3)") == "0.3"
    assert blender_value(client, "tuple(round(c, 3) for c in bpy.data.materials['Brass'].diffuse_color)") == "(0.8, 0.6, 0.2, 1.0)"


def test_material_refusals(client):
    client.call("material.create", {"name": "Once"})
    assert error_of(client.request("material.create", {"name": "Once"}))["code"] == "already_exists"
    error = error_of(client.request("material.create", {"name": "X", "metallic": 2}))
    assert error["message"] == "material.create: param 'metallic' must be a number between 0.0 and 1.0, got int 2"
    error = error_of(client.request("material.create", {"name": "X", "base_color": [1, 0]}))
    assert "param 'base_color' must be an array of 3 or 4 numbers between 0 and 1" in error["message"]
    assert error_of(client.request("material.set", {"name": "Nope", "roughness": 1}))["code"] == "not_found"
    assert error_of(client.request("material.set", {"name": "Once"}))["code"] == "bad_params"


def test_material_set_and_assign(client):
    client.call("material.create", {"name": "Red", "base_color": [1, 0, 0, 1]})
    result = client.call("material.set", {"name": "Red", "roughness": 0.9, "emission_strength": 1})
    assert result["roughness"] == pytest.approx(0.9)
    assert result["base_color"] == pytest.approx([1, 0, 0, 1])  # untouched
    assert result["changed"]["modified"] == ["Red"]
    result = client.call("material.assign", {"object": "Cube", "material": "Red"})
    assert result["changed"] == {"created": [], "modified": ["Cube"], "removed": []}
    assert client.call("object.info", {"name": "Cube"})["materials"] == ["Red"]
    client.call("material.create", {"name": "Blue"})
    client.call("material.assign", {"object": "Cube", "material": "Blue", "slot": 1})
    assert client.call("object.info", {"name": "Cube"})["materials"] == ["Red", "Blue"]
    error = error_of(client.request("material.assign", {"object": "Cube", "material": "Blue", "slot": 5}))
    assert error["message"] == (
        "material.assign: param 'slot' must be between 0 and 2 for object 'Cube' (it has 2 slots), got 5"
    )
    assert error_of(client.request("material.assign", {"object": "Camera", "material": "Blue"}))["code"] == "bad_params"
    assert error_of(client.request("material.assign", {"object": "Cube", "material": "Green"}))["code"] == "not_found"


# -- collections -------------------------------------------------------------------


def test_collections_create_link_and_list(client):
    result = client.call("collection.create", {"name": "Furniture"})
    assert result["changed"] == {"created": ["Furniture"], "modified": ["Scene Collection"], "removed": []}
    client.call("collection.create", {"name": "Chairs", "parent": "Furniture"})
    result = client.call("collection.link", {"object": "Cube", "collection": "Chairs"})
    assert sorted(result["collections"]) == ["Chairs", "Collection"]
    result = client.call("collection.link", {"object": "Cube", "collection": "Chairs", "unlink_others": True})
    assert result["collections"] == ["Chairs"]
    assert result["changed"]["modified"] == ["Collection"]
    listing = {c["name"]: c for c in client.call("collection.list")["collections"]}
    assert listing["Scene Collection"]["parent"] is None
    assert listing["Scene Collection"]["children"] == ["Collection", "Furniture"]
    assert listing["Chairs"] == {"name": "Chairs", "parent": "Furniture", "objects": ["Cube"], "children": []}
    assert listing["Collection"]["objects"] == ["Camera", "Light"]


def test_collection_refusals(client):
    client.call("collection.create", {"name": "Once"})
    assert error_of(client.request("collection.create", {"name": "Once"}))["code"] == "already_exists"
    assert error_of(client.request("collection.create", {"name": "Sub", "parent": "Nope"}))["code"] == "not_found"
    assert error_of(client.request("collection.link", {"object": "Ghost", "collection": "Once"}))["code"] == "not_found"
    error = error_of(client.request("collection.link", {"object": "Cube", "collection": "Nope"}))
    assert error == {"code": "not_found", "message": "no collection named 'Nope'"}


# -- modifiers ---------------------------------------------------------------------


def test_modifier_add_with_settings_and_set(client):
    result = client.call(
        "modifier.add", {"object": "Cube", "type": "array", "settings": {"count": 3, "relative_offset_displace": [1.5, 0, 0]}}
    )
    assert result == {"object": "Cube", "name": "Array", "type": "ARRAY", "changed": {"created": [], "modified": ["Cube"], "removed": []}}
    assert client.call("object.info", {"name": "Cube"})["dimensions"] == pytest.approx([8, 2, 2])
    result = client.call("modifier.set", {"object": "Cube", "name": "Array", "settings": {"count": 2}})
    assert result["settings"] == {"count": 2}
    assert client.call("object.info", {"name": "Cube"})["dimensions"] == pytest.approx([5, 2, 2])


def test_modifier_object_pointer_by_name(client):
    client.call("object.create", {"type": "empty", "name": "MirrorCentre", "location": [3, 0, 0]})
    client.call("modifier.add", {"object": "Cube", "type": "MIRROR", "settings": {"mirror_object": "MirrorCentre"}})
    assert client.call("object.info", {"name": "Cube"})["dimensions"] == pytest.approx([8, 2, 2])
    error = error_of(client.request("modifier.set", {"object": "Cube", "name": "Mirror", "settings": {"mirror_object": "Nobody"}}))
    assert error == {"code": "not_found", "message": "modifier.set: setting 'mirror_object' names no Object 'Nobody'"}


def test_modifier_refusals_change_nothing(client):
    error = error_of(client.request("modifier.add", {"object": "Cube", "type": "SPARKLE"}))
    assert error["code"] == "bad_params" and "'SPARKLE'" in error["message"] and "'BEVEL'" in error["message"]
    error = error_of(client.request("modifier.add", {"object": "Cube", "type": "BEVEL", "settings": {"width": 0.1, "wobble": 1}}))
    assert error["code"] == "bad_params"
    assert "BEVEL modifier has no setting 'wobble'" in error["message"] and "segments" in error["message"]
    error = error_of(client.request("modifier.add", {"object": "Cube", "type": "BEVEL", "settings": {"segments": "many"}}))
    assert error["code"] == "bad_params" and "'segments'" in error["message"]
    assert client.call("object.info", {"name": "Cube"})["modifiers"] == []
    client.call("modifier.add", {"object": "Cube", "type": "BEVEL", "settings": {"segments": 2}})
    error = error_of(client.request("modifier.set", {"object": "Cube", "name": "Bevel", "settings": {"segments": 4, "width": "wide"}}))
    assert error["code"] == "bad_params"
    assert blender_value(client, "bpy.data.objects['Cube'].modifiers['Bevel'].segments") == "2"
    error = error_of(client.request("modifier.set", {"object": "Cube", "name": "Nope", "settings": {"segments": 1}}))
    assert error == {"code": "not_found", "message": "object 'Cube' has no modifier named 'Nope' (it has: 'Bevel')"}


def test_modifier_apply_bakes_geometry(client):
    client.call("material.create", {"name": "Kept"})
    client.call("material.assign", {"object": "Cube", "material": "Kept"})
    subsurf = client.call("modifier.add", {"object": "Cube", "type": "SUBSURF", "settings": {"levels": 1}})["name"]
    client.call("modifier.add", {"object": "Cube", "type": "SOLIDIFY", "name": "Shell"})
    result = client.call("modifier.apply", {"object": "Cube", "name": subsurf})
    assert result["applied"] == subsurf
    assert result["changed"]["modified"] == ["Cube"]
    info = client.call("object.info", {"name": "Cube"})
    assert info["modifiers"] == [{"name": "Shell", "type": "SOLIDIFY"}]
    assert info["mesh"]["vertices"] == 26  # a cube subdivided once
    assert info["mesh"]["polygons"] == 24
    assert info["materials"] == ["Kept"]
    # The replaced mesh does not linger.
    assert blender_value(client, "len([m for m in bpy.data.meshes if m.users == 0])") == "0"
    error = error_of(client.request("modifier.apply", {"object": "Camera", "name": "x"}))
    assert error["code"] == "not_found"


# -- scene.snapshot (state.json) -----------------------------------------------------


def test_scene_snapshot_describes_every_object_for_state_json(client):
    client.call("material.create", {"name": "Plaster", "base_color": [0.9, 0.9, 0.85, 1]})
    client.call("material.assign", {"object": "Cube", "material": "Plaster"})
    client.call("modifier.add", {"object": "Cube", "type": "BEVEL", "name": "Soft"})
    client.call("object.transform", {"name": "Cube", "location": [1, 2, 3], "scale": [2, 1, 1]})
    snapshot = client.call("scene.snapshot")
    objects = {obj["name"]: obj for obj in snapshot["objects"]}
    assert sorted(objects) == ["Camera", "Cube", "Light"]
    cube = objects["Cube"]
    assert cube["type"] == "MESH" and cube["location"] == pytest.approx([1, 2, 3])
    assert cube["dimensions"] == pytest.approx([4, 2, 2])
    assert cube["world_bounding_box"]["min"] == pytest.approx([-1, 1, 2])
    assert cube["collection"] == "Collection" and cube["materials"] == ["Plaster"]
    assert cube["modifiers"] == [{"name": "Soft", "type": "BEVEL"}]
    assert snapshot["materials"] == [{"name": "Plaster", "base_color": pytest.approx([0.9, 0.9, 0.85, 1])}]
    assert snapshot["counts"]["objects"] == 3 and snapshot["counts"]["by_type"] == {"CAMERA": 1, "LIGHT": 1, "MESH": 1}
    assert snapshot["units"]["system"] == "METRIC" and snapshot["truncated"] is False


def test_scene_snapshot_skips_architecture_facts_it_cannot_read(client):
    # The facts live in custom properties a user (or a script) can edit into anything.
    client.call("code.execute", {"code": (
        "objects = bpy.data.objects\n"
        "objects['Cube']['bmcp_arch'] = '{not json'\n"
        "objects['Light']['bmcp_arch'] = '[\"a list, not an object\"]'\n"
        "objects['Camera']['bmcp_arch'] = '{\"kind\": \"column\", \"height\": 3}'\n"
        "objects['Camera']['bmcp_openings'] = '{not json'")})
    objects = {obj["name"]: obj for obj in client.call("scene.snapshot")["objects"]}
    assert "arch" not in objects["Cube"] and "arch" not in objects["Light"]
    assert objects["Camera"]["arch"] == {"kind": "column", "height": 3}  # its unreadable cuts left out


def test_scene_snapshot_takes_no_params(client):
    answer = client.request("scene.snapshot", {"objects": 3})
    assert answer["type"] == "error" and "objects" in answer["error"]["message"]
