"""Render settings: resolution, engine (Workbench, Eevee, Cycles) with samples and film
transparency, colour management, and a read of all of them (toolset camera_light)."""

from .camera_light_common import enum_choices, set_enum
from .camera_light_compat import ENGINES, engine_id, engine_name, look_identifier
from .ops_common import changed, current_scene, registry, version
from .registry import BOOLEAN, INTEGER, NAME, NUMBER, Kind, OpError, Param, bad_params, one_of

MAX_SIDE = 16384
RESOLUTION = Kind(
    f"an array of 2 integers [width, height], each between 1 and {MAX_SIDE}",
    lambda v: isinstance(v, list) and len(v) == 2
    and all(isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= MAX_SIDE for x in v),
    schema={"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": MAX_SIDE},
            "minItems": 2, "maxItems": 2},
)


def render_facts(scene):
    render = scene.render
    view = scene.view_settings
    facts = {
        "engine": engine_name(render.engine),
        "engine_id": render.engine,
        "resolution": [render.resolution_x, render.resolution_y],
        "percentage": render.resolution_percentage,
        "film_transparent": render.film_transparent,
        "view_transform": view.view_transform,
        "look": view.look,
        "exposure": view.exposure,
        "gamma": view.gamma,
        "samples": None,
    }
    if render.engine == "CYCLES" and hasattr(scene, "cycles"):
        facts["samples"] = scene.cycles.samples
        facts["denoising"] = scene.cycles.use_denoising
    elif facts["engine"] == "eevee":
        facts["samples"] = scene.eevee.taa_render_samples
    return facts


RENDER_OUTPUT = {
    "engine": {"type": "string", "description": "workbench, eevee, cycles (or another engine's id)"},
    "engine_id": {"type": "string"},
    "resolution": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
    "percentage": {"type": "integer"},
    "film_transparent": {"type": "boolean"},
    "view_transform": {"type": "string"},
    "look": {"type": "string"},
    "exposure": {"type": "number"},
    "gamma": {"type": "number"},
    "samples": {"type": ["integer", "null"]},
}


@registry.tool(
    "set_render_resolution",
    "Set the rendered image's size in pixels and the percentage of it actually rendered.",
    toolset="camera_light",
    idempotent=True,
    output=RENDER_OUTPUT,
)
@registry.mutating_op(
    "render.set_resolution",
    resolution=Param(RESOLUTION, about="Image size [width, height], pixels"),
    percentage=Param(INTEGER, None, minimum=1, maximum=1000, about="Share of that size rendered, % (default: unchanged)"),
)
def render_set_resolution(ctx, resolution, percentage):
    scene = current_scene()
    scene.render.resolution_x, scene.render.resolution_y = resolution
    if percentage is not None:
        scene.render.resolution_percentage = percentage
    return {**render_facts(scene), "changed": changed(modified=[scene.name])}


@registry.tool(
    "set_render_engine",
    "Choose the render engine (workbench, eevee, cycles) with its sample count, Cycles denoising and a transparent film (no background in the image).",
    toolset="camera_light",
    idempotent=True,
    output=RENDER_OUTPUT,
)
@registry.mutating_op(
    "render.set_engine",
    engine=Param(one_of(*ENGINES), about="Render engine"),
    samples=Param(INTEGER, None, minimum=1, maximum=65536, about="Render samples per pixel (eevee, cycles)"),
    denoising=Param(BOOLEAN, False, about="Cycles denoising (needs a Blender built with OpenImageDenoise)"),
    film_transparent=Param(BOOLEAN, None, about="Render the background transparent (default: unchanged)"),
)
def render_set_engine(ctx, engine, samples, denoising, film_transparent):
    scene = current_scene()
    render = scene.render
    available = enum_choices(render, "engine")
    identifier = engine_id(version(), engine, available)
    if identifier is None:
        raise OpError("not_available", f"render.set_engine: this Blender has no {engine} engine "
                      f"(engines: {', '.join(available)})", engine=engine)
    if samples is not None and engine == "workbench":
        raise bad_params("render.set_engine", "param 'samples' does not apply to engine 'workbench' (eevee, cycles only)")
    render.engine = identifier
    if engine == "cycles":
        if not hasattr(scene, "cycles"):
            raise OpError("not_available", "render.set_engine: the Cycles add-on is not enabled")
        scene.cycles.use_denoising = denoising
        if samples is not None:
            scene.cycles.samples = samples
    elif engine == "eevee" and samples is not None:
        scene.eevee.taa_render_samples = samples
    if film_transparent is not None:
        render.film_transparent = film_transparent
    return {**render_facts(scene), "changed": changed(modified=[scene.name])}


@registry.tool(
    "set_color_management",
    "Set the scene's colour management: view transform (Standard, Filmic, AgX, … as this Blender offers), look, exposure and gamma.",
    toolset="camera_light",
    idempotent=True,
    output={**RENDER_OUTPUT, "looks": {"type": "array", "items": {"type": "string"}}},
)
@registry.mutating_op(
    "render.color_management",
    view_transform=Param(NAME, about="View transform, e.g. 'Standard', 'Filmic' (3.x), 'AgX' (4.0+); refused names list the ones offered"),
    look=Param(NAME, None, about="Look, e.g. 'None', 'High Contrast' (matched to this Blender's names)"),
    exposure=Param(NUMBER, None, minimum=-32.0, maximum=32.0, about="Exposure, stops"),
    gamma=Param(NUMBER, None, minimum=0.0, maximum=5.0, about="Display gamma"),
)
def render_color_management(ctx, view_transform, look, exposure, gamma):
    scene = current_scene()
    view = scene.view_settings
    transforms = enum_choices(view, "view_transform")
    matched = next((name for name in transforms if name.casefold() == view_transform.casefold()), view_transform)
    set_enum(view, "view_transform", matched, "render.color_management", "view_transform")
    looks = enum_choices(view, "look")
    if look is not None:
        identifier = look_identifier(looks, view.view_transform, look)
        if identifier is None:
            listed = ", ".join(f"'{name}'" for name in looks)
            raise bad_params("render.color_management",
                             f"param 'look' must be one of {listed} for view transform '{view.view_transform}', got '{look}'")
        view.look = identifier
    if exposure is not None:
        view.exposure = exposure
    if gamma is not None:
        view.gamma = gamma
    return {**render_facts(scene), "looks": list(looks), "changed": changed(modified=[scene.name])}


@registry.tool(
    "get_render_settings",
    "Read the render settings: engine, resolution, samples, film transparency and colour management, with the engines this Blender offers.",
    toolset="camera_light",
    output={**RENDER_OUTPUT, "engines": {"type": "array", "items": {"type": "string"}}},
)
@registry.op("render.get_settings")
def render_get_settings(ctx):
    scene = current_scene()
    return {**render_facts(scene), "engines": list(enum_choices(scene.render, "engine"))}
