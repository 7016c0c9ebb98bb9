"""The animation toolset against a real headless Blender: each tool's effect is read back from
the scene (F-curve keyframe points, evaluated matrices at frames, constraints, shape keys)."""

import json
import math

import pytest

from conftest import error_of

# Reads an object's F-curves on every Blender version (3.x action.fcurves, 4.4+/5.0 channelbag).
FCURVES = """
import json
def fcurves(id_block):
    ad = id_block.animation_data
    action = ad.action if ad else None
    if action is None:
        return []
    if hasattr(action, "layers") and bpy.app.version >= (4, 4, 0):
        for layer in action.layers:
            for strip in layer.strips:
                bag = strip.channelbag(ad.action_slot)
                if bag:
                    return list(bag.fcurves)
    return list(action.fcurves) if hasattr(action, "fcurves") else []
def keys(id_block, path, index=0):
    for fc in fcurves(id_block):
        if fc.data_path == path and fc.array_index == index:
            return [[p.co[0], p.co[1], p.interpolation, p.easing] for p in fc.keyframe_points]
    return None
"""


@pytest.fixture
def client(factory_client):
    return factory_client


def py(client, code):
    """Run code in Blender (with the FCURVES helpers) and return what it printed, parsed as JSON."""
    out = client.call("code.execute", {"code": FCURVES + code})["result"]
    return json.loads(out)


def world_at(client, name, frame):
    return py(client, f"bpy.context.scene.frame_set({frame}); o = bpy.data.objects['{name}']; "
                      "print(json.dumps([list(o.matrix_world.translation), list(o.matrix_world.to_euler())]))")


def make_path_curve(client, name="Path", end=(10.0, 0.0, 0.0)):
    py(client, f"""
curve = bpy.data.curves.new('{name}', 'CURVE')
curve.dimensions = '3D'
spline = curve.splines.new('POLY')
spline.points.add(1)
spline.points[0].co = (0, 0, 0, 1)
spline.points[1].co = ({end[0]}, {end[1]}, {end[2]}, 1)
obj = bpy.data.objects.new('{name}', curve)
bpy.context.scene.collection.objects.link(obj)
print('1')
""")


def bad(client, op, params):
    error = error_of(client.request(op, params))
    return error["code"], error["message"]


# -- keyframes ----------------------------------------------------------------------------


def test_insert_keyframe_value_at_frame(client):
    result = client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 24,
                                             "value": 2.0, "index": 2})
    assert result["values"] == pytest.approx([2.0])
    assert py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], 'location', 2)))") == [[24.0, 2.0, "BEZIER", "AUTO"]]
    assert result["changed"]["modified"] == ["Cube"]


def test_insert_rotation_in_degrees_is_stored_in_radians_and_evaluates(client):
    client.call("anim.key_insert", {"object": "Cube", "data_path": "rotation_euler", "frame": 1, "value": [0, 0, 0]})
    client.call("anim.key_insert", {"object": "Cube", "data_path": "rotation_euler", "frame": 11, "value": [0, 0, 90]})
    stored = py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], 'rotation_euler', 2)))")
    assert [x for k in stored for x in k[:2]] == pytest.approx([1, 0, 11, math.pi / 2])
    assert world_at(client, "Cube", 11)[1][2] == pytest.approx(math.pi / 2, abs=1e-5)
    listed = client.call("anim.key_list", {"object": "Cube", "data_path": "rotation_euler"})
    z = [c for c in listed["fcurves"] if c["index"] == 2][0]
    assert z["unit"] == "degrees" and z["values"] == pytest.approx([0, 90])


def test_insert_keyframe_current_value_and_data_path(client):
    py(client, "bpy.data.objects['Cube'].scale = (3, 3, 3); print(1)")
    client.call("anim.key_insert", {"object": "Cube", "data_path": "scale", "frame": 5})
    assert py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], 'scale', 1)))")[0][:2] == [5.0, 3.0]
    # A light's energy lives on its data: the key goes to the light datablock's action.
    client.call("anim.key_insert", {"object": "Light", "data_path": "data.energy", "frame": 10, "value": 250.0})
    assert py(client, "print(json.dumps(keys(bpy.data.objects['Light'].data, 'energy', 0)))")[0][:2] == [10.0, 250.0]
    listed = client.call("anim.key_list", {"object": "Light"})
    assert [c["data_path"] for c in listed["fcurves"]] == ["data.energy"]
    # A custom property and a modifier setting, by their RNA paths.
    py(client, "o = bpy.data.objects['Cube']; o['speed'] = 1.0; o.modifiers.new('Bevel', 'BEVEL'); print(1)")
    client.call("anim.key_insert", {"object": "Cube", "data_path": '["speed"]', "frame": 7, "value": 4.5})
    client.call("anim.key_insert", {"object": "Cube", "data_path": 'modifiers["Bevel"].width', "frame": 8, "value": 0.25})
    assert py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], '[\"speed\"]')))")[0][:2] == [7.0, 4.5]
    width = py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], 'modifiers[\"Bevel\"].width')))")
    assert width[0][:2] == [8.0, pytest.approx(0.25)]


def test_insert_keyframe_bad_params(client):
    code, message = bad(client, "anim.key_insert", {"object": "Cube", "data_path": "locaton", "frame": 1})
    assert code == "bad_params" and "locaton" in message and "location" in message
    code, message = bad(client, "anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 1, "index": 3})
    assert "between 0 and 2" in message
    code, message = bad(client, "anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 1, "value": [1, 2]})
    assert "array of 3 numbers" in message
    code, message = bad(client, "anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 2e6})
    assert code == "bad_params" and "1048574" in message
    code, _ = bad(client, "anim.key_insert", {"object": "Nope", "data_path": "location", "frame": 1})
    assert code == "not_found"


def test_delete_keyframe(client):
    for frame in (1, 10, 20):
        client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": frame, "value": [frame, 0, 0]})
    result = client.call("anim.key_delete", {"object": "Cube", "data_path": "location", "frame": 10})
    assert result["removed"] == 3
    assert [k[0] for k in py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], 'location', 0)))")] == [1, 20]
    code, message = bad(client, "anim.key_delete", {"object": "Cube", "data_path": "location", "frame": 10})
    assert code == "not_found" and "keyed frames: 1, 20" in message
    code, message = bad(client, "anim.key_delete", {"object": "Cube", "data_path": "location", "frame": 1, "index": 64})
    assert code == "bad_params" and "between 0 and 63" in message
    code, message = bad(client, "anim.key_delete", {"object": "Cube", "data_path": "scale", "frame": 1})
    assert code == "not_found" and "animated paths: location" in message


def test_list_keyframes(client):
    client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 3, "value": 1.5, "index": 0})
    listed = client.call("anim.key_list", {"object": "Cube"})
    assert listed["count"] == 1
    assert listed["fcurves"][0]["data_path"] == "location" and listed["fcurves"][0]["frames"] == [3.0]
    assert listed["fcurves"][0]["values"] == pytest.approx([1.5])
    assert client.call("anim.key_list", {"object": "Camera"}) == {"object": "Camera", "fcurves": [], "count": 0}
    code, message = bad(client, "anim.key_list", {"object": "Cube", "data_path": ""})
    assert code == "bad_params" and "data_path" in message


def test_set_keyframe_interpolation(client):
    client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 1, "value": [0, 0, 0]})
    client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 11, "value": [10, 0, 0]})
    result = client.call("anim.key_interpolation", {"object": "Cube", "interpolation": "linear"})
    assert result["keyframes"] == 6
    assert [k[2] for k in py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], 'location', 0)))")] == ["LINEAR"] * 2
    assert world_at(client, "Cube", 6)[0][0] == pytest.approx(5.0, abs=1e-4)  # linear: halfway at the middle
    client.call("anim.key_interpolation", {"object": "Cube", "interpolation": "CONSTANT", "frames": [1]})
    assert world_at(client, "Cube", 10)[0][0] == pytest.approx(0.0)
    client.call("anim.key_interpolation", {"object": "Cube", "interpolation": "BOUNCE", "easing": "EASE_OUT",
                                           "data_path": "location"})
    assert py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], 'location', 0)))")[0][2:] == ["BOUNCE", "EASE_OUT"]
    code, message = bad(client, "anim.key_interpolation", {"object": "Cube", "interpolation": "SMOOTH"})
    assert code == "bad_params" and "'LINEAR'" in message
    code, message = bad(client, "anim.key_interpolation", {"object": "Cube", "interpolation": "LINEAR", "easing": "EASE_IN"})
    assert "easing" in message and "LINEAR" in message


def test_clear_animation(client):
    client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 1})
    client.call("anim.key_insert", {"object": "Light", "data_path": "data.energy", "frame": 1})
    assert client.call("anim.clear", {"object": "Cube"})["fcurves_removed"] == 3
    assert py(client, "print(json.dumps(bpy.data.objects['Cube'].animation_data is None or "
                      "bpy.data.objects['Cube'].animation_data.action is None))") is True
    assert client.call("anim.clear", {"object": "Light", "include_data": False})["fcurves_removed"] == 0
    assert py(client, "print(json.dumps(len(fcurves(bpy.data.objects['Light'].data))))") == 1
    code, message = bad(client, "anim.clear", {"object": "Light", "include_data": "yes"})
    assert code == "bad_params" and "boolean" in message


def test_shift_keyframes(client):
    client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 1, "value": 0.0, "index": 0})
    client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 10, "value": 4.0, "index": 0})
    assert client.call("anim.key_shift", {"object": "Cube", "offset": 5, "from_frame": 5})["keyframes"] == 1
    assert [k[0] for k in py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], 'location', 0)))")] == [1, 15]
    client.call("anim.key_shift", {"object": "Cube", "offset": -1})
    assert world_at(client, "Cube", 14)[0][0] == pytest.approx(4.0)
    code, message = bad(client, "anim.key_shift", {"object": "Camera", "offset": 3})
    assert code == "not_found" and "no keyframes" in message
    code, message = bad(client, "anim.key_shift", {"object": "Cube"})
    assert code == "bad_params" and "offset" in message


# -- timeline -----------------------------------------------------------------------------


def test_frame_range_current_frame_and_fps(client):
    result = client.call("anim.frame_range", {"start": 300, "end": 400})  # start above the old end
    assert (result["frame_start"], result["frame_end"]) == (300, 400)
    assert py(client, "s = bpy.context.scene; print(json.dumps([s.frame_start, s.frame_end]))") == [300, 400]
    client.call("anim.frame_set", {"frame": 42})
    assert py(client, "print(json.dumps(bpy.context.scene.frame_current))") == 42
    result = client.call("anim.fps", {"fps": 29.97})
    assert py(client, "r = bpy.context.scene.render; print(json.dumps([r.fps, r.fps_base]))") == [30, pytest.approx(1.001)]
    assert result["fps"] == pytest.approx(29.97, abs=1e-3)
    timeline = client.call("anim.timeline", {})
    assert timeline["frame_current"] == 42 and timeline["animated_objects"] == []
    code, message = bad(client, "anim.timeline", {"scene": "Other"})
    assert code == "bad_params" and "unknown param 'scene'" in message
    code, message = bad(client, "anim.frame_range", {"start": 10, "end": 5})
    assert code == "bad_params" and "at least 'start'" in message
    code, message = bad(client, "anim.frame_range", {"start": -1, "end": 5})
    assert "between 0 and 1048574" in message
    code, message = bad(client, "anim.frame_set", {"frame": 1.5})
    assert "integer" in message
    code, message = bad(client, "anim.fps", {"fps": 0})
    assert "between 1.0 and 1000.0" in message


def test_evaluate_at_frame(client):
    client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 1, "value": [0, 0, 0]})
    client.call("anim.key_insert", {"object": "Cube", "data_path": "location", "frame": 24, "value": [0, 0, 2]})
    client.call("anim.frame_set", {"frame": 1})
    result = client.call("anim.evaluate", {"object": "Cube", "frame": 24})
    assert result["location"] == pytest.approx([0, 0, 2])
    assert client.call("anim.timeline", {})["frame_current"] == 1  # left where it was
    assert client.call("anim.timeline", {})["animated_objects"] == ["Cube"]
    assert world_at(client, "Cube", 24)[0] == pytest.approx(result["location"])
    code, message = bad(client, "anim.evaluate", {"object": "Cube"})
    assert code == "bad_params" and "frame" in message


def test_animate_turntable(client):
    result = client.call("anim.turntable", {"object": "Cube", "start_frame": 1, "end_frame": 101})
    assert result["end_degrees"] == pytest.approx(360)
    stored = py(client, "print(json.dumps(keys(bpy.data.objects['Cube'], 'rotation_euler', 2)))")
    assert [k[0] for k in stored] == [1, 101] and stored[1][1] == pytest.approx(2 * math.pi)
    assert {k[2] for k in stored} == {"LINEAR"}
    assert world_at(client, "Cube", 51)[1][2] == pytest.approx(math.pi, abs=1e-4) or \
        world_at(client, "Cube", 51)[1][2] == pytest.approx(-math.pi, abs=1e-4)
    assert world_at(client, "Cube", 26)[1][2] == pytest.approx(math.pi / 2, abs=1e-4)
    code, message = bad(client, "anim.turntable", {"object": "Cube", "start_frame": 10, "end_frame": 10})
    assert "after 'start_frame'" in message
    code, message = bad(client, "anim.turntable", {"object": "Cube", "axis": "W"})
    assert "'X', 'Y', 'Z'" in message


def test_add_follow_path_moves_the_object(client):
    make_path_curve(client)
    result = client.call("anim.follow_path", {"object": "Cube", "curve": "Path", "start_frame": 1, "end_frame": 21})
    assert result["constraint"] == "Follow Path"
    constraint = py(client, "c = bpy.data.objects['Cube'].constraints[0]; print(json.dumps([c.type, c.target.name]))")
    assert constraint == ["FOLLOW_PATH", "Path"]
    assert world_at(client, "Cube", 1)[0] == pytest.approx([0, 0, 0], abs=1e-4)
    assert world_at(client, "Cube", 11)[0] == pytest.approx([5, 0, 0], abs=1e-3)
    assert world_at(client, "Cube", 21)[0] == pytest.approx([10, 0, 0], abs=1e-4)
    code, message = bad(client, "anim.follow_path", {"object": "Cube", "curve": "Camera"})
    assert code == "bad_params" and "CURVE" in message and "CAMERA" in message
    code, message = bad(client, "anim.follow_path", {"object": "Cube", "curve": "Path", "forward_axis": "UP"})
    assert "'FORWARD_Y'" in message


# -- constraints --------------------------------------------------------------------------


def test_add_list_set_remove_constraint(client):
    result = client.call("constraint.add", {"object": "Camera", "type": "track_to", "target": "Cube",
                                            "settings": {"up_axis": "UP_Y", "track_axis": "TRACK_NEGATIVE_Z"}})
    assert (result["type"], result["target"], result["is_valid"]) == ("TRACK_TO", "Cube", True)
    seen = py(client, "c = bpy.data.objects['Camera'].constraints['Track To']; "
                      "print(json.dumps([c.type, c.target.name, c.track_axis]))")
    assert seen == ["TRACK_TO", "Cube", "TRACK_NEGATIVE_Z"]
    # The camera now looks at the cube: its -Z axis points to the origin.
    aim = py(client, "bpy.context.view_layer.update(); o = bpy.data.objects['Camera']; "
                     "d = (o.matrix_world.to_3x3() @ mathutils.Vector((0, 0, -1))).normalized(); "
                     "t = (-o.matrix_world.translation).normalized(); print(json.dumps(d.dot(t)))")
    assert aim == pytest.approx(1.0, abs=1e-5)
    client.call("constraint.add", {"object": "Cube", "type": "LIMIT_LOCATION", "name": "Floor",
                                   "settings": {"use_min_z": True, "min_z": 1.0}})
    assert world_at(client, "Cube", 1)[0][2] == pytest.approx(1.0)
    listed = client.call("constraint.list", {"object": "Camera"})["constraints"]
    assert [(c["name"], c["target"]) for c in listed] == [("Track To", "Cube")]
    result = client.call("constraint.set", {"object": "Cube", "name": "Floor", "settings": {"min_z": 2.5},
                                            "influence": 0.5})
    assert result["settings"] == {"min_z": 2.5, "influence": 0.5}
    assert world_at(client, "Cube", 1)[0][2] == pytest.approx(1.25)
    client.call("constraint.remove", {"object": "Cube", "name": "Floor"})
    assert py(client, "print(json.dumps(len(bpy.data.objects['Cube'].constraints)))") == 0


def test_child_of_keeps_transform(client):
    py(client, "bpy.data.objects['Light'].location = (5, 0, 0); bpy.data.objects['Cube'].location = (1, 2, 3); print(1)")
    client.call("constraint.add", {"object": "Cube", "type": "CHILD_OF", "target": "Light"})
    assert world_at(client, "Cube", 1)[0] == pytest.approx([1, 2, 3], abs=1e-5)
    py(client, "bpy.data.objects['Light'].location = (6, 0, 0); print(1)")
    assert world_at(client, "Cube", 1)[0] == pytest.approx([2, 2, 3], abs=1e-5)  # follows its parent


def test_constraint_bad_params(client):
    code, message = bad(client, "constraint.add", {"object": "Cube", "type": "TRACK"})
    assert code == "bad_params" and "'TRACK_TO'" in message
    code, message = bad(client, "constraint.add", {"object": "Cube", "type": "TRACK_TO", "target": "Cube"})
    assert "another object" in message
    code, message = bad(client, "constraint.add", {"object": "Cube", "type": "TRACK_TO", "settings": {"aim": 1}})
    assert "no settable 'aim'" in message and "track_axis" in message
    assert py(client, "print(json.dumps(len(bpy.data.objects['Cube'].constraints)))") == 0  # all or nothing
    code, message = bad(client, "constraint.add", {"object": "Cube", "type": "TRACK_TO", "keep_transform": True})
    assert "CHILD_OF" in message
    client.call("constraint.add", {"object": "Cube", "type": "COPY_LOCATION", "target": "Light"})
    code, message = bad(client, "constraint.set", {"object": "Cube", "name": "Copy Location",
                                                   "settings": {"influence": 3}})
    assert "between 0 and 1" in message
    code, message = bad(client, "constraint.set", {"object": "Cube", "name": "Copy Location",
                                                   "settings": {"target": "Ghost"}})
    assert code == "not_found" and "Ghost" in message
    code, message = bad(client, "constraint.set", {"object": "Cube", "name": "Copy Location",
                                                   "settings": {"target_space": "SIDEWAYS"}})
    assert "target_space" in message and "'WORLD'" not in message and "WORLD" in message
    code, message = bad(client, "constraint.remove", {"object": "Cube", "name": "Track To"})
    assert code == "not_found" and "'Copy Location'" in message
    code, message = bad(client, "constraint.list", {})
    assert "missing required param 'object'" in message


# -- shape keys ---------------------------------------------------------------------------


def test_shape_keys_add_set_and_animate(client):
    result = client.call("shape_key.add", {"object": "Cube", "offset": [0, 0, 1]})
    assert (result["name"], result["index"], result["basis_created"]) == ("Key 1", 1, True)
    listed = client.call("shape_key.list", {"object": "Cube"})
    assert listed["reference"] == "Basis" and [k["name"] for k in listed["keys"]] == ["Basis", "Key 1"]
    client.call("shape_key.set_value", {"object": "Cube", "name": "Key 1", "value": 0.0, "frame": 1})
    client.call("shape_key.set_value", {"object": "Cube", "name": "Key 1", "value": 1.0, "frame": 11})
    keyed = py(client, "print(json.dumps(keys(bpy.data.objects['Cube'].data.shape_keys, 'key_blocks[\"Key 1\"].value')))")
    assert [x for k in keyed for x in k[:2]] == pytest.approx([1, 0.0, 11, 1.0])
    top = py(client, "bpy.context.scene.frame_set(11); o = bpy.data.objects['Cube']; "
                     "e = o.evaluated_get(bpy.context.evaluated_depsgraph_get()).data; "
                     "print(json.dumps(max(v.co.z for v in e.vertices)))")
    assert top == pytest.approx(2.0)  # the key lifts the cube's top from 1 to 2
    listed = client.call("anim.key_list", {"object": "Cube"})
    assert listed["fcurves"][0]["data_path"] == 'data.shape_keys.key_blocks["Key 1"].value'
    result = client.call("shape_key.set_value", {"object": "Cube", "name": "Key 1", "value": 2.0})
    assert result["slider_max"] == pytest.approx(2.0)


def test_shape_key_bad_params(client):
    code, message = bad(client, "shape_key.add", {"object": "Camera"})
    assert code == "bad_params" and "MESH" in message and "CAMERA" in message
    client.call("shape_key.add", {"object": "Cube", "name": "Smile"})
    code, _ = bad(client, "shape_key.add", {"object": "Cube", "name": "Smile"})
    assert code == "already_exists"
    code, message = bad(client, "shape_key.set_value", {"object": "Cube", "name": "Smile", "value": 11})
    assert "between -10.0 and 10.0" in message
    code, message = bad(client, "shape_key.set_value", {"object": "Cube", "name": "Basis", "value": 1})
    assert "reference" in message
    code, message = bad(client, "shape_key.set_value", {"object": "Cube", "name": "Frown", "value": 1})
    assert code == "not_found" and "'Smile'" in message
    code, message = bad(client, "shape_key.list", {"object": "Light"})
    assert "LIGHT" in message
