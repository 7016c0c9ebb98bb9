"""Text and curve objects: create a text object, change its text, create a Bezier / poly /
NURBS curve through points (optionally with a round bevel, i.e. a tube)."""

import bpy

from .ops_common import already_exists, changed, find_collection, find_object_of_type, registry
from .ops_objects import _active_collection
from .registry import BOOLEAN, INTEGER, NAME, NUMBER, STRING, VECTOR3, Param, array_of, bad_params, one_of

ALIGN = {"left": "LEFT", "center": "CENTER", "right": "RIGHT", "justify": "JUSTIFY"}
TEXT_OUTPUT = {
    "object": {"type": "string"},
    "body": {"type": "string"},
    "size": {"type": "number"},
    "extrude": {"type": "number"},
}


def _new_object(name, data, location, rotation, collection):
    if bpy.data.objects.get(name) is not None:
        raise already_exists("object", name)
    target = find_collection(collection) if collection else _active_collection()
    obj = bpy.data.objects.new(name, data)
    obj.location = location
    obj.rotation_euler = rotation
    target.objects.link(obj)
    return obj, target


def _text_answer(obj, **change):
    font = obj.data
    return {"object": obj.name, "body": font.body, "size": font.size, "extrude": font.extrude, "changed": changed(**change)}


@registry.tool(
    "create_text",
    "Add a 3D text object: its text, size, extrusion depth, bevel and alignment (metres, radians).",
    toolset="modeling",
    output=TEXT_OUTPUT,
)
@registry.mutating_op(
    "text.create",
    body=Param(STRING, about="The text to show (may hold line breaks)"),
    name=Param(NAME, "Text", about="The new object's name"),
    size=Param(NUMBER, 1.0, minimum=0.001, maximum=1000.0, about="Character size, m"),
    extrude=Param(NUMBER, 0.0, minimum=0.0, maximum=100.0, about="Extrusion depth (half on each side), m; 0 = flat"),
    bevel_depth=Param(NUMBER, 0.0, minimum=0.0, maximum=10.0, about="Rounding of the letter edges, m"),
    align=Param(one_of(*ALIGN), "left", about="Horizontal alignment"),
    location=Param(VECTOR3, [0.0, 0.0, 0.0], about="Location [x, y, z], m"),
    rotation=Param(VECTOR3, [0.0, 0.0, 0.0], about="Rotation [x, y, z] in radians"),
    collection=Param(NAME, None, about="Collection to put it in (default: the active one)"),
)
def text_create(ctx, body, name, size, extrude, bevel_depth, align, location, rotation, collection):
    font = bpy.data.curves.new(name, "FONT")
    font.body = body
    font.size = size
    font.extrude = extrude
    font.bevel_depth = bevel_depth
    font.align_x = ALIGN[align]
    try:
        obj, target = _new_object(name, font, location, rotation, collection)
    except Exception:
        bpy.data.curves.remove(font)
        raise
    return _text_answer(obj, created=[obj.name], modified=[target.name])


@registry.tool(
    "set_text",
    "Change the text of a 3D text object, and optionally its size and extrusion.",
    toolset="modeling",
    idempotent=True,
    output=TEXT_OUTPUT,
)
@registry.mutating_op(
    "text.set",
    object=Param(NAME, about="The text object"),
    body=Param(STRING, about="The new text"),
    size=Param(NUMBER, None, minimum=0.001, maximum=1000.0, about="New character size, m (default: unchanged)"),
    extrude=Param(NUMBER, None, minimum=0.0, maximum=100.0, about="New extrusion depth, m (default: unchanged)"),
)
def text_set(ctx, object, body, size, extrude):
    obj = find_object_of_type(object, "text.set", ("FONT",), "a text object")
    font = obj.data
    font.body = body
    if size is not None:
        font.size = size
    if extrude is not None:
        font.extrude = extrude
    return _text_answer(obj, modified=[obj.name])


CURVE_KINDS = {"bezier": "BEZIER", "poly": "POLY", "nurbs": "NURBS"}


@registry.tool(
    "create_curve",
    "Add a curve object through points (Bezier with smooth handles, poly line, or NURBS), open or closed, "
    "optionally with a round bevel so it renders as a tube.",
    toolset="modeling",
    output={
        "object": {"type": "string"},
        "kind": {"type": "string"},
        "points": {"type": "integer", "description": "Control points of the spline"},
        "length": {"type": "number", "description": "Length of the evaluated curve, m"},
    },
)
@registry.mutating_op(
    "curve.create",
    points=Param(array_of(VECTOR3, 2, 10000), about="Control points [[x, y, z], ...], m, in the object's local space"),
    kind=Param(one_of(*CURVE_KINDS), "bezier", about="Spline type"),
    name=Param(NAME, "Curve", about="The new object's name"),
    cyclic=Param(BOOLEAN, False, about="Close the curve (last point joins the first)"),
    bevel_depth=Param(NUMBER, 0.0, minimum=0.0, maximum=100.0, about="Radius of the round cross-section, m (0 = a bare line)"),
    bevel_resolution=Param(INTEGER, 4, minimum=0, maximum=32, about="Smoothness of the cross-section"),
    resolution=Param(INTEGER, 12, minimum=1, maximum=64, about="Segments per span between control points"),
    location=Param(VECTOR3, [0.0, 0.0, 0.0], about="Location [x, y, z], m"),
    collection=Param(NAME, None, about="Collection to put it in (default: the active one)"),
)
def curve_create(ctx, points, kind, name, cyclic, bevel_depth, bevel_resolution, resolution, location, collection):
    if kind == "nurbs" and len(points) < 3:
        raise bad_params("curve.create", f"param 'points' needs at least 3 points for kind 'nurbs', got {len(points)}")
    curve = bpy.data.curves.new(name, "CURVE")
    curve.dimensions = "3D"
    curve.bevel_depth = bevel_depth
    curve.bevel_resolution = bevel_resolution
    curve.resolution_u = resolution
    curve.use_fill_caps = bevel_depth > 0
    spline = curve.splines.new(CURVE_KINDS[kind])
    if kind == "bezier":
        spline.bezier_points.add(len(points) - 1)
        for point, co in zip(spline.bezier_points, points):
            point.co = co
            point.handle_left_type = point.handle_right_type = "AUTO"
    else:
        spline.points.add(len(points) - 1)
        for point, co in zip(spline.points, points):
            point.co = (*co, 1.0)
        if kind == "nurbs":
            spline.use_endpoint_u = not cyclic
            spline.order_u = min(4, len(points))
    spline.use_cyclic_u = cyclic
    spline.resolution_u = resolution
    try:
        obj, target = _new_object(name, curve, location, [0.0, 0.0, 0.0], collection)
    except Exception:
        bpy.data.curves.remove(curve)
        raise
    return {"object": obj.name, "kind": kind, "points": len(points), "length": spline.calc_length(),
            "changed": changed(created=[obj.name], modified=[target.name])}
