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
from .arch_params import bad, format_number, in_range, int_in_range, optional_name, point2, storey_level
from .arch_tags import tag
from .ops_common import changed, registry
from .registry import ARRAY, INTEGER, NUMBER, STRING, VECTOR3, Param, one_of

# The length range any footprint or wall run may have; beyond it a unit mistake is likelier.
LENGTH_LIMITS = (0.1, 500.0)
Z_LIMITS = (-1000.0, 1000.0)


def _z(op, name, value):
    return in_range(op, name, value, *Z_LIMITS)


# -- walls --------------------------------------------------------------------


def make_wall(name, start, end, height, thickness, base_z, storey=None, bounds=None):
    """A box along start->end, centred on that line, its origin at `start` on base_z, tagged
    with what it is (arch_tags); `bounds` lists the rooms and sides it encloses."""
    length = math.dist(start, end)
    solid = geometry.box(0.0, length, -thickness / 2.0, thickness / 2.0, 0.0, height)
    angle = math.degrees(math.atan2(end[1] - start[1], end[0] - start[0]))
    wall = arch_mesh.add_object(name, solid, "Walls", (start[0], start[1], base_z), angle)
    return tag(wall, "wall", start=list(start), end=list(end), length=length, height=height, thickness=thickness,
               base_z=base_z, storey=storey, bounds=bounds)


@registry.mutating_op(
    "arch.wall",
    start=Param(ARRAY),
    end=Param(ARRAY),
    height=Param(NUMBER, 2.4),
    thickness=Param(NUMBER, 0.15),
    base_z=Param(NUMBER, None),
    storey=Param(INTEGER, None),
    floor_height=Param(NUMBER, None),
    name=Param(STRING, None),
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


@registry.mutating_op(
    "arch.slab",
    outline=Param(ARRAY, None),
    width=Param(NUMBER, None),
    depth=Param(NUMBER, None),
    origin=Param(ARRAY, None),
    thickness=Param(NUMBER, 0.2),
    z=Param(NUMBER, None),
    storey=Param(INTEGER, None),
    floor_height=Param(NUMBER, None),
    name=Param(STRING, None),
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


@registry.mutating_op(
    "arch.column_grid",
    origin=Param(ARRAY, None),
    nx=Param(INTEGER, 2),
    ny=Param(INTEGER, 2),
    spacing_x=Param(NUMBER, 6.0),
    spacing_y=Param(NUMBER, 6.0),
    width=Param(NUMBER, 0.3),
    height=Param(NUMBER, 3.0),
    shape=Param(one_of("square", "round"), "square"),
    base_z=Param(NUMBER, 0.0),
    name=Param(STRING, None),
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

ROOF_TYPES = ("flat", "shed", "gable", "hip", "irimoya")


@registry.mutating_op(
    "arch.roof",
    type=Param(one_of(*ROOF_TYPES)),
    width=Param(NUMBER),
    depth=Param(NUMBER),
    origin=Param(ARRAY, None),
    base_z=Param(NUMBER, 0.0),
    pitch_deg=Param(NUMBER, 30.0),
    overhang=Param(NUMBER, 0.45),
    thickness=Param(NUMBER, 0.2),
    ridge_axis=Param(one_of("auto", "x", "y"), "auto"),
    gable_fraction=Param(NUMBER, 0.5),
    name=Param(STRING, None),
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


@registry.mutating_op(
    "arch.stairs",
    start=Param(VECTOR3, None),
    direction_deg=Param(NUMBER, 0.0),
    total_rise=Param(NUMBER),
    width=Param(NUMBER, 0.9),
    riser_max=Param(NUMBER, 0.20),
    tread=Param(NUMBER, 0.26),
    waist=Param(NUMBER, 0.15),
    name=Param(STRING, None),
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


# Registered after make_wall exists: both modules build on it.
from . import arch_gables, arch_openings, arch_plan  # noqa: E402,F401
