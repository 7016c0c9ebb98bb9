"""Real-scale building ops (arch.*): walls, slabs, column grids, roofs, openings, stairs, plans.

All lengths are metres, angles degrees, z is up. Each op checks every value
before touching the scene (a refused call changes nothing), builds its geometry
with bmesh / bpy.data only (works headless), puts each object in a collection
named after what it is (Walls, Slabs, Columns, Roofs, Openings, Stairs) and
answers with the names it made under "changed". arch.opening lives in
arch_openings.py and arch.floor_plan in arch_plan.py; both build on make_wall.
"""

import math

from . import arch_geometry as geometry
from . import arch_mesh
from .arch_params import (
    FLOOR_HEIGHT,
    LENGTH_LIMITS,
    STOREY,
    Z_LIMITS,
    bad,
    degrees,
    format_number,
    in_range,
    int_in_range,
    level,
    metres,
    object_name,
    optional_name,
    point2,
    storey_level,
)
from .arch_tags import tag
from .arch_walls import make_wall
from .ops_common import changed, registry
from .registry import INTEGER, NUMBER, POINT2, Param, array_of, numbers, one_of

NUMBER_FIELD = {"type": "number"}
CHANGED_NAMES = {"type": "array", "items": {"type": "string"}}



def _z(op, name, value):
    return in_range(op, name, value, *Z_LIMITS)


# -- walls --------------------------------------------------------------------

ROOF_TYPES = ("flat", "shed", "gable", "hip", "irimoya")

@registry.tool(
    "create_wall",
    "A straight wall from start to end (metres), centred on that line, its origin at its start on base_z.",
    toolset="architecture",
    output={"name": {"type": "string"}, "length": NUMBER_FIELD, "height": NUMBER_FIELD, "thickness": NUMBER_FIELD,
            "start": {"type": "array", "items": NUMBER_FIELD}, "end": {"type": "array", "items": NUMBER_FIELD},
            "base_z": NUMBER_FIELD},
)
@registry.mutating_op(
    "arch.wall",
    start=Param(POINT2, about="[x, y] of the wall's centre line start, m"),
    end=Param(POINT2, about="[x, y] of the wall's centre line end, m (at least 0.05 m from start)"),
    height=metres(2.4, 0.1, 20.0, "Height, m"),
    thickness=metres(0.15, 0.05, 1.0, "Thickness, m"),
    base_z=level("Height of its base"),
    storey=STOREY,
    floor_height=FLOOR_HEIGHT,
    name=object_name("Wall"),
)
def arch_wall(ctx, start, end, height, thickness, base_z, storey, floor_height, name):
    op = "arch.wall"
    start, end = point2(op, "start", start), point2(op, "end", end)
    height = in_range(op, "height", height, 0.1, 20.0)
    thickness = in_range(op, "thickness", thickness, 0.05, 1.0)
    storey, base_z = storey_level(op, storey, floor_height, base_z, "base_z")
    length = math.dist(start, end)
    if length < 0.05:
        raise bad(op, f"start and end must be at least 0.05 m apart, got {format_number(length)} m")
    wall = make_wall(optional_name(op, name, "Wall"), start, end, height, thickness, base_z, storey)
    return {
        "name": wall.name,
        "length": length,
        "height": height,
        "thickness": thickness,
        "start": list(start),
        "end": list(end),
        "base_z": base_z,
        "changed": changed([wall.name]),
    }


# -- slabs and columns -----------------------------------------------------------


@registry.tool(
    "create_slab",
    "A floor or roof slab from an outline polygon, or a width x depth rectangle; its top is at z, "
    "its thickness below it.",
    toolset="architecture",
    output={"name": {"type": "string"}, "area": NUMBER_FIELD, "top_z": NUMBER_FIELD, "bottom_z": NUMBER_FIELD,
            "thickness": NUMBER_FIELD},
)
@registry.mutating_op(
    "arch.slab",
    outline=Param(array_of(POINT2, 3), None,
                  about="[[x, y], ...]: at least 3 points of a simple polygon, m (or give width and depth)"),
    width=metres(None, *LENGTH_LIMITS, "Rectangle width along x, m (with depth, instead of outline)"),
    depth=metres(None, *LENGTH_LIMITS, "Rectangle depth along y, m (with width, instead of outline)"),
    origin=Param(POINT2, None, about="[x, y] of the rectangle's south-west corner, m (default [0, 0])"),
    thickness=metres(0.2, 0.05, 1.0, "Thickness, m"),
    z=level("Height of the slab's top"),
    storey=STOREY,
    floor_height=FLOOR_HEIGHT,
    name=object_name("Slab"),
)
def arch_slab(ctx, outline, width, depth, origin, thickness, z, storey, floor_height, name):
    """A floor slab whose top is at z (floor level), `thickness` below it."""
    op = "arch.slab"
    if outline is not None and (width is not None or depth is not None or origin is not None):
        raise bad(op, "give either 'outline' or 'width' + 'depth' (+ 'origin'), not both")
    if outline is not None:
        points = [point2(op, f"outline[{i}]", point) for i, point in enumerate(outline)]
        problem = geometry.polygon_problem(points)
        if problem:
            raise bad(op, f"param 'outline' {problem}")
    elif width is not None and depth is not None:
        ox, oy = point2(op, "origin", origin) if origin is not None else (0.0, 0.0)
        width = in_range(op, "width", width, *LENGTH_LIMITS)
        depth = in_range(op, "depth", depth, *LENGTH_LIMITS)
        points = [(ox, oy), (ox + width, oy), (ox + width, oy + depth), (ox, oy + depth)]
    else:
        raise bad(op, "needs 'outline' (>= 3 [x, y] points) or both 'width' and 'depth'")
    thickness = in_range(op, "thickness", thickness, 0.05, 1.0)
    storey, z = storey_level(op, storey, floor_height, z, "z")
    if geometry.signed_area(points) < 0:
        points.reverse()
    anchor = points[0]
    local = [(x - anchor[0], y - anchor[1]) for x, y in points]
    slab = arch_mesh.add_object(
        optional_name(op, name, "Slab"), geometry.prism(local, -thickness, 0.0), "Slabs", (anchor[0], anchor[1], z)
    )
    tag(slab, "slab", outline=[list(point) for point in points], thickness=thickness, top_z=z,
        area=abs(geometry.signed_area(points)), storey=storey)
    return {
        "name": slab.name,
        "area": abs(geometry.signed_area(points)),
        "top_z": z,
        "bottom_z": z - thickness,
        "thickness": thickness,
        "changed": changed([slab.name]),
    }


@registry.tool(
    "create_column_grid",
    "A grid of nx x ny square or round columns (at most 400), rows along +x and +y from the first column's centre.",
    toolset="architecture",
    output={"names": CHANGED_NAMES, "count": {"type": "integer"}, "shape": {"type": "string"},
            "width": NUMBER_FIELD, "height": NUMBER_FIELD},
)
@registry.mutating_op(
    "arch.column_grid",
    origin=Param(POINT2, None, about="[x, y] of the first column's centre, m (default [0, 0])"),
    nx=Param(INTEGER, 2, minimum=1, maximum=50, about="Columns along x (nx x ny at most 400)"),
    ny=Param(INTEGER, 2, minimum=1, maximum=50, about="Columns along y (nx x ny at most 400)"),
    spacing_x=metres(6.0, 0.1, 50.0, "Centre spacing along x, m (at least the column width)"),
    spacing_y=metres(6.0, 0.1, 50.0, "Centre spacing along y, m (at least the column width)"),
    width=metres(0.3, 0.1, 2.0, "Column width (or diameter), m"),
    height=metres(3.0, 0.5, 50.0, "Column height, m"),
    shape=Param(one_of("square", "round"), "square", about="Column section"),
    base_z=metres(0.0, *Z_LIMITS, "Height of the column bases, m"),
    name=object_name("Column"),
)
def arch_column_grid(ctx, origin, nx, ny, spacing_x, spacing_y, width, height, shape, base_z, name):
    """nx x ny columns; `origin` is the centre of the first one, rows run along +x and +y."""
    op = "arch.column_grid"
    ox, oy = point2(op, "origin", origin) if origin is not None else (0.0, 0.0)
    nx, ny = int_in_range(op, "nx", nx, 1, 50), int_in_range(op, "ny", ny, 1, 50)
    if nx * ny > 400:
        raise bad(op, f"nx * ny must be at most 400 columns, got {nx * ny}")
    width = in_range(op, "width", width, 0.1, 2.0)
    spacing_x = in_range(op, "spacing_x", spacing_x, width, 50.0)
    spacing_y = in_range(op, "spacing_y", spacing_y, width, 50.0)
    height = in_range(op, "height", height, 0.5, 50.0)
    base_z = _z(op, "base_z", base_z)
    half = width / 2.0
    section = geometry.circle(half) if shape == "round" else [(-half, -half), (half, -half), (half, half), (-half, half)]
    base_name = optional_name(op, name, "Column")
    names = []
    for j in range(ny):
        for i in range(nx):
            location = (ox + i * spacing_x, oy + j * spacing_y, base_z)
            column = arch_mesh.add_object(base_name, geometry.prism(section, 0.0, height), "Columns", location)
            names.append(tag(column, "column", shape=shape, width=width, height=height, base_z=base_z,
                             centre=[location[0], location[1]]).name)
    return {"names": names, "count": len(names), "shape": shape, "width": width, "height": height, "changed": changed(names)}


# -- roofs ----------------------------------------------------------------------


@registry.tool(
    "create_roof",
    "A roof over a width x depth footprint (on the wall lines): flat, shed, gable, hip or irimoya (入母屋). "
    "base_z is the eaves height, where the roof's top surface crosses the wall lines.",
    toolset="architecture",
    output={"name": {"type": "string"}, "type": {"type": "string"}, "ridge_axis": {"type": "string"},
            "span": NUMBER_FIELD, "ridge_length": {"type": ["number", "null"]}, "pitch_deg": NUMBER_FIELD,
            "ridge_z": NUMBER_FIELD, "eave_z": NUMBER_FIELD},
)
@registry.mutating_op(
    "arch.roof",
    type=Param(one_of(*ROOF_TYPES), about="Roof form"),
    width=metres(..., *LENGTH_LIMITS, "Footprint width along x, m"),
    depth=metres(..., *LENGTH_LIMITS, "Footprint depth along y, m"),
    origin=Param(POINT2, None, about="[x, y] of the footprint's south-west corner, m (default [0, 0])"),
    base_z=metres(0.0, *Z_LIMITS, "Eaves height, m"),
    pitch_deg=degrees(30.0, 0.0, 60.0, "Pitch, degrees (ignored for flat)"),
    overhang=metres(0.45, 0.0, 2.0, "Eaves overhang, m"),
    thickness=metres(0.2, 0.05, 1.0, "Roof thickness, m"),
    ridge_axis=Param(one_of("auto", "x", "y"), "auto",
                     about="Axis the ridge runs along; hip and irimoya roofs need the longer side (auto)"),
    gable_fraction=Param(NUMBER, 0.5, minimum=0.2, maximum=0.8, unit="",
                         about="Irimoya only: the share of the rise that is gable"),
    name=object_name("Roof"),
)
def arch_roof(ctx, type, width, depth, origin, base_z, pitch_deg, overhang, thickness, ridge_axis, gable_fraction, name):
    """A roof over the width (x) x depth (y) footprint whose south-west wall corner is `origin`.

    base_z is where the roof's top surface crosses the wall lines (the eaves
    height), so a gable or hip ridge top is at base_z + span/2 * tan(pitch).
    """
    op = "arch.roof"
    kind = type
    ox, oy = point2(op, "origin", origin) if origin is not None else (0.0, 0.0)
    width = in_range(op, "width", width, *LENGTH_LIMITS)
    depth = in_range(op, "depth", depth, *LENGTH_LIMITS)
    base_z = _z(op, "base_z", base_z)
    pitch = 0.0 if kind == "flat" else in_range(op, "pitch_deg", pitch_deg, 0.0, 60.0, "deg")
    overhang = in_range(op, "overhang", overhang, 0.0, 2.0)
    thickness = in_range(op, "thickness", thickness, 0.05, 1.0)
    axis = ridge_axis
    fraction = in_range(op, "gable_fraction", gable_fraction, 0.2, 0.8, "")
    longer = "x" if width >= depth else "y"
    if axis == "auto" or kind in ("hip", "irimoya"):
        if axis not in ("auto", longer):
            raise bad(op, f"a {kind} roof's ridge runs along the longer side ('{longer}' here); "
                          f"param 'ridge_axis' must be auto or {longer}, got '{axis}'")
        axis = longer
    run, span = (width, depth) if axis == "x" else (depth, width)
    shape = geometry.RoofShape(run, span, base_z, pitch, overhang, thickness)
    solid = geometry.irimoya_roof(shape, fraction) if kind == "irimoya" else geometry.ROOF_BUILDERS[kind](shape)
    if axis == "y":  # the ridge frame's u runs along world y
        solid.vertices = [(v, u, z) for u, v, z in solid.vertices]
    roof = arch_mesh.add_object(optional_name(op, name, "Roof"), solid, "Roofs", (ox, oy, 0.0))
    facts = {
        "type": kind,
        "ridge_axis": axis,
        "span": span,
        "ridge_length": _ridge_length(kind, run, span, overhang, fraction),
        "pitch_deg": pitch,
        "ridge_z": geometry.roof_top_z(kind, shape),
        "eave_z": base_z + thickness if kind == "flat" else shape.eave_z,
    }
    tag(roof, "roof", width=width, depth=depth, origin=[ox, oy], base_z=base_z, overhang=overhang, thickness=thickness,
        run=run, gable_fraction=fraction if kind == "irimoya" else None, **facts)
    return {"name": roof.name, **facts, "changed": changed([roof.name])}


def _ridge_length(kind, run, span, overhang, gable_fraction):
    if kind == "gable":
        return run + 2 * overhang
    if kind == "hip":
        return max(run - span, 0.0)
    if kind == "irimoya":
        return run - (1.0 - gable_fraction) * span  # the gable part's length, see geometry.irimoya_roof
    return None  # flat and shed roofs have no ridge


# -- stairs ---------------------------------------------------------------------


@registry.tool(
    "create_stairs",
    "A straight flight of stairs; the riser is computed from the total rise (fewest risers within riser_max) "
    "and refused outside 0.10-0.23 m.",
    toolset="architecture",
    output={"name": {"type": "string"}, "steps": {"type": "integer"}, "risers": {"type": "integer"},
            "treads": {"type": "integer"}, "riser": NUMBER_FIELD, "tread": NUMBER_FIELD, "run": NUMBER_FIELD,
            "pitch_deg": NUMBER_FIELD, "two_risers_plus_tread": NUMBER_FIELD},
)
@registry.mutating_op(
    "arch.stairs",
    start=Param(numbers(3, "an array of 3 numbers [x, y, z]"), None,
                about="[x, y, z] of the first riser's bottom, centre of the width, m (default [0, 0, 0])"),
    direction_deg=degrees(0.0, -360.0, 360.0, "Direction of climb, degrees counter-clockwise from +x"),
    total_rise=metres(..., 0.2, 10.0, "Floor-to-floor rise, m"),
    width=metres(0.9, 0.6, 5.0, "Stair width, m"),
    riser_max=metres(0.20, 0.01, 1.0, "Largest allowed riser, m (the riser itself must come out 0.10-0.23 m)"),
    tread=metres(0.26, 0.21, 0.35, "Tread depth, m"),
    waist=metres(0.15, 0.05, 0.5, "Slab thickness under the steps, m"),
    name=object_name("Stairs"),
)
def arch_stairs(ctx, start, direction_deg, total_rise, width, riser_max, tread, waist, name):
    """A straight flight from `start` (bottom of the first riser, centre of the width), climbing
    along direction_deg (0 = +x, counter-clockwise)."""
    op = "arch.stairs"
    start = start if start is not None else [0.0, 0.0, 0.0]
    direction = in_range(op, "direction_deg", direction_deg, -360.0, 360.0, "deg")
    total_rise = in_range(op, "total_rise", total_rise, 0.2, 10.0)
    width = in_range(op, "width", width, 0.6, 5.0)
    riser_max = in_range(op, "riser_max", riser_max, 0.01, 1.0)
    tread = in_range(op, "tread", tread, 0.21, 0.35)
    waist = in_range(op, "waist", waist, 0.05, 0.5)
    flight = geometry.compute_flight(total_rise, riser_max, tread)
    low, high = geometry.RISER_LIMITS
    if not (low - 1e-9 <= flight.riser <= high + 1e-9):
        raise bad(op, f"the computed riser {format_number(round(flight.riser, 4))} m ({format_number(total_rise)} m "
                      f"in {flight.risers} risers from riser_max {format_number(riser_max)}) is outside the allowed "
                      f"range {low:.2f}–{high:.2f} m; choose riser_max between {low:.2f} and {high:.2f} m")
    stairs = arch_mesh.add_object(
        optional_name(op, name, "Stairs"), geometry.stair_solid(flight, width, waist), "Stairs",
        tuple(float(v) for v in start), direction,
    )
    tag(stairs, "stairs", start=[float(v) for v in start], direction_deg=direction, total_rise=total_rise, width=width,
        risers=flight.risers, riser=flight.riser, treads=flight.treads, tread=tread, run=flight.run,
        pitch_deg=flight.pitch_deg)
    return {
        "name": stairs.name,
        "steps": flight.risers,
        "risers": flight.risers,
        "treads": flight.treads,
        "riser": flight.riser,
        "tread": tread,
        "run": flight.run,
        "pitch_deg": flight.pitch_deg,
        "two_risers_plus_tread": 2 * flight.riser + tread,
        "changed": changed([stairs.name]),
    }


# The other arch.* ops live in their own modules; importing this one registers them all.
from . import arch_gables, arch_openings, arch_plan  # noqa: E402,F401
