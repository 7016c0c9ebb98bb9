"""The camera_light toolset against a real headless Blender: every tool's effect is read back
from the scene (where a camera looks, lens, depth of field, lights and their power, the world's
nodes and image, render settings), and every tool refuses bad params naming what is allowed."""

import json
import math
from pathlib import Path

import pytest

from blender_helpers import printed_json
from conftest import clean_env, error_of, headless_command

CATALOGUE = Path(__file__).resolve().parents[2] / "Services" / "mcp-front" / "Core" / "Tools" / "catalogue.json"


@pytest.fixture(scope="module")
def files_root(tmp_path_factory):
    return tmp_path_factory.mktemp("camlight-files")


@pytest.fixture(scope="module")
def addon(launch_blender, files_root):
    blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0"),
                             clean_env(BMCP_FILES_ROOT=str(files_root)))
    yield blender
    blender.stop()


@pytest.fixture
def client(factory_client):
    return factory_client


def py(client, code):
    """Run Python in Blender; return what it printed, parsed as JSON."""
    return printed_json(client, "import json\n" + code.lstrip("\n"))


def forward_of(client, name):
    return py(client, f"""
import json
from mathutils import Vector
bpy.context.view_layer.update()
o = bpy.data.objects['{name}']
print(json.dumps(list((o.matrix_world.to_quaternion() @ Vector((0, 0, -1))).normalized())))""")


def direction(from_point, to_point):
    d = [b - a for a, b in zip(from_point, to_point)]
    length = math.sqrt(sum(x * x for x in d))
    return [x / length for x in d]


def refused(client, op, params, code="bad_params"):
    error = error_of(client.request(op, params))
    assert error["code"] == code, error
    return error["message"]


# -- the catalogue --------------------------------------------------------------


def test_catalogue_holds_the_toolset_with_required_params_and_meanings():
    tools = [t for t in json.loads(CATALOGUE.read_text())["tools"] if t["toolset"] == "camera_light"]
    assert len(tools) >= 18
    for tool in tools:
        schema = tool["inputSchema"]
        own = {name: p for name, p in schema["properties"].items() if name != "session_id"}
        if own:
            assert set(schema["required"]) - {"session_id"}, f"{tool['name']}: every param optional"
        for name, param in own.items():
            assert param.get("description"), f"{tool['name']}.{name} has no description"


# -- cameras --------------------------------------------------------------------


def test_create_camera_looks_at_a_point_with_its_lens(client):
    result = client.call("camera.create", {"name": "Shot", "location": [6, -4, 3], "target": [1, 2, 0.5], "lens": 85})
    assert result["active"] is True and result["lens"] == pytest.approx(85)
    expected = direction([6, -4, 3], [1, 2, 0.5])
    assert forward_of(client, "Shot") == pytest.approx(expected, abs=1e-3)
    scene = py(client, "import json; c=bpy.context.scene.camera; print(json.dumps([c.name, c.data.lens, c.location[:]]))")
    assert scene[0] == "Shot" and scene[1] == pytest.approx(85) and scene[2] == pytest.approx([6, -4, 3])


def test_create_camera_at_an_object_and_its_refusals(client):
    py(client, "bpy.data.objects['Cube'].location = (2, 3, 1); print(1)")
    client.call("camera.create", {"name": "Cam2", "location": [-5, -5, 4], "target_object": "Cube", "make_active": False})
    assert forward_of(client, "Cam2") == pytest.approx(direction([-5, -5, 4], [2, 3, 1]), abs=1e-3)
    assert py(client, "print(json.dumps(bpy.context.scene.camera.name))") == "Camera"
    assert "between 1.0 and 5000.0" in refused(client, "camera.create", {"name": "C", "lens": 0.5})
    assert "already exists" in refused(client, "camera.create", {"name": "Cam2"}, "already_exists")
    assert "not both" in refused(client, "camera.create", {"name": "C", "target": [0, 0, 0], "target_object": "Cube"})
    assert "'Nope'" in refused(client, "camera.create", {"name": "C", "target_object": "Nope"}, "not_found")
    assert py(client, "print(json.dumps('C' in bpy.data.objects))") is False


def test_aim_camera_at_with_a_track_to_constraint_follows_the_target(client):
    result = client.call("camera.aim", {"object": "Light", "target_object": "Cube", "track": True})
    light_at = py(client, "print(json.dumps(bpy.data.objects['Light'].matrix_world.translation[:]))")
    assert result["forward"] == pytest.approx(direction(light_at, [0, 0, 0]), abs=1e-3)
    assert forward_of(client, "Light") == pytest.approx(direction(light_at, [0, 0, 0]), abs=1e-3)
    constraint = py(client, "c = bpy.data.objects['Light'].constraints[0]; print(json.dumps([c.type, c.target.name]))")
    assert constraint == ["TRACK_TO", "Cube"]
    py(client, "bpy.data.objects['Cube'].location = (0, 0, -3); print(1)")  # the constraint follows
    assert forward_of(client, "Light") == pytest.approx(direction(light_at, [0, 0, -3]), abs=1e-3)


def test_aim_camera_at_a_point_and_refusals(client):
    client.call("camera.aim", {"object": "Camera", "target": [1, 1, 1]})
    at = py(client, "print(json.dumps(bpy.data.objects['Camera'].matrix_world.translation[:]))")
    assert forward_of(client, "Camera") == pytest.approx(direction(at, [1, 1, 1]), abs=1e-3)
    assert "'target' (a point" in refused(client, "camera.aim", {"object": "Camera"})
    assert "needs 'target_object'" in refused(client, "camera.aim", {"object": "Camera", "target": [0, 0, 0], "track": True})
    assert "'Ghost'" in refused(client, "camera.aim", {"object": "Ghost", "target": [0, 0, 0]}, "not_found")
    assert "where 'Camera' stands" in refused(client, "camera.aim", {"object": "Camera", "target": at})


def test_set_camera_lens_and_orthographic(client):
    client.call("camera.lens", {"camera": "Camera", "lens": 35, "clip_end": 500})
    client.call("camera.lens", {"camera": "Camera", "type": "ortho", "ortho_scale": 12})
    data = py(client, "d = bpy.data.objects['Camera'].data; print(json.dumps([d.type, d.lens, d.ortho_scale, d.clip_end]))")
    assert data == ["ORTHO", pytest.approx(35), pytest.approx(12), pytest.approx(500)]
    assert "one of 'PERSP', 'ORTHO', 'PANO'" in refused(client, "camera.lens", {"camera": "Camera", "type": "FISHEYE"})
    assert "less than clip_end" in refused(client, "camera.lens", {"camera": "Camera", "clip_start": 600})
    assert "'Cube' is a MESH" in refused(client, "camera.lens", {"camera": "Cube", "lens": 50})


def test_set_depth_of_field_on_an_object_then_a_distance(client):
    result = client.call("camera.dof", {"camera": "Camera", "focus_object": "Cube", "fstop": 1.4})
    assert result["focus_object"] == "Cube"
    dof = py(client, "d = bpy.data.objects['Camera'].data.dof; print(json.dumps([d.use_dof, d.focus_object.name, d.aperture_fstop]))")
    assert dof == [True, "Cube", pytest.approx(1.4)]
    client.call("camera.dof", {"camera": "Camera", "focus_distance": 4.5})
    dof = py(client, "d = bpy.data.objects['Camera'].data.dof; print(json.dumps([d.focus_object is None, d.focus_distance]))")
    assert dof == [True, pytest.approx(4.5)]
    assert "between 0.01 and 128.0" in refused(client, "camera.dof", {"camera": "Camera", "fstop": 0})
    assert "not both" in refused(client, "camera.dof", {"camera": "Camera", "focus_object": "Cube", "focus_distance": 2})
    assert "must name a camera" in refused(client, "camera.dof", {"camera": "Light"})


def test_set_active_camera_and_list_cameras(client):
    client.call("camera.create", {"name": "Side", "location": [8, 0, 1], "lens": 24, "make_active": False})
    result = client.call("camera.set_active", {"camera": "Side"})
    assert result == {"camera": "Side", "previous": "Camera", "changed": {"created": [], "modified": ["Scene"], "removed": []}}
    assert py(client, "print(json.dumps(bpy.context.scene.camera.name))") == "Side"
    listing = client.call("camera.list", {})
    assert listing["active"] == "Side"
    by_name = {c["name"]: c for c in listing["cameras"]}
    assert set(by_name) == {"Camera", "Side"}
    assert by_name["Side"]["lens"] == pytest.approx(24) and by_name["Side"]["active"] is True
    assert by_name["Side"]["forward"] == pytest.approx(direction([8, 0, 1], [0, 0, 0]), abs=1e-3)
    assert "'Cube' is a MESH" in refused(client, "camera.set_active", {"camera": "Cube"})


IN_VIEW = """
import json
from bpy_extras.object_utils import world_to_camera_view
from mathutils import Vector
scene = bpy.context.scene
bpy.context.view_layer.update()
cam = bpy.data.objects['{camera}']
points = [world_to_camera_view(scene, cam, o.matrix_world @ Vector(c))
          for o in scene.objects if o.type == 'MESH' for c in o.bound_box]
print(json.dumps([min(p.x for p in points), max(p.x for p in points),
                  min(p.y for p in points), max(p.y for p in points), min(p.z for p in points)]))"""


@pytest.mark.parametrize("projection", ["PERSP", "ORTHO"])
def test_frame_objects_with_camera_fits_everything(client, projection):
    py(client, """
bpy.ops.mesh.primitive_cube_add(size=2, location=(12, 5, 0))
bpy.ops.mesh.primitive_uv_sphere_add(radius=3, location=(-9, -4, 2))
bpy.data.objects['Camera'].data.type = '%s'
print(1)""" % projection)
    before = forward_of(client, "Camera")
    result = client.call("camera.frame", {"camera": "Camera"})
    assert set(result["framed"]) == {"Cube", "Cube.001", "Sphere"}
    assert forward_of(client, "Camera") == pytest.approx(before, abs=1e-3)  # the view's direction kept
    low_x, high_x, low_y, high_y, near = py(client, IN_VIEW.format(camera="Camera"))
    assert 0.0 <= low_x and high_x <= 1.0 and 0.0 <= low_y and high_y <= 1.0 and near > 0
    # Framed tightly: the objects span a good part of the image, not a speck in it.
    assert max(high_x - low_x, high_y - low_y) > 0.4


def test_frame_named_objects_from_a_side_and_refusals(client):
    result = client.call("camera.frame", {"camera": "Camera", "objects": ["Cube"], "view": "front", "margin": 1.5})
    assert result["framed"] == ["Cube"]
    assert forward_of(client, "Camera") == pytest.approx([0, 1, 0], abs=1e-3)
    assert "between 1.0 and 5.0" in refused(client, "camera.frame", {"camera": "Camera", "margin": 0.5})
    assert "'Nope'" in refused(client, "camera.frame", {"camera": "Camera", "objects": ["Nope"]}, "not_found")
    assert "one of 'keep', 'front'" in refused(client, "camera.frame", {"camera": "Camera", "view": "under"})


# -- lights ---------------------------------------------------------------------


LIGHT_DATA = """
import json
d = bpy.data.objects['{name}'].data
print(json.dumps({{'type': d.type, 'energy': d.energy, 'color': d.color[:], 'radius': d.shadow_soft_size,
                  'size': getattr(d, 'size', None), 'spot': getattr(d, 'spot_size', None),
                  'blend': getattr(d, 'spot_blend', None), 'angle': getattr(d, 'angle', None),
                  'shape': getattr(d, 'shape', None)}}))"""


def test_add_light_of_every_type(client):
    client.call("light.add", {"name": "P", "energy": 250, "color": [1, 0.5, 0.25], "radius": 0.3})
    client.call("light.add", {"name": "S", "type": "spot", "spot_size": 40, "target_object": "Cube", "location": [0, -5, 5]})
    client.call("light.add", {"name": "A", "type": "AREA", "energy": 800, "size": 2.5})
    client.call("light.add", {"name": "Sun2", "type": "SUN", "angle": 5})
    p = py(client, LIGHT_DATA.format(name="P"))
    assert p["type"] == "POINT" and p["energy"] == pytest.approx(250)
    assert p["color"] == pytest.approx([1, 0.5, 0.25]) and p["radius"] == pytest.approx(0.3)
    s = py(client, LIGHT_DATA.format(name="S"))
    assert s["type"] == "SPOT" and s["energy"] == pytest.approx(1000) and s["spot"] == pytest.approx(math.radians(40))
    assert forward_of(client, "S") == pytest.approx(direction([0, -5, 5], [0, 0, 0]), abs=1e-3)
    a = py(client, LIGHT_DATA.format(name="A"))
    assert a["type"] == "AREA" and a["energy"] == pytest.approx(800) and a["size"] == pytest.approx(2.5)
    sun = py(client, LIGHT_DATA.format(name="Sun2"))
    assert sun["type"] == "SUN" and sun["energy"] == pytest.approx(3) and sun["angle"] == pytest.approx(math.radians(5))


def test_add_light_refusals_leave_nothing(client):
    assert "does not apply to a POINT light" in refused(client, "light.add", {"name": "X", "spot_size": 30})
    assert "between 0.0 and 10000000.0" in refused(client, "light.add", {"name": "X", "energy": -1})
    assert "one of 'POINT', 'SUN', 'SPOT', 'AREA'" in refused(client, "light.add", {"name": "X", "type": "LASER"})
    assert "between 0 and 1" in refused(client, "light.add", {"name": "X", "color": [2, 0, 0]})
    assert py(client, "print(json.dumps(['X' in bpy.data.objects, 'X' in bpy.data.lights]))") == [False, False]


def test_set_light_changes_what_its_type_has(client):
    client.call("light.add", {"name": "Spot", "type": "SPOT"})
    result = client.call("light.set", {"light": "Spot", "energy": 42, "spot_size": 60, "spot_blend": 0.5, "radius": 0.7,
                                       "color": [0, 0, 1]})
    assert result["light"]["energy"] == pytest.approx(42)
    s = py(client, LIGHT_DATA.format(name="Spot"))
    assert s["energy"] == pytest.approx(42) and s["spot"] == pytest.approx(math.radians(60))
    assert s["blend"] == pytest.approx(0.5) and s["radius"] == pytest.approx(0.7) and s["color"] == pytest.approx([0, 0, 1])
    client.call("light.add", {"name": "Panel", "type": "AREA"})
    client.call("light.set", {"light": "Panel", "shape": "rectangle", "size": 2, "size_y": 0.5})
    panel = py(client, "d = bpy.data.lights['Panel']; print(json.dumps([d.shape, d.size, d.size_y]))")
    assert panel == ["RECTANGLE", pytest.approx(2), pytest.approx(0.5)]
    assert "at least one setting" in refused(client, "light.set", {"light": "Spot"})
    assert "does not apply to a SPOT light" in refused(client, "light.set", {"light": "Spot", "shape": "DISK"})
    assert "between 0.0 and 1.0" in refused(client, "light.set", {"light": "Spot", "spot_blend": 3})
    assert "must name a light" in refused(client, "light.set", {"light": "Cube", "energy": 1})


def test_list_lights(client):
    client.call("light.add", {"name": "Rim", "type": "AREA", "energy": 300})
    lights = {light["name"]: light for light in client.call("light.list", {})["lights"]}
    assert set(lights) == {"Light", "Rim"}
    assert lights["Rim"]["type"] == "AREA" and lights["Rim"]["energy"] == pytest.approx(300)
    assert lights["Light"]["type"] == "POINT" and lights["Light"]["energy"] == pytest.approx(1000)


def test_remove_light(client):
    result = client.call("light.remove", {"light": "Light"})
    assert result["removed"] == "Light" and "Light" in result["changed"]["removed"]
    assert py(client, "print(json.dumps(['Light' in bpy.data.objects, len(bpy.data.lights)]))") == [False, 0]
    assert "must name a light" in refused(client, "light.remove", {"light": "Cube"})
    assert "'Light'" in refused(client, "light.remove", {"light": "Light"}, "not_found")


def test_add_sun_from_angles_shines_from_there(client):
    result = client.call("light.sun_angles", {"azimuth": 90, "elevation": 30, "energy": 4.5})
    toward_sun = [math.cos(math.radians(30)), 0.0, math.sin(math.radians(30))]
    assert result["direction_to_sun"] == pytest.approx(toward_sun, abs=1e-6)
    assert forward_of(client, "Sun") == pytest.approx([-x for x in toward_sun], abs=1e-3)
    assert py(client, "d = bpy.data.objects['Sun'].data; print(json.dumps([d.type, d.energy]))") == ["SUN", pytest.approx(4.5)]
    assert "between 0.0 and 90.0" in refused(client, "light.sun_angles", {"azimuth": 0, "elevation": 100})
    assert "missing required param 'elevation'" in refused(client, "light.sun_angles", {"azimuth": 0})


def test_three_point_lighting_aims_three_lights_at_the_target(client):
    py(client, "bpy.data.objects['Cube'].location = (1, 2, 0.5); print(1)")
    result = client.call("light.three_point", {"target": "Cube", "key_energy": 1000, "fill_ratio": 0.5, "rim_ratio": 0.8})
    assert result["collection"] == "Three Point Lights"
    facts = py(client, """
import json
bpy.context.view_layer.update()
c = bpy.data.collections['Three Point Lights']
print(json.dumps({o.name: [o.data.type, o.data.energy, o.matrix_world.translation[:]] for o in c.objects}))""")
    energies = {"Three Point Lights Key": 1000, "Three Point Lights Fill": 500, "Three Point Lights Rim": 800}
    assert set(facts) == set(energies)
    for name, (kind, energy, location) in facts.items():
        assert kind == "AREA" and energy == pytest.approx(energies[name])
        assert forward_of(client, name) == pytest.approx(direction(location, [1, 2, 0.5]), abs=1e-3)
    assert "already exists" in refused(client, "light.three_point", {"target": "Cube"}, "already_exists")
    assert "'Nope'" in refused(client, "light.three_point", {"target": "Nope", "collection": "R2"}, "not_found")
    assert "between 0.0 and 1.0" in refused(client, "light.three_point", {"target": "Cube", "fill_ratio": 2})


# -- the world ------------------------------------------------------------------


WORLD = """
import json
w = bpy.context.scene.world
bg = next(n for n in w.node_tree.nodes if n.bl_idname == 'ShaderNodeBackground')
env = [n for n in w.node_tree.nodes if n.bl_idname == 'ShaderNodeTexEnvironment']
link = bg.inputs['Color'].links
print(json.dumps({'color': bg.inputs['Color'].default_value[:], 'strength': bg.inputs['Strength'].default_value,
                  'linked': link[0].from_node.bl_idname if link else None,
                  'image': env[0].image.name if env and env[0].image else None,
                  'size': env[0].image.size[:] if env and env[0].image else None,
                  'has_data': env[0].image.has_data if env and env[0].image else None}))"""


def test_set_world_color_and_strength(client):
    client.call("world.color", {"color": [0.1, 0.2, 0.3], "strength": 0.5})
    world = py(client, WORLD)
    assert world["color"] == pytest.approx([0.1, 0.2, 0.3, 1]) and world["strength"] == pytest.approx(0.5)
    client.call("world.strength", {"strength": 2.5})
    assert py(client, WORLD)["strength"] == pytest.approx(2.5)
    assert "between 0 and 1" in refused(client, "world.color", {"color": [2, 0, 0]})
    assert "between 0.0 and 1000.0" in refused(client, "world.strength", {"strength": -1})


def test_world_ops_make_a_world_when_the_scene_has_none(client):
    py(client, "bpy.context.scene.world = None; print(1)")
    result = client.call("world.strength", {"strength": 3})
    assert result["changed"]["created"] and result["strength"] == pytest.approx(3)
    assert py(client, WORLD)["strength"] == pytest.approx(3)


def write_hdr(client, path):
    py(client, f"""
image = bpy.data.images.new('bake', 16, 8, float_buffer=True)
image.pixels = [2.0, 1.5, 1.0, 1.0] * (16 * 8)
image.filepath_raw = {str(path)!r}
image.file_format = 'HDR'
image.save()
bpy.data.images.remove(image)
print(1)""")
    assert path.is_file()


def test_set_world_hdri_loads_the_image_into_an_environment_texture(client, files_root):
    write_hdr(client, files_root / "sky.hdr")
    result = client.call("world.hdri", {"path": "sky.hdr", "strength": 1.7, "rotation": 90})
    assert result["hdri"]["size"] == [16, 8]
    world = py(client, WORLD)
    assert world["linked"] == "ShaderNodeTexEnvironment" and world["image"] == "sky.hdr"
    assert world["size"] == [16, 8] and world["has_data"] is True and world["strength"] == pytest.approx(1.7)
    rotation = py(client, "print(json.dumps(bpy.context.scene.world.node_tree.nodes['bmcp Mapping'].inputs['Rotation'].default_value[:]))")
    assert rotation == pytest.approx([0, 0, math.pi / 2])
    info = client.call("world.info", {})
    assert info["hdri"]["image"] == "sky.hdr" and info["strength"] == pytest.approx(1.7)
    # A plain colour afterwards replaces the environment in the background.
    client.call("world.color", {"color": [1, 1, 1]})
    assert py(client, WORLD)["linked"] is None and client.call("world.info", {})["hdri"] is None


def test_set_world_hdri_refusals(client, files_root, tmp_path):
    (files_root / "notes.txt").write_text("hello")
    (files_root / "broken.hdr").write_bytes(b"not an image")
    assert str(files_root) in refused(client, "world.hdri", {"path": str(tmp_path / "x.hdr")}, "path_not_allowed")
    assert "../../x.hdr" in refused(client, "world.hdri", {"path": "../../x.hdr"}, "path_not_allowed")
    assert "no file 'missing.hdr'" in refused(client, "world.hdri", {"path": "missing.hdr"}, "not_found")
    assert ".hdr, .exr" in refused(client, "world.hdri", {"path": "notes.txt"})
    assert "broken.hdr" in refused(client, "world.hdri", {"path": "broken.hdr"}, "file_unreadable")
    assert "between -360.0 and 360.0" in refused(client, "world.hdri", {"path": "sky.hdr", "rotation": 400})


# -- render settings ------------------------------------------------------------


def test_set_render_resolution(client):
    result = client.call("render.set_resolution", {"resolution": [1280, 720], "percentage": 50})
    assert result["resolution"] == [1280, 720]
    render = py(client, "r = bpy.context.scene.render; print(json.dumps([r.resolution_x, r.resolution_y, r.resolution_percentage]))")
    assert render == [1280, 720, 50]
    assert "each between 1 and 16384" in refused(client, "render.set_resolution", {"resolution": [0, 10]})
    assert "between 1 and 1000" in refused(client, "render.set_resolution", {"resolution": [10, 10], "percentage": 0})


def test_set_render_engine_cycles_renders_without_denoising(client):
    result = client.call("render.set_engine", {"engine": "cycles", "samples": 2, "film_transparent": True})
    assert result["engine"] == "cycles" and result["samples"] == 2
    scene = py(client, "s = bpy.context.scene; print(json.dumps([s.render.engine, s.cycles.samples, s.cycles.use_denoising, s.render.film_transparent]))")
    assert scene == ["CYCLES", 2, False, True]
    rendered = py(client, """
s = bpy.context.scene
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 16, 16, 100
bpy.ops.render.render()
print(json.dumps(bpy.data.images['Render Result'].name))""")
    assert rendered == "Render Result"


def test_set_render_engine_eevee_and_workbench(client):
    client.call("render.set_engine", {"engine": "eevee", "samples": 8})
    eevee = py(client, "s = bpy.context.scene; print(json.dumps([s.render.engine, s.eevee.taa_render_samples]))")
    assert eevee[0] in ("BLENDER_EEVEE", "BLENDER_EEVEE_NEXT") and eevee[1] == 8
    client.call("render.set_engine", {"engine": "WORKBENCH"})
    assert py(client, "print(json.dumps(bpy.context.scene.render.engine))") == "BLENDER_WORKBENCH"
    assert "does not apply to engine 'workbench'" in refused(client, "render.set_engine", {"engine": "workbench", "samples": 4})
    assert "one of 'workbench', 'eevee', 'cycles'" in refused(client, "render.set_engine", {"engine": "octane"})
    assert "between 1 and 65536" in refused(client, "render.set_engine", {"engine": "cycles", "samples": 0})


def test_set_color_management(client):
    views = py(client, "print(json.dumps(bpy.context.scene.view_settings.view_transform))")
    assert views  # the factory scene has one
    result = client.call("render.color_management", {"view_transform": "standard", "exposure": 0.5, "gamma": 1.2})
    assert result["view_transform"] == "Standard"
    filmic = "AgX" if "AgX" in refused(client, "render.color_management", {"view_transform": "Bogus"}) else "Filmic"
    client.call("render.color_management", {"view_transform": filmic, "look": "High Contrast"})
    view = py(client, "v = bpy.context.scene.view_settings; print(json.dumps([v.view_transform, v.look, v.exposure, v.gamma]))")
    assert view[0] == filmic and view[1].endswith("High Contrast")
    assert view[2] == pytest.approx(0.5) and view[3] == pytest.approx(1.2)
    message = refused(client, "render.color_management", {"view_transform": "Bogus"})
    assert "'Standard'" in message and "got 'Bogus'" in message
    message = refused(client, "render.color_management", {"view_transform": "Standard", "look": "Wobbly"})
    assert "'None'" in message and "got 'Wobbly'" in message
    assert "between -32.0 and 32.0" in refused(client, "render.color_management", {"view_transform": "Standard", "exposure": 99})


def test_get_render_settings_lists_the_engines(client):
    client.call("render.set_resolution", {"resolution": [640, 480]})
    settings = client.call("render.get_settings", {})
    assert settings["resolution"] == [640, 480]
    assert {"CYCLES", "BLENDER_WORKBENCH"} <= set(settings["engines"])
    assert any(engine.startswith("BLENDER_EEVEE") for engine in settings["engines"])
