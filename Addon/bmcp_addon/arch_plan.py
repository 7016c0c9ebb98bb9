"""arch.floor_plan: walls laid around rectangular rooms, shared walls laid once, doors cut.

Rooms are given on wall centre lines (芯々, the usual Japanese way of
dimensioning a plan): a 3.64 x 2.73 room has its wall centres on that
rectangle. Every room edge goes onto a line; collinear edges that touch or
overlap merge into one wall run, so two rooms side by side share one wall.
Each run is extended by half the wall thickness at both ends so corners and
T-junctions close without gaps.
"""

from . import arch_geometry as geometry
from .arch_openings import check_opening_fits, cut_opening
from .arch_params import (
    FLOOR_HEIGHT,
    STOREY,
    FieldReader,
    bad,
    format_number,
    in_range,
    level,
    metres,
    object_name,
    optional_name,
    storey_level,
)
from .arch_walls import make_wall
from .ops_common import changed, registry
from .registry import Kind, Param, array_of

OP = "arch.floor_plan"
SIDES = ("north", "south", "east", "west")


def _number(low, high, about):
    return {"type": "number", "minimum": low, "maximum": high, "description": about}


# One room or door: the registry takes any object here and read_rooms / read_doors check its
# fields against exactly this schema, with messages naming the item ("rooms[2].width ...").
ROOM = Kind("an object {name, x, y, width, depth}", lambda v: isinstance(v, dict), schema={
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "description": "The room's name, unique in the plan"},
        "x": _number(-1000.0, 1000.0, "x of the room's south-west wall centre corner, m"),
        "y": _number(-1000.0, 1000.0, "y of that corner, m"),
        "width": _number(0.5, 100.0, "Size along x between wall centres, m"),
        "depth": _number(0.5, 100.0, "Size along y between wall centres, m"),
    },
    "required": ["name", "x", "y", "width", "depth"],
    "additionalProperties": False,
})
DOOR = Kind("an object {room, side, offset?, width?, height?}", lambda v: isinstance(v, dict), schema={
    "type": "object",
    "properties": {
        "room": {"type": "string", "minLength": 1, "description": "The room whose side the door is in"},
        "side": {"type": "string", "enum": list(SIDES), "description": "Which side of the room"},
        "offset": {"type": "number", "description": "From that side's start (its west or south end) to the "
                   "door's centre, m (default: the middle); the door must clear the walls meeting that side"},
        "width": {**_number(0.5, 5.0, "Door width, m"), "default": 0.9},
        "height": {**_number(0.5, 20.0, "Door height, m, at most the wall height"), "default": 2.1},
    },
    "required": ["room", "side"],
    "additionalProperties": False,
})


def read_rooms(rooms):
    if not 1 <= len(rooms) <= 100:
        raise bad(OP, f"param 'rooms' must hold between 1 and 100 rooms, got {len(rooms)}")
    read = {}
    for index, value in enumerate(rooms):
        room = FieldReader(OP, f"rooms[{index}]", value, ("name", "x", "y", "width", "depth"))
        name = room.string("name")
        if name in read:
            raise bad(OP, f"rooms[{index}].name '{name}' is used by two rooms; room names must be unique")
        read[name] = (
            room.number("x", -1000.0, 1000.0),
            room.number("y", -1000.0, 1000.0),
            room.number("width", 0.5, 100.0),
            room.number("depth", 0.5, 100.0),
        )
    names = list(read)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            if geometry.rectangles_overlap(read[first], read[second]):
                raise bad(OP, f"rooms '{first}' and '{second}' overlap; rooms may share walls but not floor area")
    return read


def junctions(run, runs):
    """Positions along `run` where a perpendicular wall meets or crosses it."""
    points = []
    for other in runs:
        if other.axis != run.axis and other.start - 1e-6 <= run.line <= other.end + 1e-6:
            if run.start - 1e-6 <= other.line <= run.end + 1e-6:
                points.append(other.line)
    return points


def read_doors(doors, rooms, runs, wall_height, thickness):
    """Check every door before anything is built; returns (run index, door record) pairs."""
    planned = []
    for index, value in enumerate(doors):
        path = f"doors[{index}]"
        door = FieldReader(OP, path, value, ("room", "side", "offset", "width", "height"))
        room_name = door.string("room")
        if room_name not in rooms:
            raise bad(OP, f"{path}.room '{room_name}' is not one of the rooms ({', '.join(rooms)})")
        side = door.string("side", choices=SIDES)
        width = door.number("width", 0.5, 5.0, default=0.9)
        height = door.number("height", 0.5, wall_height, default=2.1)
        x, y, room_width, room_depth = rooms[room_name]
        edge = next(e for e in geometry.room_edges(x, y, room_width, room_depth) if e[0] == side)
        _side, axis, line, start, end = edge
        side_length = end - start
        low, high = width / 2.0 + thickness / 2.0, side_length - width / 2.0 - thickness / 2.0
        if high < low:
            raise bad(OP, f"{path}: a {format_number(width)} m door does not fit on the {side} side of "
                          f"'{room_name}' ({format_number(side_length)} m between wall centres)")
        offset = door.number("offset", low, high, default=side_length / 2.0) if door.has("offset") else side_length / 2.0
        run_index = next(i for i, run in enumerate(runs) if run.contains(axis, line, start, end))
        run = runs[run_index]
        centre = start + offset  # along the run's axis, in plan coordinates
        for junction in junctions(run, runs):
            if abs(junction - centre) < width / 2.0 + thickness / 2.0 - 1e-6:
                raise bad(OP, f"{path}: the door at offset {format_number(offset)} m on the {side} side of "
                              f"'{room_name}' runs into the wall meeting it {format_number(abs(junction - start))} m "
                              f"from that side's start")
        for other_index, other in planned:
            if other_index == run_index and abs(other["centre"] - centre) < (other["width"] + width) / 2.0:
                raise bad(OP, f"{path} overlaps the door of room '{other['room']}' on the same wall")
        planned.append((run_index, {
            "room": room_name, "side": side, "offset": offset, "width": width, "height": height,
            "centre": centre, "wall_offset": centre - (run.start - thickness / 2.0),
        }))
    return planned


def bounds_of(run, rooms):
    """The rooms (with their centre-line rectangles) whose sides lie on `run`, and which side."""
    bounds = []
    for name, (x, y, width, depth) in rooms.items():
        for side, axis, line, start, end in geometry.room_edges(x, y, width, depth):
            if run.contains(axis, line, start, end):
                bounds.append({"room": name, "side": side, "x": x, "y": y, "width": width, "depth": depth})
    return bounds


@registry.tool(
    "create_floor_plan",
    "Lay walls around rectangular rooms given on wall centre lines (shared walls laid once, corners closed) "
    "and cut their doors.",
    toolset="architecture",
    output={
        "walls": {"type": "array", "items": {"type": "string"}},
        "wall_segments": {"type": "array", "items": {"type": "object"}},
        "doors": {"type": "array", "items": {"type": "object"}},
    },
)
@registry.mutating_op(
    "arch.floor_plan",
    rooms=Param(array_of(ROOM, 1, 100), about="The rooms, 1-100, that may share walls but not floor area"),
    wall_height=metres(2.4, 0.1, 20.0, "Wall height, m"),
    wall_thickness=metres(0.15, 0.05, 1.0, "Wall thickness, m"),
    base_z=level("Height of the floor"),
    storey=STOREY,
    floor_height=FLOOR_HEIGHT,
    doors=Param(array_of(DOOR), None, about="Doors to cut, each in one room's side"),
    name=object_name("Wall"),
)
def arch_floor_plan(ctx, rooms, wall_height, wall_thickness, base_z, storey, floor_height, doors, name):
    wall_height = in_range(OP, "wall_height", wall_height, 0.1, 20.0)
    thickness = in_range(OP, "wall_thickness", wall_thickness, 0.05, 1.0)
    storey, base_z = storey_level(OP, storey, floor_height, base_z, "base_z")
    wall_name = optional_name(OP, name, "Wall")
    read = read_rooms(rooms)
    runs = geometry.plan_wall_runs(list(read.values()))
    planned = read_doors(doors or [], read, runs, wall_height, thickness)

    walls, segments = [], []
    half = thickness / 2.0
    for run in runs:
        (x0, y0), (x1, y1) = run.endpoints()
        # Extend by half a thickness at each end: the corner squares get filled.
        dx, dy = (half, 0.0) if run.axis == "x" else (0.0, half)
        start, end = (x0 - dx, y0 - dy), (x1 + dx, y1 + dy)
        wall = make_wall(wall_name, start, end, wall_height, thickness, base_z, storey, bounds_of(run, read))
        walls.append(wall)
        segments.append({"name": wall.name, "start": list(start), "end": list(end), "length": run.end - run.start + thickness})

    placed = []
    for run_index, door in planned:
        wall = walls[run_index]
        offset = door["wall_offset"]
        extent = check_opening_fits(OP, wall, "door", offset, door["width"], door["height"], 0.0, "door offset")
        cut_opening(wall, extent, "door", offset, door["width"], door["height"], 0.0,
                    room=door["room"], side=door["side"], side_offset=door["offset"])
        placed.append({key: door[key] for key in ("room", "side", "offset", "width", "height")} | {"wall": wall.name})

    names = [wall.name for wall in walls]
    return {"walls": names, "wall_segments": segments, "doors": placed, "changed": changed(names)}
