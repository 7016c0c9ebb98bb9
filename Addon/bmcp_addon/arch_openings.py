"""arch.opening: doors and windows cut into walls, with an optional frame; arch.slab_opening:
a stairwell (or shaft, void) cut through a slab.

`offset` is the distance along the wall from its start to the opening's
centre; `sill` is the height of the opening's bottom above the wall's base.
The hole is a boolean DIFFERENCE applied at once (the wall keeps plain mesh
data, no live modifier), and each cut is recorded on the wall so a later
opening that would overlap it is refused.
"""

from . import arch_geometry as geometry
from . import arch_mesh
from .arch_params import bad, format_number, in_range, metres
from .arch_tags import facts, tag
from .ops_common import changed, find_object, registry
from .registry import BOOLEAN, NAME, Param, one_of

NUMBER_FIELD = {"type": "number"}
OPENING_MARGIN = 0.01  # a cutter overshoots the faces it cuts through, so no sliver faces survive

OPENING_DEFAULTS = {"door": {"width": 0.9, "height": 2.1, "sill": 0.0}, "window": {"width": 1.2, "height": 1.1, "sill": 0.9}}


def wall_extent(op, wall):
    """(x0, length, thickness, z0, height) of a wall in its own space: length runs along local x."""
    if wall.type != "MESH":
        raise bad(op, f"object '{wall.name}' is a {wall.type}, not a mesh wall")
    if any(abs(factor - 1.0) > 1e-6 for factor in wall.scale):
        # Sizes are measured in the wall's own space; a scaled wall would make them lie.
        raise bad(op, f"wall '{wall.name}' is scaled by {[round(f, 4) for f in wall.scale]}; apply its scale first")
    extent = arch_mesh.local_extent(wall)
    if extent is None:
        raise bad(op, f"wall '{wall.name}' has no vertices")
    low, high = extent
    return low.x, high.x - low.x, high.y - low.y, low.z, high.z - low.z


def check_opening_fits(op, wall, kind, offset, width, height, sill, label="param 'offset'"):
    """Refuse an opening that leaves the wall or overlaps one already cut; returns the wall extent."""
    x0, length, thickness, z0, wall_height = wall_extent(op, wall)
    low, high = width / 2.0, length - width / 2.0
    if width >= length:
        raise bad(op, f"a {format_number(width)} m wide {kind} does not fit in wall '{wall.name}' "
                      f"({format_number(length)} m long): width must be less than {format_number(length)} m")
    if not (low - 1e-9 <= offset <= high + 1e-9):
        raise bad(op, f"{label} must be between {format_number(low)} and {format_number(high)} m "
                      f"for a {format_number(width)} m wide {kind} in wall '{wall.name}' "
                      f"({format_number(length)} m long), got {format_number(offset)}")
    if sill + height > wall_height + 1e-9:
        raise bad(op, f"param 'height' must be at most {format_number(max(wall_height - sill, 0))} m "
                      f"(sill {format_number(sill)} m + height must fit the wall's {format_number(wall_height)} m), "
                      f"got {format_number(height)}")
    for other in arch_mesh.recorded_openings(wall):
        apart = abs(other["offset"] - offset) >= (other["width"] + width) / 2.0 - 1e-9
        above = sill >= other["sill"] + other["height"] - 1e-9 or other["sill"] >= sill + height - 1e-9
        if not (apart or above):
            raise bad(op, f"the {kind} overlaps the {other['kind']} already cut at offset "
                          f"{format_number(other['offset'])} m in wall '{wall.name}'")
    return x0, length, thickness, z0, wall_height


def cut_opening(wall, extent, kind, offset, width, height, sill, **facts):
    """Cut a width x height hole whose centre is `offset` along the wall from its start;
    `facts` (a plan door's room, side and offset along that side) go into its record."""
    x0, length, thickness, z0, wall_height = extent
    m = OPENING_MARGIN
    left, right = x0 + offset - width / 2.0, x0 + offset + width / 2.0
    bottom, top = z0 + sill, z0 + sill + height
    # Overshoot only through faces the hole really opens: the wall's faces, its base for a door.
    bottom -= m if sill <= 1e-9 else 0.0
    top += m if sill + height >= wall_height - 1e-9 else 0.0
    record = {"kind": kind, "offset": offset, "width": width, "height": height, "sill": sill, **facts}
    arch_mesh.cut_box(wall, left, right, -thickness / 2.0 - m, thickness / 2.0 + m, bottom, top, record)


def add_frame(wall, extent, kind, offset, width, height, sill, frame_width):
    """A frame lining the hole (jambs, head, and a sill piece for windows), parented to the wall."""
    x0, _length, thickness, z0, _h = extent
    left, right = x0 + offset - width / 2.0, x0 + offset + width / 2.0
    bottom, top = z0 + sill, z0 + sill + height
    half, fw = thickness / 2.0, frame_width
    parts = [
        geometry.box(left, left + fw, -half, half, bottom, top),
        geometry.box(right - fw, right, -half, half, bottom, top),
        geometry.box(left + fw, right - fw, -half, half, top - fw, top),
    ]
    if kind == "window":
        parts.append(geometry.box(left + fw, right - fw, -half, half, bottom, bottom + fw))
    solid = geometry.Solid()
    for part in parts:
        solid.add(part)
    frame = tag(arch_mesh.add_object(f"{kind.capitalize()} Frame", solid, "Openings"), "opening_frame",
                opening=kind, wall=wall.name, offset=offset)
    frame.parent = wall
    frame.matrix_world = wall.matrix_world.copy()
    return frame


@registry.tool(
    "create_opening",
    "Cut a door or window into a wall made by create_wall or create_floor_plan (and optionally frame it); "
    "an opening that leaves the wall or overlaps another is refused.",
    toolset="architecture",
    output={"wall": {"type": "string"}, "kind": {"type": "string"}, "offset": NUMBER_FIELD, "width": NUMBER_FIELD,
            "height": NUMBER_FIELD, "sill": NUMBER_FIELD, "frame": {"type": ["string", "null"]},
            "vertices": {"type": "integer"}},
)
@registry.mutating_op(
    "arch.opening",
    wall=Param(NAME, about="The wall object's name"),
    kind=Param(one_of("door", "window"), "door", about="What to cut"),
    offset=metres(..., 0.0, 1000.0, "Distance along the wall from its start to the opening's centre, m "
                                    "(the opening must stay inside the wall)"),
    width=metres(None, 0.2, 20.0, "Opening width, m (default: door 0.9, window 1.2)"),
    height=metres(None, 0.1, 20.0, "Opening height, m (default: door 2.1, window 1.1); sill + height must fit the wall"),
    sill=metres(None, 0.0, 20.0, "Height of the opening's bottom above the wall's base, m (default: window 0.9, door 0)"),
    frame=Param(BOOLEAN, False, about="Also add a frame object lining the hole"),
    frame_width=metres(0.05, 0.01, 0.3, "Frame width, m (less than half the opening's smaller side)"),
)
def arch_opening(ctx, wall, kind, offset, width, height, sill, frame, frame_width):
    op = "arch.opening"
    wall_object = find_object(wall)
    defaults = OPENING_DEFAULTS[kind]
    width = in_range(op, "width", defaults["width"] if width is None else width, 0.2, 20.0)
    height = in_range(op, "height", defaults["height"] if height is None else height, 0.1, 20.0)
    sill = in_range(op, "sill", defaults["sill"] if sill is None else sill, 0.0, 20.0)
    offset = in_range(op, "offset", offset, 0.0, 1000.0)
    if frame:
        frame_width = in_range(op, "frame_width", frame_width, 0.01, 0.3)
        if 2 * frame_width >= min(width, height):
            raise bad(op, f"param 'frame_width' must be less than {format_number(min(width, height) / 2)} m "
                          f"(half the opening's smaller side), got {format_number(frame_width)}")
    extent = check_opening_fits(op, wall_object, kind, offset, width, height, sill)
    cut_opening(wall_object, extent, kind, offset, width, height, sill)
    created = []
    if frame:
        created.append(add_frame(wall_object, extent, kind, offset, width, height, sill, frame_width).name)
    return {
        "wall": wall_object.name,
        "kind": kind,
        "offset": offset,
        "width": width,
        "height": height,
        "sill": sill,
        "frame": created[0] if created else None,
        "vertices": len(wall_object.data.vertices),
        "changed": changed(created, [wall_object.name]),
    }


@registry.tool(
    "create_slab_opening",
    "Cut a rectangular opening through a slab made by create_slab: a stairwell, shaft or void, inside its outline.",
    toolset="architecture",
    output={"slab": {"type": "string"}, "kind": {"type": "string"}, "x": NUMBER_FIELD, "y": NUMBER_FIELD,
            "width": NUMBER_FIELD, "depth": NUMBER_FIELD, "area": NUMBER_FIELD},
)
@registry.mutating_op(
    "arch.slab_opening",
    slab=Param(NAME, about="The slab's name (made by create_slab)"),
    x=metres(..., -1000.0, 1000.0, "x of the opening's south-west corner, m"),
    y=metres(..., -1000.0, 1000.0, "y of the opening's south-west corner, m"),
    width=metres(..., 0.3, 100.0, "Size along x, m"),
    depth=metres(..., 0.3, 100.0, "Size along y, m"),
    kind=Param(one_of("stairwell", "shaft", "void"), "stairwell", about="What the opening is for"),
)
def arch_slab_opening(ctx, slab, x, y, width, depth, kind):
    """A width (x) x depth (y) hole through a slab from its corner (x, y) in plan (a stairwell)."""
    op = "arch.slab_opening"
    slab_object = find_object(slab)
    record = facts(slab_object)
    if record is None or record.get("kind") != "slab":
        raise bad(op, f"object '{slab_object.name}' is not a slab made by create_slab (it has no slab record)")
    width = in_range(op, "width", width, 0.3, 100.0)
    depth = in_range(op, "depth", depth, 0.3, 100.0)
    x, y = in_range(op, "x", x, -1000.0, 1000.0), in_range(op, "y", y, -1000.0, 1000.0)
    corners = [(x, y), (x + width, y), (x + width, y + depth), (x, y + depth)]
    outline = [tuple(point) for point in record["outline"]]
    outside = [corner for corner in corners if not geometry.point_in_polygon(corner, outline)]
    if outside:
        raise bad(op, f"the {format_number(width)} x {format_number(depth)} m {kind} at ({format_number(x)}, "
                      f"{format_number(y)}) leaves slab '{slab_object.name}': corner "
                      f"({format_number(outside[0][0])}, {format_number(outside[0][1])}) is outside its outline")
    for other in arch_mesh.recorded_openings(slab_object):
        if geometry.rectangles_overlap((x, y, width, depth), (other["x"], other["y"], other["width"], other["depth"])):
            raise bad(op, f"the {kind} overlaps the {other['kind']} already cut at ({format_number(other['x'])}, "
                          f"{format_number(other['y'])}) in slab '{slab_object.name}'")
    ox, oy, top = slab_object.location
    m, thickness = OPENING_MARGIN, record["thickness"]
    arch_mesh.cut_box(slab_object, x - ox, x + width - ox, y - oy, y + depth - oy, -thickness - m, m,
                      {"kind": kind, "x": x, "y": y, "width": width, "depth": depth})
    return {"slab": slab_object.name, "kind": kind, "x": x, "y": y, "width": width, "depth": depth,
            "area": width * depth, "changed": changed([], [slab_object.name])}
