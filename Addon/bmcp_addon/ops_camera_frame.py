"""camera.frame: move a camera back along its view (or a named side) until the named objects,
or every visible one, fit its image; orthographic cameras get their scale fitted instead."""

import math

from mathutils import Vector

from .camera_light_common import aim, find_camera
from .object_facts import is_visible, world_corners
from .ops_common import changed, current_scene, find_objects, registry, update_view_layer, vector
from .ops_camera_setup import VEC3, field_of_view
from .registry import NAME, NUMBER, Param, OpError, array_of, one_of

# Direction from the framed objects towards the camera; "keep" keeps the camera's own view.
VIEWS = {
    "front": Vector((0.0, -1.0, 0.0)),
    "back": Vector((0.0, 1.0, 0.0)),
    "right": Vector((1.0, 0.0, 0.0)),
    "left": Vector((-1.0, 0.0, 0.0)),
    "top": Vector((0.0, -0.001, 1.0)).normalized(),  # a hair off vertical: +Y stays up in the image
    "iso": Vector((1.0, -1.0, 0.8)).normalized(),
}


def _bounds(objects):
    corners = [corner for obj in objects for corner in world_corners(obj)]
    low = Vector(tuple(min(c[i] for c in corners) for i in range(3)))
    high = Vector(tuple(max(c[i] for c in corners) for i in range(3)))
    return (low + high) / 2.0, max((high - low).length / 2.0, 0.05)


@registry.tool(
    "frame_objects_with_camera",
    "Move a camera so the named objects (or every visible object) fill its image, looking from its current direction or from a named side.",
    toolset="camera_light",
    idempotent=True,
    output={"name": {"type": "string"}, "location": VEC3, "forward": VEC3, "distance": {"type": "number"},
            "framed": {"type": "array", "items": {"type": "string"}}},
)
@registry.mutating_op(
    "camera.frame",
    camera=Param(NAME, about="The camera object to move"),
    objects=Param(array_of(NAME, 1, 1000), None, about="Objects to fit in view (default: every visible mesh-like object)"),
    view=Param(one_of("keep", *VIEWS), "keep", about="Side to look from; 'keep' keeps the camera's current direction"),
    margin=Param(NUMBER, 1.1, minimum=1.0, maximum=5.0, about="Room around the objects (1 = touching the frame)"),
)
def camera_frame(ctx, camera, objects, view, margin):
    obj = find_camera(camera, "camera.frame")
    scene = current_scene()
    update_view_layer()
    if objects is not None:
        chosen = find_objects(objects)
    else:
        chosen = [o for o in scene.objects if o.type not in {"CAMERA", "LIGHT"} and is_visible(o)]
    if not chosen:
        raise OpError("not_found", f"camera.frame: the scene '{scene.name}' has no visible object to frame")
    centre, radius = _bounds(chosen)
    if view == "keep":
        toward_camera = -(obj.matrix_world.to_quaternion() @ Vector((0.0, 0.0, -1.0)))
    else:
        toward_camera = VIEWS[view]
    data = obj.data
    render = scene.render
    width = render.resolution_x * render.pixel_aspect_x
    height = render.resolution_y * render.pixel_aspect_y
    if data.type == "ORTHO":
        # ortho_scale spans the larger image side; the smaller must still hold the sphere.
        data.ortho_scale = 2.0 * radius * margin * max(width, height) / min(width, height)
        distance = radius * 3.0
    else:
        horizontal, vertical = field_of_view(data, width, height)
        distance = radius * margin / math.sin(min(horizontal, vertical) / 2.0)
    placed = obj.matrix_world.copy()
    placed.translation = centre + toward_camera.normalized() * distance
    obj.matrix_world = placed
    update_view_layer()
    direction = aim(obj, centre, "camera.frame")
    data.clip_start = max(0.001, min(data.clip_start, (distance - radius) * 0.5))
    data.clip_end = max(data.clip_end, (distance + radius) * 1.5)
    return {"name": obj.name, "location": vector(obj.matrix_world.translation), "forward": vector(direction),
            "distance": distance, "framed": sorted(o.name for o in chosen),
            "changed": changed(modified=[obj.name, data.name])}
