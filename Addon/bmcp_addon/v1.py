"""Adapts the V1 protocol (bare JSON, ahujasid/blender-mcp 1.x) onto our ops.

A V1 request is {"type": <command>, "params": {...}}; the answer is exactly one
{"status": "success", "result": ...} or {"status": "error", "message": ...}.
Runs on the main thread (it calls ops), called once per V1 message.
"""

from .registry import OpError

# scene.info's largest page; get_scene_info pages through all objects.
_V1_PAGE = 1000

NO_INTERNET = "this Blender MCP v2 addon does not provide internet asset access"

# V1 servers poll these before every tool call as a liveness check, so they
# must succeed; they just report the integration as switched off.
_STATUS_COMMANDS = {
    "get_polyhaven_status": "PolyHaven",
    "get_hyper3d_status": "Hyper3D Rodin",
    "get_sketchfab_status": "Sketchfab",
    "get_hunyuan3d_status": "Hunyuan3D",
}

_ASSET_COMMANDS = frozenset(
    {
        "get_polyhaven_categories",
        "search_polyhaven_assets",
        "download_polyhaven_asset",
        "set_texture",
        "create_rodin_job",
        "poll_rodin_job_status",
        "import_generated_asset",
        "search_sketchfab_models",
        "download_sketchfab_model",
        "get_sketchfab_model_preview",
        "create_hunyuan_job",
        "poll_hunyuan_job_status",
        "import_generated_asset_hunyuan",
    }
)


def _status(label):
    return {"enabled": False, "message": f"{label} is disabled: {NO_INTERNET}."}


def _scene_info(params, run_op, mode):
    """Every object, in pages: V1 clients expect the whole list in one answer."""
    result = run_op("scene.info", {"limit": _V1_PAGE})
    objects = list(result["objects"])
    while result["next_cursor"] is not None:
        result = run_op("scene.info", {"limit": _V1_PAGE, "cursor": result["next_cursor"]})
        objects += result["objects"]
    result["objects"] = objects
    for key in ("next_cursor", "total"):
        result.pop(key, None)
    return result


def _object_info(params, run_op, mode):
    info = run_op("object.info", {"name": params.get("name")})
    # V1 clients know the box as [[min x, y, z], [max x, y, z]].
    box = info.get("world_bounding_box")
    if box is not None:
        info["world_bounding_box"] = [box["min"], box["max"]]
    return info


def _execute_code(params, run_op, mode):
    result = run_op("code.execute", {"code": params.get("code")})
    return {"executed": True, "result": result["result"]}


def _screenshot(params, run_op, mode):
    """V1 wrote the GUI viewport to `filepath`; headless there is none, so a
    Workbench render of the scene stands in."""
    wanted = {key: params.get(key) for key in ("filepath", "max_size", "format")}
    wanted = {key: value for key, value in wanted.items() if value is not None}
    if mode == "gui":
        try:
            result = run_op("render.viewport", wanted)
            return {"success": True, "width": result["width"], "height": result["height"], "filepath": result["filepath"]}
        except OpError as exc:
            if exc.code != "no_viewport":
                raise
    return run_op("render.preview", wanted)


_ADAPTERS = {
    "get_scene_info": _scene_info,
    "get_object_info": _object_info,
    "execute_code": _execute_code,
    "get_viewport_screenshot": _screenshot,
}

KNOWN_COMMANDS = sorted(set(_ADAPTERS) | set(_STATUS_COMMANDS) | _ASSET_COMMANDS)


V1_OFF = (
    "V1 protocol is off in this addon: enable it with --allow-v1, BMCP_ALLOW_V1=1 "
    "or the addon preferences checkbox 'Allow V1 clients'"
)


def refusal(v1_allowed, peer_is_loopback, peer):
    """Why this V1 connection is not served, or None when it is.

    V1 cannot present a token, so it is served only when the user opted in, and
    then only to this machine; with a token set, the token still guards v2.
    """
    if not v1_allowed:
        return V1_OFF
    if not peer_is_loopback:
        return (
            f"V1 clients are served from loopback only (127.0.0.0/8, ::1), and {peer} is not: "
            "run the V1 server on the machine Blender runs on, or use protocol 2 with a token"
        )
    return None


def success(result):
    return {"status": "success", "result": result}


def failure(message):
    return {"status": "error", "message": message}


def answer(message, run_op, mode="headless"):
    """Return the V1 reply dict for one parsed V1 message. Never raises."""
    if not isinstance(message, dict):
        return failure(f"a V1 message must be a JSON object, got {type(message).__name__}")
    command = message.get("type")
    params = message.get("params")
    if params is None:
        params = {}
    if not isinstance(command, str):
        return failure("a V1 message needs a string 'type' naming the command")
    if not isinstance(params, dict):
        return failure(f"{command}: 'params' must be an object")
    if command in _STATUS_COMMANDS:
        return success(_status(_STATUS_COMMANDS[command]))
    if command in _ASSET_COMMANDS:
        return failure(f"{command} needs internet asset access, which this Blender MCP v2 addon does not provide")
    adapter = _ADAPTERS.get(command)
    if adapter is None:
        return failure(f"Unknown command type: {command} (known: {', '.join(KNOWN_COMMANDS)})")
    try:
        return success(adapter(params, run_op, mode))
    except OpError as exc:
        return failure(exc.message)
    except Exception as exc:  # a broken command must still answer, V1 clients wait for one reply
        return failure(f"{command} failed: {type(exc).__name__}: {exc}")
