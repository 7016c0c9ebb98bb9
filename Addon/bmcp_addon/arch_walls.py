"""make_wall, the one wall builder arch.wall and arch.floor_plan share.

Its own module so architecture.py (arch.wall) and arch_plan.py (arch.floor_plan) both
import it and neither imports the other.
"""

import math

from . import arch_geometry as geometry
from . import arch_mesh
from .arch_tags import tag


def make_wall(name, start, end, height, thickness, base_z, storey=None, bounds=None):
    """A box along start->end, centred on that line, its origin at `start` on base_z, tagged
    with what it is (arch_tags); `bounds` lists the rooms and sides it encloses."""
    length = math.dist(start, end)
    solid = geometry.box(0.0, length, -thickness / 2.0, thickness / 2.0, 0.0, height)
    angle = math.degrees(math.atan2(end[1] - start[1], end[0] - start[0]))
    wall = arch_mesh.add_object(name, solid, "Walls", (start[0], start[1], base_z), angle)
    return tag(wall, "wall", start=list(start), end=list(end), length=length, height=height, thickness=thickness,
               base_z=base_z, storey=storey, bounds=bounds)
