"""The physics toolset against a real headless Blender: rigid bodies, collision, cloth, gravity,
the rigid-body world and bakes, each checked in the scene (a baked cube really falls)."""

import pytest

from blender_helpers import expression_json as scene_json, printed as py

FALLING = {"object": "Cube"}


@pytest.fixture
def client(factory_client):
    return factory_client




def z_at(client, name, frame):
    return scene_json(client, f"(bpy.context.scene.frame_set({frame}), bpy.data.objects[{name!r}].matrix_world.translation.z)[1]")


def add_floor(client):
    client.call("object.create", {"type": "plane", "name": "Floor", "size": 20, "location": [0, 0, -1]})
    client.call("physics.add_rigid_body", {"object": "Floor", "type": "PASSIVE"})


def test_add_rigid_body_makes_the_world_and_the_body(client):
    result = client.call("physics.add_rigid_body", {"object": "Cube", "mass": 2.5, "friction": 0.8,
                                                    "shape": "box", "restitution": 0.3})
    assert result["world_created"] is True
    body = scene_json(client, "[bpy.data.objects['Cube'].rigid_body.type, bpy.data.objects['Cube'].rigid_body.mass, "
                              "bpy.data.objects['Cube'].rigid_body.friction, bpy.data.objects['Cube'].rigid_body.collision_shape, "
                              "[o.name for o in bpy.context.scene.rigidbody_world.collection.objects]]")
    assert body[0] == "ACTIVE" and body[1] == pytest.approx(2.5) and body[2] == pytest.approx(0.8)
    assert body[3] == "BOX" and body[4] == ["Cube"]
    assert result["rigid_body"]["mass"] == pytest.approx(2.5)
    add_floor(client)
    assert py(client, "print(bpy.data.objects['Floor'].rigid_body.type)") == "PASSIVE"


def test_add_rigid_body_refusals(client):
    client.call("physics.add_rigid_body", FALLING)
    assert error_code(client, "physics.add_rigid_body", FALLING) == "already_exists"
    msg = error_message(client, "physics.add_rigid_body", {"object": "Cube", "type": "FLOATING"})
    assert "param 'type' must be one of 'ACTIVE', 'PASSIVE'" in msg
    msg = error_message(client, "physics.add_rigid_body", {"object": "Cube", "mass": 0})
    assert "param 'mass' must be a number between 0.001 and 100000.0" in msg
    msg = error_message(client, "physics.add_rigid_body", {"object": "Camera"})
    assert "must name a mesh object; 'Camera' is a CAMERA" in msg
    assert error_code(client, "physics.add_rigid_body", {"object": "Ghost"}) == "not_found"
    msg = error_message(client, "physics.add_rigid_body", {"object": "Cube", "shape": "blob"})
    assert "param 'shape' must be one of 'BOX', 'SPHERE'" in msg and "'COMPOUND'" in msg


def error_of_request(client, op, params):
    answer = client.request(op, params)
    assert answer["type"] == "error", answer
    return answer["error"]


def error_code(client, op, params):
    return error_of_request(client, op, params)["code"]


def error_message(client, op, params):
    return error_of_request(client, op, params)["message"]


def test_set_rigid_body_changes_only_what_is_given(client):
    client.call("physics.add_rigid_body", {"object": "Cube", "mass": 3})
    client.call("physics.set_rigid_body", {"object": "Cube", "type": "passive", "friction": 0.1})
    assert scene_json(client, "[bpy.data.objects['Cube'].rigid_body.type, bpy.data.objects['Cube'].rigid_body.mass, "
                              "bpy.data.objects['Cube'].rigid_body.friction]") == ["PASSIVE", pytest.approx(3), pytest.approx(0.1)]
    assert error_code(client, "physics.set_rigid_body", {"object": "Camera", "mass": 1}) == "not_found"
    msg = error_message(client, "physics.set_rigid_body", {"object": "Cube", "restitution": 2})
    assert "param 'restitution' must be a number between 0.0 and 1.0" in msg


def test_remove_rigid_body(client):
    client.call("physics.add_rigid_body", FALLING)
    result = client.call("physics.remove_rigid_body", FALLING)
    assert result["changed"]["modified"] == ["Cube"]
    assert py(client, "print(bpy.data.objects['Cube'].rigid_body)") == "None"
    assert error_code(client, "physics.remove_rigid_body", FALLING) == "not_found"
    assert "missing required param 'object'" in error_message(client, "physics.remove_rigid_body", {})


def test_bake_makes_the_cube_fall_and_free_bake_undoes_it(client):
    py(client, "bpy.data.objects['Cube'].location.z = 5")
    client.call("physics.add_rigid_body", FALLING)
    add_floor(client)
    result = client.call("physics.bake", {"frame_start": 1, "frame_end": 60})
    assert result["baked"] == [{"owner": "RigidBodyWorld", "kind": "rigid_body", "frame_start": 1, "frame_end": 60, "baked": True}]
    assert py(client, "print(bpy.context.scene.rigidbody_world.point_cache.is_baked)") == "True"
    start, later = z_at(client, "Cube", 1), z_at(client, "Cube", 40)
    assert start == pytest.approx(5)
    assert later < start - 1  # it fell
    assert later > -1.5  # and the passive floor at z=-1 stopped it
    freed = client.call("physics.free_bake", {})
    assert freed["freed"] == ["RigidBodyWorld"]
    assert py(client, "print(bpy.context.scene.rigidbody_world.point_cache.is_baked)") == "False"
    assert client.call("physics.free_bake", {})["freed"] == []


def test_bake_refusals(client):
    assert error_code(client, "physics.bake", {"frame_start": 1, "frame_end": 10}) == "not_found"
    msg = error_message(client, "physics.bake", {"frame_start": 10, "frame_end": 10})
    assert "param 'frame_end' (10) must be after frame_start (10)" in msg
    msg = error_message(client, "physics.bake", {"frame_start": -1, "frame_end": 10})
    assert "param 'frame_start' must be an integer between 0 and 1048574" in msg


def test_gravity_changes_what_the_bake_does(client):
    result = client.call("physics.set_gravity", {"gravity": [0, 0, 9.81]})
    assert result["gravity"] == pytest.approx([0, 0, 9.81])
    assert scene_json(client, "list(bpy.context.scene.gravity)") == pytest.approx([0, 0, 9.81])
    client.call("physics.add_rigid_body", FALLING)
    client.call("physics.bake", {"frame_start": 1, "frame_end": 30})
    assert z_at(client, "Cube", 30) > z_at(client, "Cube", 1) + 1  # it fell upwards
    client.call("physics.set_gravity", {"gravity": [0, 0, -9.81], "enabled": False})
    assert py(client, "print(bpy.context.scene.use_gravity)") == "False"
    msg = error_message(client, "physics.set_gravity", {"gravity": [0, 0, -5000]})
    assert "param 'gravity' must be an array of 3 numbers [x, y, z], each between -1000 and 1000" in msg
    assert "param 'gravity' must be an array of 3 numbers" in error_message(client, "physics.set_gravity", {"gravity": [0, 0]})


def test_set_physics_world(client):
    result = client.call("physics.set_world", {"frame_start": 5, "frame_end": 120, "substeps": 20, "solver_iterations": 30,
                                               "time_scale": 0.5})
    world = result["rigid_body_world"]
    assert (world["frame_start"], world["frame_end"], world["substeps"], world["solver_iterations"]) == (5, 120, 20, 30)
    assert scene_json(client, "[bpy.context.scene.rigidbody_world.point_cache.frame_end, "
                              "bpy.context.scene.rigidbody_world.substeps_per_frame, bpy.context.scene.rigidbody_world.time_scale]") \
        == [120, 20, pytest.approx(0.5)]
    msg = error_message(client, "physics.set_world", {"frame_start": 50, "frame_end": 10})
    assert "param 'frame_end' (10) must not be before frame_start (50)" in msg
    msg = error_message(client, "physics.set_world", {"frame_end": 10, "substeps": 0})
    assert "param 'substeps' must be an integer between 1 and 1000" in msg


def test_add_collision(client):
    result = client.call("physics.add_collision", {"object": "Cube", "thickness": 0.05, "damping": 0.5})
    assert result["modifier"] == "Collision"
    assert scene_json(client, "[[m.type for m in bpy.data.objects['Cube'].modifiers], bpy.data.objects['Cube'].collision.thickness_outer]") \
        == [["COLLISION"], pytest.approx(0.05)]
    assert error_code(client, "physics.add_collision", {"object": "Cube"}) == "already_exists"
    msg = error_message(client, "physics.add_collision", {"object": "Cube", "thickness": 5})
    assert "param 'thickness' must be a number between 0.001 and 1.0" in msg


def test_add_cloth_with_pin_group_and_its_bake_moves_the_free_vertices(client):
    py(client, "bpy.ops.wm.read_homefile()\n"
               "import bmesh\nme = bpy.data.meshes.new('Sheet')\nbm = bmesh.new()\n"
               "bmesh.ops.create_grid(bm, x_segments=6, y_segments=6, size=1)\nbm.to_mesh(me)\n"
               "o = bpy.data.objects.new('Sheet', me)\nbpy.context.scene.collection.objects.link(o)\no.location.z = 3\n"
               "g = o.vertex_groups.new(name='Pins')\ng.add([v.index for v in me.vertices if v.co.y > 0.99], 1.0, 'REPLACE')")
    msg = error_message(client, "physics.add_cloth", {"object": "Sheet", "pin_group": "Nails"})
    assert "has no vertex group 'Nails' (it has: 'Pins')" in msg
    result = client.call("physics.add_cloth", {"object": "Sheet", "pin_group": "Pins", "quality": 4})
    assert result["physics"]["cloth"]["pin_group"] == "Pins"
    assert py(client, "m = bpy.data.objects['Sheet'].modifiers['Cloth']\nprint(m.settings.vertex_group_mass, m.settings.quality)") == "Pins 4"
    baked = client.call("physics.bake", {"frame_start": 1, "frame_end": 20})
    assert {"owner": "Sheet", "kind": "cloth", "frame_start": 1, "frame_end": 20, "baked": True} in baked["baked"]
    lowest = ("(bpy.context.scene.frame_set({f}), "
              "[min(v.co.z for v in bpy.data.objects['Sheet'].evaluated_get(bpy.context.evaluated_depsgraph_get()).data.vertices), "
              "min(v.co.z for v in bpy.data.objects['Sheet'].evaluated_get(bpy.context.evaluated_depsgraph_get()).data.vertices if v.co.y > 0.99)])[1]")
    start, later = scene_json(client, lowest.format(f=1)), scene_json(client, lowest.format(f=20))
    assert later[0] < start[0] - 0.1  # the free edge sagged
    assert later[1] == pytest.approx(start[1], abs=1e-3)  # the pinned edge stayed
    assert error_code(client, "physics.add_cloth", {"object": "Sheet"}) == "already_exists"
    msg = error_message(client, "physics.add_cloth", {"object": "Sheet", "quality": 0})
    assert "param 'quality' must be an integer between 1 and 80" in msg


def test_remove_physics(client):
    client.call("physics.add_collision", FALLING)
    client.call("physics.add_rigid_body", FALLING)
    result = client.call("physics.remove", {"object": "Cube", "kind": "collision"})
    assert result["removed"] == ["collision"]
    assert scene_json(client, "[len(bpy.data.objects['Cube'].modifiers), bpy.data.objects['Cube'].rigid_body is not None]") == [0, True]
    assert client.call("physics.remove", FALLING)["removed"] == ["rigid_body"]
    assert error_code(client, "physics.remove", FALLING) == "not_found"
    msg = error_message(client, "physics.remove", {"object": "Cube", "kind": "smoke"})
    assert "param 'kind' must be one of 'collision', 'cloth', 'rigid_body', 'all'" in msg


def test_get_physics_info(client):
    empty = client.call("physics.info", {})
    assert empty["rigid_body_world"] is None and empty["objects"] == []
    client.call("physics.add_rigid_body", {"object": "Cube", "mass": 4})
    client.call("physics.add_collision", FALLING)
    info = client.call("physics.info", {})
    assert info["gravity"] == pytest.approx([0, 0, -9.81])
    assert info["rigid_body_world"]["objects"] == ["Cube"] and info["rigid_body_world"]["baked"] is False
    (cube,) = info["objects"]
    assert cube["name"] == "Cube" and cube["rigid_body"]["mass"] == pytest.approx(4) and cube["collision"]["modifier"] == "Collision"
    assert "unknown param 'object'" in error_message(client, "physics.info", {"object": "Cube"})
