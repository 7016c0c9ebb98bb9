"""arch.gable_walls: the triangles under a gable roof's ends, closed with wall.

A gable roof leaves its ends open between the wall tops and the roof's underside; recipes
used to close them with code. This reads the roof's own record (arch_tags, written by
arch.roof) for its footprint, pitch and thickness, so the two cannot disagree, and lays one
wall on each end's wall line from `bottom_z` (default: the roof's eaves height, where walls
usually stop) up to the underside.
"""

from . import arch_geometry as geometry
from . import arch_mesh
from .arch_params import Z_LIMITS, bad, format_number, in_range, metres
from .arch_tags import facts, tag
from .ops_common import changed, find_object, registry
from .registry import NAME, Param

OP = "arch.gable_walls"


def roof_record(op, roof):
    record = facts(roof)
    if record is None or record.get("kind") != "roof":
        raise bad(op, f"object '{roof.name}' is not a roof made by create_roof (it has no roof record)")
    return record


@registry.tool(
    "create_gable_walls",
    "Close both gable ends of a gable roof (made by create_roof) with wall, from the eaves height up to the "
    "roof's underside.",
    toolset="architecture",
    output={"names": {"type": "array", "items": {"type": "string"}}, "roof": {"type": "string"},
            "ends": {"type": "array", "items": {"type": "string"}}, "bottom_z": {"type": "number"},
            "apex_z": {"type": "number"}, "thickness": {"type": "number"}},
)
@registry.mutating_op(
    "arch.gable_walls",
    roof=Param(NAME, about="The gable roof's name (made by create_roof)"),
    thickness=metres(0.15, 0.05, 1.0, "Wall thickness, m"),
    bottom_z=metres(None, *Z_LIMITS, "Where the gable walls start, m (default: the roof's eaves height base_z); "
                                     "below the roof's underside at the ridge"),
)
def arch_gable_walls(ctx, roof, thickness, bottom_z):
    roof_object = find_object(roof)
    record = roof_record(OP, roof_object)
    if record["type"] != "gable":
        raise bad(OP, f"roof '{roof_object.name}' is a {record['type']} roof; only a gable roof has open gable ends "
                      f"(hip and irimoya roofs slope down on every side)")
    thickness = in_range(OP, "thickness", thickness, 0.05, 1.0)
    base_z = record["base_z"]
    bottom_z = in_range(OP, "bottom_z", base_z if bottom_z is None else bottom_z, -1000.0, 1000.0)
    shape = geometry.RoofShape(record["run"], record["span"], base_z, record["pitch_deg"], record["overhang"],
                               record["thickness"])
    profile = geometry.gable_profile(shape, bottom_z)
    if profile is None:
        raise bad(OP, f"param 'bottom_z' must be below the roof's underside at the ridge "
                      f"({format_number(round(shape.ridge_z - shape.drop, 4))} m), got {format_number(bottom_z)}")
    ox, oy = record["origin"]
    along_x = record["ridge_axis"] == "x"
    ends = (("west", "east") if along_x else ("south", "north"))
    names = []
    for end, u in zip(ends, (0.0, shape.run)):
        solid = geometry.gable_solid(profile, u, thickness)
        if not along_x:  # the ridge frame's u runs along world y
            solid.vertices = [(v, w, z) for w, v, z in solid.vertices]
        wall = arch_mesh.add_object("Gable Wall", solid, "Walls", (ox, oy, 0.0))
        tag(wall, "gable_wall", roof=roof_object.name, end=end, thickness=thickness, bottom_z=bottom_z,
            apex_z=max(z for _v, z in profile), span=shape.span,
            line=(ox + u) if along_x else (oy + u), storey=record.get("storey"))
        names.append(wall.name)
    return {"names": names, "roof": roof_object.name, "ends": list(ends), "bottom_z": bottom_z,
            "apex_z": max(z for _v, z in profile), "thickness": thickness, "changed": changed(names)}
