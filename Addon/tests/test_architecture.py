"""The arch.* building ops against a real headless Blender, checked at real scale.

Sizes are read back the way a client would (object.info) and from the world
bounding box and ray casts through code.execute, so a hole is proved by a ray
passing through the wall, not by trusting the op's own answer.
"""

import json
import math
from pathlib import Path

import pytest

from bmcp_addon import arch_geometry as geometry
from wire_clients import FramedClient

DICTIONARY = Path(__file__).resolve().parents[2] / "Services/prompt-service/Core/Dictionary"
ARCH_OPS = ["arch.column_grid", "arch.floor_plan", "arch.gable_walls", "arch.opening", "arch.roof", "arch.slab",
            "arch.slab_opening", "arch.stairs", "arch.wall"]


@pytest.fixture
def client(addon):
    with FramedClient(addon.address) as connection:
        assert connection.hello()["type"] == "hello"
        yield connection


def run_code(client, code):
    return client.call("code.execute", {"code": "bpy.context.evaluated_depsgraph_get()\n" + code})["result"]


def world_bounds(client, name):
    """[[min x, y, z], [max x, y, z]] of the object's bound_box corners in world space.

    object.info reports it as world_bounding_box; older addons lacked it, so
    then the corners are computed in Blender through code.execute.
    """
    box = client.call("object.info", {"name": name}).get("world_bounding_box")
    if box is not None:
        return [box["min"], box["max"]]
    code = (
        "import json\nfrom mathutils import Vector\n"
        f"obj = bpy.data.objects[{name!r}]\n"
        "corners = [obj.matrix_world @ Vector(corner) for corner in obj.bound_box]\n"
        "print(json.dumps([[min(c[i] for c in corners) for i in range(3)], [max(c[i] for c in corners) for i in range(3)]]))\n"
    )
    return json.loads(run_code(client, code))


def ray_hits(client, name, points, direction):
    """For each world point, does a ray from it along `direction` hit object `name`?"""
    code = (
        "import json\nfrom mathutils import Vector\n"
        f"obj = bpy.data.objects[{name!r}]\n"
        "inverse = obj.matrix_world.inverted()\n"
        f"direction = inverse.to_3x3() @ Vector({list(direction)!r})\n"
        f"print(json.dumps([obj.ray_cast(inverse @ Vector(p), direction)[0] for p in {[list(p) for p in points]!r}]))\n"
    )
    return json.loads(run_code(client, code))


def refused(client, op, params):
    answer = client.request(op, params)
    assert answer["type"] == "error", f"{op} accepted {params}: {answer}"
    assert answer["error"]["code"] == "bad_params", answer
    return answer["error"]["message"]


# -- pure geometry (no Blender) ---------------------------------------------------


def test_adjacent_rooms_share_one_wall_run():
    runs = geometry.plan_wall_runs([(0, 0, 4, 3), (4, 0, 3, 3)])
    assert len(runs) == 5
    assert [r for r in runs if r.axis == "y" and r.line == 4] == [geometry.WallRun("y", 4, 0, 3)]
    assert geometry.WallRun("x", 0, 0, 7) in runs  # the two south edges merge into one wall


def test_flight_uses_fewest_risers_within_the_maximum():
    flight = geometry.compute_flight(2.9, 0.20, 0.26)
    assert (flight.risers, flight.treads) == (15, 14)
    assert flight.riser == pytest.approx(2.9 / 15)
    assert flight.run == pytest.approx(14 * 0.26)


def test_polygon_problems_are_named():
    assert geometry.polygon_problem([(0, 0), (4, 0), (4, 3)]) is None
    assert "cross" in geometry.polygon_problem([(0, 0), (4, 0), (0, 4), (4, 4)])
    assert "no area" in geometry.polygon_problem([(0, 0), (1, 0), (2, 0)])
    assert "at least 3" in geometry.polygon_problem([(0, 0), (1, 0)])


# -- ops in Blender ------------------------------------------------------------------


def test_arch_ops_are_registered(client):
    answer = client.request("arch.nope", {})
    assert answer["error"]["code"] == "unknown_op"
    for op in ARCH_OPS:
        assert op in answer["error"]["message"]


def test_wall_has_real_length_height_and_thickness(client):
    result = client.call("arch.wall", {"start": [1, 1], "end": [5, 1], "name": "T Wall"})
    assert result["name"] == "T Wall"
    assert result["changed"] == {"created": ["T Wall"], "modified": [], "removed": []}
    info = client.call("object.info", {"name": "T Wall"})
    assert info["dimensions"] == pytest.approx([4.0, 0.15, 2.4])
    assert info["collections"] == ["Walls"]
    assert info["location"] == pytest.approx([1, 1, 0])
    low, high = world_bounds(client, "T Wall")
    assert low == pytest.approx([1, 0.925, 0], abs=1e-5)
    assert high == pytest.approx([5, 1.075, 2.4], abs=1e-5)


def test_diagonal_wall_starts_at_its_origin_and_runs_its_length(client):
    result = client.call("arch.wall", {"start": [20, 0], "end": [23, 4], "height": 3, "thickness": 0.2, "base_z": 1})
    info = client.call("object.info", {"name": result["name"]})
    assert result["length"] == pytest.approx(5)
    assert info["dimensions"] == pytest.approx([5, 0.2, 3])
    assert info["location"] == pytest.approx([20, 0, 1])
    assert info["rotation"][2] == pytest.approx(math.atan2(4, 3))


def test_default_names_count_up(client):
    first = client.call("arch.wall", {"start": [40, 0], "end": [41, 0]})["name"]
    second = client.call("arch.wall", {"start": [40, 2], "end": [41, 2]})["name"]
    assert first.startswith("Wall") and second.startswith("Wall.") and first != second


def test_wall_out_of_range_names_param_range_and_value(client):
    message = refused(client, "arch.wall", {"start": [0, 0], "end": [1, 0], "height": 25})
    assert "'height'" in message and "between 0.1 and 20 m" in message and "got 25" in message
    message = refused(client, "arch.wall", {"start": [0, 0], "end": [1, 0], "thickness": 0.01})
    assert "'thickness'" in message and "0.05 and 1 m" in message and "got 0.01" in message
    assert "'start'" in refused(client, "arch.wall", {"start": [0], "end": [1, 0]})


def test_door_cuts_a_real_hole_of_its_size(client):
    client.call("arch.wall", {"start": [0, 10], "end": [4, 10], "name": "Door Wall"})
    before = client.call("object.info", {"name": "Door Wall"})["mesh"]["vertices"]
    result = client.call("arch.opening", {"wall": "Door Wall", "kind": "door", "offset": 2.0, "frame": True})
    assert (result["width"], result["height"], result["sill"]) == (0.9, 2.1, 0.0)
    assert result["changed"]["modified"] == ["Door Wall"]
    assert result["changed"]["created"] == [result["frame"]]
    info = client.call("object.info", {"name": "Door Wall"})
    assert info["mesh"]["vertices"] > before
    assert info["modifiers"] == []  # the boolean was applied, not left live
    assert info["dimensions"] == pytest.approx([4.0, 0.15, 2.4])
    # Rays across the wall: inside the 0.9 x 2.1 hole they pass, just outside it they hit.
    inside = [(1.57, 9, 0.05), (2.43, 9, 0.05), (2.0, 9, 2.08), (2.0, 9, 1.0)]
    outside = [(1.53, 9, 1.0), (2.47, 9, 1.0), (2.0, 9, 2.12), (0.5, 9, 1.0)]
    assert ray_hits(client, "Door Wall", inside + outside, (0, 1, 0)) == [False] * 4 + [True] * 4
    frame = client.call("object.info", {"name": result["frame"]})
    assert frame["dimensions"] == pytest.approx([0.9, 0.15, 2.1])
    assert frame["parent"] == "Door Wall" and frame["collections"] == ["Openings"]


def test_window_sits_on_its_sill(client):
    client.call("arch.wall", {"start": [0, 12], "end": [4, 12], "name": "Window Wall"})
    client.call("arch.opening", {"wall": "Window Wall", "kind": "window", "offset": 1.5, "width": 1.2, "height": 1.1})
    probes = [(1.5, 11, 0.8), (1.5, 11, 1.0), (1.5, 11, 1.9), (1.5, 11, 2.1)]
    assert ray_hits(client, "Window Wall", probes, (0, 1, 0)) == [True, False, False, True]


def test_opening_that_does_not_fit_is_refused_and_wall_untouched(client):
    client.call("arch.wall", {"start": [0, 14], "end": [3, 14], "name": "Short Wall"})
    message = refused(client, "arch.opening", {"wall": "Short Wall", "kind": "window", "offset": 0.3, "width": 1.2})
    assert "'offset'" in message and "between 0.6 and 2.4 m" in message and "got 0.3" in message
    message = refused(client, "arch.opening", {"wall": "Short Wall", "kind": "door", "offset": 1.5, "height": 2.6})
    assert "'height'" in message and "at most 2.4 m" in message and "got 2.6" in message
    assert client.call("object.info", {"name": "Short Wall"})["mesh"]["vertices"] == 8
    client.call("arch.opening", {"wall": "Short Wall", "kind": "door", "offset": 1.0})
    assert "overlaps" in refused(client, "arch.opening", {"wall": "Short Wall", "kind": "window", "offset": 1.6})
    assert client.request("arch.opening", {"wall": "No Such Wall", "offset": 1})["error"]["code"] == "not_found"


def test_door_in_a_diagonal_wall_follows_the_wall(client):
    client.call("arch.wall", {"start": [50, 0], "end": [53, 4], "name": "Slant Wall"})  # 5 m at atan2(4, 3)
    client.call("arch.opening", {"wall": "Slant Wall", "offset": 2.5, "width": 1.0})
    along, across = (0.6, 0.8), (-0.8, 0.6)  # unit vectors along and across the wall

    def point(distance, height):  # 1 m in front of the wall, `distance` along it
        return (50 + along[0] * distance - across[0], along[1] * distance - across[1], height)

    probes = [point(2.5, 1.0), point(2.1, 2.0), point(1.9, 1.0), point(3.1, 1.0), point(2.5, 2.2)]
    assert ray_hits(client, "Slant Wall", probes, (across[0], across[1], 0)) == [False, False, True, True, True]


def test_opening_refuses_objects_that_are_not_walls(client):
    assert "CAMERA" in refused(client, "arch.opening", {"wall": "Camera", "offset": 1})
    client.call("arch.wall", {"start": [60, 0], "end": [64, 0], "name": "Scaled Wall"})
    run_code(client, "bpy.data.objects['Scaled Wall'].scale = (2, 1, 1)")
    assert "apply its scale" in refused(client, "arch.opening", {"wall": "Scaled Wall", "offset": 2})


@pytest.mark.parametrize("kind", ["gable", "hip", "irimoya"])
def test_pitched_roof_ridge_height_matches_the_formula(client, kind):
    width, depth, base_z, pitch, overhang = 6.0, 10.0, 3.0, 30.0, 0.45
    result = client.call("arch.roof", {
        "type": kind, "width": width, "depth": depth, "origin": [100, 0], "base_z": base_z,
        "pitch_deg": pitch, "overhang": overhang, "name": f"Roof {kind}",
    })
    ridge = base_z + width / 2 * math.tan(math.radians(pitch))  # span = the shorter side, 6 m
    assert result["ridge_z"] == pytest.approx(ridge)
    assert result["ridge_axis"] == "y"
    low, high = world_bounds(client, f"Roof {kind}")
    assert high[2] == pytest.approx(ridge, abs=1e-4)
    assert low[0] == pytest.approx(100 - overhang, abs=1e-4) and high[0] == pytest.approx(106 + overhang, abs=1e-4)
    assert high[1] - low[1] == pytest.approx(depth + 2 * overhang, abs=1e-4)
    info = client.call("object.info", {"name": f"Roof {kind}"})
    assert info["collections"] == ["Roofs"]


def test_shed_and_flat_roofs(client):
    shed = client.call("arch.roof", {"type": "shed", "width": 8, "depth": 4, "pitch_deg": 10, "overhang": 0, "origin": [120, 0]})
    high = world_bounds(client, shed["name"])[1]
    assert high[2] == pytest.approx(4 * math.tan(math.radians(10)), abs=1e-4)
    flat = client.call("arch.roof", {"type": "flat", "width": 8, "depth": 4, "pitch_deg": 45, "base_z": 3, "thickness": 0.3, "origin": [130, 0]})
    low, high = world_bounds(client, flat["name"])
    assert (low[2], high[2]) == pytest.approx((3.0, 3.3), abs=1e-5)


def test_roof_refusals_name_the_param(client):
    message = refused(client, "arch.roof", {"type": "dome", "width": 5, "depth": 5})
    assert "'type'" in message and "irimoya" in message
    message = refused(client, "arch.roof", {"type": "gable", "width": 5, "depth": 5, "pitch_deg": 75})
    assert "'pitch_deg'" in message and "0 and 60 deg" in message and "got 75" in message
    assert "'overhang'" in refused(client, "arch.roof", {"type": "hip", "width": 5, "depth": 5, "overhang": 3})


def test_stairs_have_equal_risers_within_the_limit(client):
    result = client.call("arch.stairs", {"start": [0, 30, 0], "total_rise": 2.9, "width": 0.9, "name": "T Stairs"})
    assert (result["steps"], result["treads"]) == (15, 14)
    assert result["riser"] == pytest.approx(2.9 / 15)
    assert result["run"] == pytest.approx(14 * 0.26)
    low, high = world_bounds(client, "T Stairs")
    assert low == pytest.approx([0, 29.55, 0], abs=1e-5)
    assert high == pytest.approx([3.64, 30.45, 2.9], abs=1e-5)
    assert client.call("object.info", {"name": "T Stairs"})["collections"] == ["Stairs"]


def test_stairs_with_a_too_high_riser_are_refused_with_the_allowed_range(client):
    count = client.call("scene.info")["object_count"]
    message = refused(client, "arch.stairs", {"total_rise": 2.9, "riser_max": 0.4})
    assert "riser" in message and "0.10–0.23 m" in message and "0.3625" in message
    assert client.call("scene.info")["object_count"] == count


def test_slabs_from_outline_and_from_size(client):
    outline = [[0, 40], [4, 40], [4, 42], [2, 42], [2, 44], [0, 44]]  # an L, 12 m²
    result = client.call("arch.slab", {"outline": outline, "thickness": 0.15, "z": 0.5})
    assert result["area"] == pytest.approx(12)
    low, high = world_bounds(client, result["name"])
    assert low == pytest.approx([0, 40, 0.35], abs=1e-5) and high == pytest.approx([4, 44, 0.5], abs=1e-5)
    sized = client.call("arch.slab", {"width": 7.28, "depth": 9.1, "origin": [10, 40]})
    assert client.call("object.info", {"name": sized["name"]})["dimensions"] == pytest.approx([7.28, 9.1, 0.2])
    assert "both" in refused(client, "arch.slab", {"outline": outline, "width": 3})
    assert "cross" in refused(client, "arch.slab", {"outline": [[0, 0], [1, 0], [0, 1], [1, 1]]})


def test_column_grid_places_every_column(client):
    result = client.call("arch.column_grid", {
        "origin": [0, 60], "nx": 3, "ny": 2, "spacing_x": 6, "spacing_y": 5, "width": 0.4, "height": 3.5, "shape": "round",
    })
    assert result["count"] == 6 and result["changed"]["created"] == result["names"]
    locations = [client.call("object.info", {"name": name})["location"] for name in result["names"]]
    flat = [value for location in locations for value in location]
    assert flat == pytest.approx([value for y in (60, 65) for x in (0, 6, 12) for value in (x, y, 0)])
    info = client.call("object.info", {"name": result["names"][-1]})
    assert info["dimensions"] == pytest.approx([0.4, 0.4, 3.5], abs=1e-3)
    assert info["collections"] == ["Columns"]
    assert "'shape'" in refused(client, "arch.column_grid", {"shape": "hexagon"})


def test_floor_plan_lays_a_shared_wall_once(client):
    rooms = [{"name": "Living", "x": 0, "y": 80, "width": 4, "depth": 3}, {"name": "Kitchen", "x": 4, "y": 80, "width": 3, "depth": 3}]
    result = client.call("arch.floor_plan", {"rooms": rooms, "wall_height": 2.5, "doors": [{"room": "Kitchen", "side": "west"}]})
    assert len(result["walls"]) == 5 and result["changed"]["created"] == result["walls"]
    bounds = [world_bounds(client, name) for name in result["walls"]]
    along_y = [b for b in bounds if b[1][1] - b[0][1] > 1]  # the three walls running north-south
    centres = sorted(round((low[0] + high[0]) / 2, 4) for low, high in along_y)
    assert centres == [0, 4, 7]  # one wall at x = 4, not one per room
    for low, high in bounds:
        assert high[2] - low[2] == pytest.approx(2.5, abs=1e-5)
    door = result["doors"][0]
    assert door["wall"] == next(s["name"] for s in result["wall_segments"] if s["start"][0] == 4)
    assert ray_hits(client, door["wall"], [(3, 81.5, 1.0), (3, 80.7, 1.0)], (1, 0, 0)) == [False, True]


def test_floor_plan_refusals_change_nothing(client):
    count = client.call("scene.info")["object_count"]
    overlapping = [{"name": "A", "x": 0, "y": 0, "width": 4, "depth": 3}, {"name": "B", "x": 3, "y": 0, "width": 3, "depth": 3}]
    assert "overlap" in refused(client, "arch.floor_plan", {"rooms": overlapping})
    rooms = [{"name": "A", "x": 0, "y": 0, "width": 4, "depth": 3}]
    message = refused(client, "arch.floor_plan", {"rooms": rooms, "doors": [{"room": "A", "side": "up"}]})
    assert "doors[0].side" in message and "north" in message
    message = refused(client, "arch.floor_plan", {"rooms": [{"name": "A", "x": 0, "y": 0, "width": 0.1, "depth": 3}]})
    assert "rooms[0].width" in message and "0.5 and 100 m" in message
    assert client.call("scene.info")["object_count"] == count


def test_detached_house_recipe_at_its_defaults(client):
    """Follows the dictionary's detached-house recipe step by step with the entry's defaults."""
    entry = next(e for e in json.loads((DICTIONARY / "building-types.json").read_text()) if e["id"] == "detached-house")
    a = {argument["name"]: argument["default"] for argument in entry["arguments"]}
    tools = " ".join(entry["recipe"])
    for tool in ("create_slab", "create_floor_plan", "create_roof", "get_object_info"):
        assert tool in tools
    ox, oy = 200.0, 0.0
    client.call("arch.slab", {"width": a["width"], "depth": a["depth"], "origin": [ox, oy], "thickness": a["slab_thickness"], "z": 0})
    house = [{"name": "House", "x": ox, "y": oy, "width": a["width"], "depth": a["depth"]}]
    walls, plans = [], []
    for storey in range(a["storeys"]):
        doors = [{"room": "House", "side": "south", "width": a["door_width"], "height": a["door_height"]}] if storey == 0 else []
        plan = client.call("arch.floor_plan", {
            "rooms": house, "wall_height": a["floor_height"], "wall_thickness": a["wall_thickness"],
            "base_z": storey * a["floor_height"], "doors": doors,
        })
        assert len(plan["walls"]) == 4
        walls += plan["walls"]
        plans.append(plan)
    for name in walls:
        assert client.call("object.info", {"name": name})["dimensions"][2] == pytest.approx(a["floor_height"])
    eaves = a["storeys"] * a["floor_height"]
    roof = client.call("arch.roof", {
        "type": "gable", "width": a["width"], "depth": a["depth"], "origin": [ox, oy], "base_z": eaves,
        "pitch_deg": a["roof_pitch"], "overhang": a["eaves_overhang"], "ridge_axis": "y",
    })
    # The entrance door: centred on the south side, door_width x door_height, proved by rays.
    south = plans[0]["doors"][0]["wall"]
    centre_x, w, h = ox + a["width"] / 2, a["door_width"], a["door_height"]
    inside = [(centre_x - w / 2 + 0.02, oy - 1, 0.05), (centre_x + w / 2 - 0.02, oy - 1, h - 0.02)]
    outside = [(centre_x - w / 2 - 0.02, oy - 1, 1), (centre_x + w / 2 + 0.02, oy - 1, 1), (centre_x, oy - 1, h + 0.02)]
    assert ray_hits(client, south, inside + outside, (0, 1, 0)) == [False, False, True, True, True]
    ridge = eaves + a["width"] / 2 * math.tan(math.radians(a["roof_pitch"]))
    assert world_bounds(client, roof["name"])[1][2] == pytest.approx(ridge, abs=1e-4)
    assert roof["ridge_z"] == pytest.approx(ridge)


def snapshot_of(client, name):
    return next(o for o in client.call("scene.snapshot")["objects"] if o["name"] == name)


def test_gable_walls_close_both_ends_up_to_the_underside(client):
    ox, oy = 300.0, 0.0
    roof = client.call("arch.roof", {"type": "gable", "width": 8, "depth": 6, "origin": [ox, oy], "base_z": 2.4,
                                     "pitch_deg": 30, "name": "Gabled"})
    result = client.call("arch.gable_walls", {"roof": "Gabled"})
    assert result["ends"] == ["west", "east"] and len(result["changed"]["created"]) == 2
    drop = 0.2 / math.cos(math.radians(30))
    assert result["apex_z"] == pytest.approx(roof["ridge_z"] - drop)
    west = world_bounds(client, result["names"][0])
    assert west[0] == pytest.approx([ox - 0.075, oy + drop / math.tan(math.radians(30)), 2.4], abs=1e-4)
    assert west[1][2] == pytest.approx(roof["ridge_z"] - drop, abs=1e-4)
    # A ray along the ridge just under the roof hits the west gable: the end is closed.
    assert ray_hits(client, result["names"][0], [(ox - 1, oy + 3, 3.0)], (1, 0, 0)) == [True]
    assert snapshot_of(client, result["names"][1])["arch"] == pytest.approx({
        "kind": "gable_wall", "roof": "Gabled", "end": "east", "thickness": 0.15, "bottom_z": 2.4,
        "apex_z": result["apex_z"], "span": 6.0, "line": ox + 8})
    hip = client.call("arch.roof", {"type": "hip", "width": 8, "depth": 6, "origin": [ox, 20], "base_z": 2.4})
    error = client.request("arch.gable_walls", {"roof": hip["name"]})["error"]
    assert error["code"] == "bad_params" and "is a hip roof" in error["message"]
    error = client.request("arch.gable_walls", {"roof": "Gabled", "bottom_z": 5})["error"]
    assert "param 'bottom_z' must be below the roof's underside" in error["message"]


def test_slab_opening_cuts_a_stairwell_and_is_recorded(client):
    ox = 320.0
    slab = client.call("arch.slab", {"width": 8, "depth": 6, "origin": [ox, 0], "thickness": 0.2, "storey": 2, "floor_height": 2.7})
    assert slab["top_z"] == pytest.approx(2.7)
    result = client.call("arch.slab_opening", {"slab": slab["name"], "x": ox + 1, "y": 1, "width": 1, "depth": 3})
    assert result["changed"]["modified"] == [slab["name"]] and result["area"] == pytest.approx(3)
    assert ray_hits(client, slab["name"], [(ox + 1.5, 2.5, 5), (ox + 3, 2.5, 5)], (0, 0, -1)) == [False, True]
    record = snapshot_of(client, slab["name"])["arch"]
    assert record["storey"] == 2 and record["openings"] == [{"kind": "stairwell", "x": ox + 1, "y": 1, "width": 1, "depth": 3}]
    error = client.request("arch.slab_opening", {"slab": slab["name"], "x": ox + 1.5, "y": 2, "width": 1, "depth": 1})["error"]
    assert "overlaps the stairwell" in error["message"]
    error = client.request("arch.slab_opening", {"slab": slab["name"], "x": ox + 7.5, "y": 1, "width": 1, "depth": 1})["error"]
    assert "is outside its outline" in error["message"]
    error = client.request("arch.slab", {"width": 8, "depth": 6, "z": 1, "storey": 2, "floor_height": 2.7})["error"]
    assert "give either 'z' or 'storey' + 'floor_height', not both" in error["message"]


def test_plan_walls_know_their_rooms_sides_and_doors(client):
    plan = client.call("arch.floor_plan", {"rooms": [{"name": "Living", "x": 340, "y": 0, "width": 8, "depth": 6}],
                                           "storey": 1, "doors": [{"room": "Living", "side": "south"}]})
    south = snapshot_of(client, plan["doors"][0]["wall"])["arch"]
    assert south["kind"] == "wall" and south["storey"] == 1 and south["height"] == 2.4
    assert [(b["room"], b["side"]) for b in south["bounds"]] == [("Living", "south")]
    door = south["openings"][0]
    assert door["kind"] == "door" and door["side_offset"] == pytest.approx(4.0) and door["room"] == "Living"
    assert door["offset"] == pytest.approx(south["length"] / 2)
