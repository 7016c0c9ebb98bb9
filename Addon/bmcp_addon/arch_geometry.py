"""Pure geometry for the architecture ops: vertices and faces, no bpy.

Every builder returns a `Solid` (vertex tuples in metres and faces as vertex
index lists) that arch_mesh turns into a Blender mesh. Solids are closed shells;
arch_mesh recalculates the face normals, so the winding here need not be
consistent. Kept free of bpy so the numbers (ridge heights, step counts, merged
walls) can be unit-tested with plain Python.
"""

import math
from dataclasses import dataclass, field

EPSILON = 1e-6


@dataclass
class Solid:
    vertices: list = field(default_factory=list)
    faces: list = field(default_factory=list)

    def add(self, other):
        """Append another shell (e.g. the two parts of an irimoya roof)."""
        base = len(self.vertices)
        self.vertices.extend(other.vertices)
        self.faces.extend([index + base for index in face] for face in other.faces)
        return self


# -- polygons ---------------------------------------------------------------


def signed_area(points):
    """Shoelace area: positive when the points run counter-clockwise."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        total += x0 * y1 - x1 * y0
    return total / 2.0


def _segments_cross(a, b, c, d):
    """True when segments ab and cd properly intersect (touching at ends does not count)."""

    def orient(p, q, r):
        value = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return 0 if abs(value) < EPSILON else (1 if value > 0 else -1)

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    return o1 * o2 < 0 and o3 * o4 < 0


def polygon_problem(points):
    """Why `points` is not a usable simple polygon, or None when it is."""
    if len(points) < 3:
        return f"needs at least 3 points, got {len(points)}"
    count = len(points)
    for index in range(count):
        a, b = points[index], points[(index + 1) % count]
        if math.dist(a, b) < EPSILON:
            return f"points {index} and {(index + 1) % count} are the same point"
    for i in range(count):
        for j in range(i + 1, count):
            if j == i + 1 or (i == 0 and j == count - 1):
                continue  # neighbouring edges share a point by design
            if _segments_cross(points[i], points[(i + 1) % count], points[j], points[(j + 1) % count]):
                return f"edges {i} and {j} cross each other (the outline must not self-intersect)"
    if abs(signed_area(points)) < EPSILON:
        return "encloses no area (the points are in a line)"
    return None


def prism(points, bottom, top):
    """A vertical extrusion of a simple polygon (x, y) from z=bottom to z=top."""
    count = len(points)
    vertices = [(x, y, bottom) for x, y in points] + [(x, y, top) for x, y in points]
    faces = [list(range(count - 1, -1, -1)), list(range(count, 2 * count))]
    for i in range(count):
        j = (i + 1) % count
        faces.append([i, j, count + j, count + i])
    return Solid(vertices, faces)


def box(x0, x1, y0, y1, z0, z1):
    return prism([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], z0, z1)


def circle(radius, segments=24):
    return [
        (radius * math.cos(2 * math.pi * i / segments), radius * math.sin(2 * math.pi * i / segments))
        for i in range(segments)
    ]


# -- walls on a plan ----------------------------------------------------------


def merge_intervals(intervals):
    """Union of (start, end) intervals on one line; touching intervals become one."""
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + EPSILON:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [tuple(interval) for interval in merged]


@dataclass(frozen=True)
class WallRun:
    """One merged wall centre line: horizontal runs go west->east, vertical ones south->north."""

    axis: str  # "x" (horizontal, y fixed) or "y" (vertical, x fixed)
    line: float  # the fixed coordinate
    start: float
    end: float

    def endpoints(self):
        if self.axis == "x":
            return (self.start, self.line), (self.end, self.line)
        return (self.line, self.start), (self.line, self.end)

    def contains(self, axis, line, start, end):
        return (
            axis == self.axis
            and abs(line - self.line) < EPSILON
            and self.start - EPSILON <= start
            and end <= self.end + EPSILON
        )


def room_edges(x, y, width, depth):
    """The four centre-line edges of a room as (side, axis, line, start, end)."""
    return [
        ("south", "x", y, x, x + width),
        ("north", "x", y + depth, x, x + width),
        ("west", "y", x, y, y + depth),
        ("east", "y", x + width, y, y + depth),
    ]


def plan_wall_runs(rooms):
    """Merge every room edge into wall runs so a wall two rooms share is laid once.

    `rooms` are (x, y, width, depth) rectangles on wall centre lines.
    """
    lines = {}
    for x, y, width, depth in rooms:
        for _side, axis, line, start, end in room_edges(x, y, width, depth):
            lines.setdefault((axis, round(line, 6)), []).append((start, end))
    runs = []
    for (axis, line), intervals in sorted(lines.items()):
        runs.extend(WallRun(axis, line, start, end) for start, end in merge_intervals(intervals))
    return runs


def rectangles_overlap(a, b):
    """True when two (x, y, width, depth) rectangles share interior area (touching is fine)."""
    ax, ay, aw, ad = a
    bx, by, bw, bd = b
    return ax < bx + bw - EPSILON and bx < ax + aw - EPSILON and ay < by + bd - EPSILON and by < ay + ad - EPSILON


# -- roofs ------------------------------------------------------------------
#
# Built in a ridge frame: u runs along the ridge (length `run`), v across it
# (the `span`), footprint from (0, 0) to (run, span) on the wall lines. The top
# surface crosses the wall lines at z = base_z, so the ridge top sits at
# base_z + span/2 * tan(pitch); the roof's thickness hangs below that surface,
# measured square to the slope (a vertical drop of thickness / cos(pitch)).


@dataclass(frozen=True)
class RoofShape:
    run: float
    span: float
    base_z: float
    pitch_deg: float
    overhang: float
    thickness: float

    @property
    def slope(self):
        return math.tan(math.radians(self.pitch_deg))

    @property
    def drop(self):
        return self.thickness / math.cos(math.radians(self.pitch_deg))

    @property
    def ridge_z(self):
        return self.base_z + self.span / 2.0 * self.slope

    @property
    def eave_z(self):
        """Top of the roof at the eave edge, lower than base_z by the overhang's fall."""
        return self.base_z - self.overhang * self.slope


def _thicken(top, faces_top, rim, drop):
    """A closed shell from a top surface: copy it down by `drop`, join the rim with vertical faces.

    `top` are (u, v, z) points, `faces_top` index into them, `rim` lists the
    boundary indices in order around the outside.
    """
    count = len(top)
    vertices = list(top) + [(u, v, z - drop) for u, v, z in top]
    faces = [list(face) for face in faces_top] + [[i + count for i in reversed(face)] for face in faces_top]
    for i, a in enumerate(rim):
        b = rim[(i + 1) % len(rim)]
        faces.append([a, b, b + count, a + count])
    return Solid(vertices, faces)


def flat_roof(shape):
    o = shape.overhang
    return box(-o, shape.run + o, -o, shape.span + o, shape.base_z, shape.base_z + shape.thickness)


def shed_roof(shape):
    """One slope rising across the span: low eave at v=-overhang, high edge at v=span+overhang."""
    o, s = shape.overhang, shape.slope
    low, high = shape.base_z - o * s, shape.base_z + (shape.span + o) * s
    top = [(-o, -o, low), (shape.run + o, -o, low), (shape.run + o, shape.span + o, high), (-o, shape.span + o, high)]
    return _thicken(top, [[0, 1, 2, 3]], [0, 1, 2, 3], shape.drop)


def gable_roof(shape, u0=None, u1=None, eave_inset=None, eave_z=None):
    """Two slopes meeting at a ridge along u; vertical gable ends at u0 and u1.

    The keyword arguments let the irimoya builder place a smaller gable (no
    overhang, eaves inset from the wall lines) on top of its hip part.
    """
    o = shape.overhang
    u0 = -o if u0 is None else u0
    u1 = shape.run + o if u1 is None else u1
    v0 = -o if eave_inset is None else eave_inset
    v1 = shape.span - v0
    z_eave = shape.eave_z if eave_z is None else eave_z
    ridge = (shape.span / 2.0, shape.ridge_z)
    section = [(v0, z_eave), ridge, (v1, z_eave)]  # A, B, C at each end
    top = [(u, v, z) for u in (u0, u1) for v, z in section]  # 0..2 at u0, 3..5 at u1
    faces = [[0, 3, 4, 1], [1, 4, 5, 2]]
    rim = [0, 1, 2, 5, 4, 3]  # around the outside: along the u0 end, then back along u1
    return _thicken(top, faces, rim, shape.drop)


def hip_roof(shape):
    """Four slopes of equal pitch; the ridge runs along u and needs run >= span."""
    o, run, span = shape.overhang, shape.run, shape.span
    ze, zr = shape.eave_z, shape.ridge_z
    corners = [(-o, -o, ze), (run + o, -o, ze), (run + o, span + o, ze), (-o, span + o, ze)]
    half = span / 2.0
    if run - span < EPSILON:  # square plan: a pyramid with one apex
        top = corners + [(half, half, zr)]
        faces = [[0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]]
    else:
        top = corners + [(half, half, zr), (run - half, half, zr)]
        faces = [[0, 1, 5, 4], [1, 2, 5], [2, 3, 4, 5], [3, 0, 4]]
    return _thicken(top, faces, [0, 1, 2, 3], shape.drop)


def irimoya_roof(shape, gable_fraction=0.5):
    """入母屋 approximated as a hip lower part plus a gable upper part.

    The hip part rises from the eaves on all four sides and is cut level at the
    height where the top `gable_fraction` of the rise begins; there a gable roof
    of the same pitch sits on the cut, its slopes in the same planes as the
    hip's long slopes and its vertical gable ends (妻) set in from the short
    walls. The two shells overlap inside; the outside reads as one roof.
    """
    run, span = shape.run, shape.span
    inset = (1.0 - gable_fraction) * span / 2.0  # plan distance from the wall lines to the cut
    cut_z = shape.base_z + inset * shape.slope
    o, ze = shape.overhang, shape.eave_z
    outer = [(-o, -o, ze), (run + o, -o, ze), (run + o, span + o, ze), (-o, span + o, ze)]
    inner = [(inset, inset, cut_z), (run - inset, inset, cut_z), (run - inset, span - inset, cut_z), (inset, span - inset, cut_z)]
    top = outer + inner
    faces = [[0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7], [4, 5, 6, 7]]
    lower = _thicken(top, faces, [0, 1, 2, 3], shape.drop)
    upper = gable_roof(shape, u0=inset, u1=run - inset, eave_inset=inset, eave_z=cut_z)
    return lower.add(upper)


ROOF_BUILDERS = {"flat": flat_roof, "shed": shed_roof, "gable": gable_roof, "hip": hip_roof}


def roof_top_z(kind, shape):
    """The highest point of the roof's top surface (the 'ridge height' the op reports)."""
    if kind == "flat":
        return shape.base_z + shape.thickness
    if kind == "shed":
        return shape.base_z + (shape.span + shape.overhang) * shape.slope
    return shape.ridge_z


# -- stairs -----------------------------------------------------------------

RISER_LIMITS = (0.10, 0.23)  # metres; see compute_flight


@dataclass(frozen=True)
class Flight:
    risers: int
    riser: float
    tread: float

    @property
    def treads(self):
        # The last riser lands on the upper floor, which serves as the last tread.
        return max(self.risers - 1, 1)

    @property
    def run(self):
        return self.treads * self.tread

    @property
    def pitch_deg(self):
        return math.degrees(math.atan2(self.riser, self.tread))


def compute_flight(total_rise, riser_max, tread):
    """Fewest equal risers not above riser_max: risers = ceil(total_rise / riser_max)."""
    risers = max(1, math.ceil(total_rise / riser_max - 1e-9))
    return Flight(risers, total_rise / risers, tread)


def stair_profile(flight, waist):
    """Side section (x along the run, z up) of a stepped flight over a sloping waist slab."""
    r, t, n = flight.riser, flight.tread, flight.risers
    if n == 1:
        return [(0.0, 0.0), (0.0, r), (t, r), (t, 0.0)]
    points = [(0.0, 0.0)]
    for i in range(n):
        points.append((i * t, (i + 1) * r))
        if i < n - 1:
            points.append(((i + 1) * t, (i + 1) * r))
    # Soffit: parallel to the line through the inner corners, `waist` below it (square to the slope).
    slope = r / t
    below = waist / math.cos(math.atan(slope))
    top_x = (n - 1) * t
    soffit_top = top_x * slope - below
    if soffit_top <= EPSILON:  # too short for a waist: a solid block
        points.append((top_x, 0.0))
        return points
    points.append((top_x, soffit_top))
    points.append((below / slope, 0.0))  # where the soffit meets the floor
    return points


def stair_solid(flight, width, waist):
    """The flight extruded across its width (y from -width/2 to +width/2)."""
    profile = stair_profile(flight, waist)
    side = prism(profile, -width / 2.0, width / 2.0)  # (x, z) profile extruded along "y"
    side.vertices = [(x, y, z) for x, z, y in side.vertices]
    return side


# -- closing the building: gable ends, holes in slabs ----------------------------


def gable_profile(shape, bottom_z):
    """The gable end's outline in the ridge frame's (v, z): from bottom_z up to the roof's underside.

    The underside sits `drop` below the top surface, so it crosses the wall line at
    base_z - drop and peaks at ridge_z - drop. A bottom above that crossing (walls that end at
    the eaves height) leaves a triangle starting where the underside reaches bottom_z.
    Returns None when bottom_z is at or above the underside's peak.
    """
    low, peak = shape.base_z - shape.drop, shape.ridge_z - shape.drop
    span = shape.span
    if bottom_z >= peak - EPSILON:
        return None
    if bottom_z > low + EPSILON:
        inset = (bottom_z - low) / shape.slope
        return [(inset, bottom_z), (span - inset, bottom_z), (span / 2.0, peak)]
    if bottom_z > low - EPSILON:
        return [(0.0, low), (span, low), (span / 2.0, peak)]
    return [(0.0, bottom_z), (span, bottom_z), (span, low), (span / 2.0, peak), (0.0, low)]


def gable_solid(profile, u, thickness):
    """A gable profile in (v, z) extruded across u from u - thickness/2 to u + thickness/2, as (u, v, z)."""
    solid = prism(profile, u - thickness / 2.0, u + thickness / 2.0)
    solid.vertices = [(c, a, b) for a, b, c in solid.vertices]
    return solid


def point_in_polygon(point, points):
    """True when `point` is inside the simple polygon `points` (or within EPSILON of its edge)."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        cross = (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0)
        if abs(cross) < EPSILON and min(x0, x1) - EPSILON <= x <= max(x0, x1) + EPSILON \
                and min(y0, y1) - EPSILON <= y <= max(y0, y1) + EPSILON:
            return True  # on an edge
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside
