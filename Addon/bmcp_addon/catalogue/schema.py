"""Tool specs -> the catalogue's JSON: input and output schemas and MCP annotations.

Pure Python: it reads ToolSpecs, so it runs (and is unit-tested) without Blender.
"""

import json

from ..registry import NAME, Param
from ..toolsets import CORE, CORE_LIMIT, TOOLSETS

CATALOGUE_VERSION = 1

# Every tool that acts in a session names it. The schema marks it required so a model always
# says which session it means (a user may have several, their own GUI one among them);
# mcp-front still falls back to the connection's current session for clients that omit it.
SESSION_PARAM = Param(
    NAME,
    about="The session to act in (from create_session, list_sessions or an earlier result). "
    "Required so every call says which scene it changes.",
)

# What every mutating op answers with, beside its own fields.
CHANGED_SCHEMA = {
    "type": "object",
    "description": "Names of the objects and data this call created, modified and removed",
    "properties": {key: {"type": "array", "items": {"type": "string"}} for key in ("created", "modified", "removed")},
}


def input_schema(spec):
    properties = {name: param.json_schema() for name, param in spec.params.items()}
    required = [name for name, param in spec.params.items() if param.required]
    if spec.in_session:
        properties["session_id"] = SESSION_PARAM.json_schema()
        required.append("session_id")
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def output_schema(spec):
    """The result's schema, or None where the answer is an image or a text."""
    if spec.output is False or spec.text:
        return None
    properties = dict(spec.output or {})
    if not spec.read_only and spec.in_session and "changed" not in properties:
        properties["changed"] = CHANGED_SCHEMA
    return {"type": "object", "properties": properties}


def tool_entry(spec):
    entry = {
        "name": spec.name,
        "title": spec.title or spec.name.replace("_", " ").capitalize(),
        "description": spec.description,
        "toolset": spec.toolset,
        "runs": spec.op,
        "inSession": spec.in_session,
        "inputSchema": input_schema(spec),
        "annotations": {
            "readOnlyHint": spec.read_only,
            "destructiveHint": spec.destructive and not spec.read_only,
            "idempotentHint": spec.idempotent,
            "openWorldHint": False,
        },
    }
    output = output_schema(spec)
    if output is not None:
        entry["outputSchema"] = output
    if spec.rename:
        entry["rename"] = dict(spec.rename)
    if spec.text:
        entry["text"] = spec.text
    return entry


def check(tools):
    """Raise ValueError naming what breaks the catalogue's rules."""
    for spec in tools.values():
        if spec.toolset not in TOOLSETS:
            raise ValueError(f"tool {spec.name!r}: unknown toolset {spec.toolset!r} (toolsets: {', '.join(TOOLSETS)})")
        if not spec.description.strip():
            raise ValueError(f"tool {spec.name!r} has no description")
    core = sorted(name for name, spec in tools.items() if spec.toolset == CORE)
    if len(core) > CORE_LIMIT:
        raise ValueError(f"the core toolset holds {len(core)} tools, more than {CORE_LIMIT}")


def build_catalogue(tools):
    """The catalogue as a JSON-ready dict: toolsets in their order, tools by toolset then name."""
    check(tools)
    order = list(TOOLSETS)
    ordered = sorted(tools.values(), key=lambda spec: (order.index(spec.toolset), spec.name))
    return {
        "version": CATALOGUE_VERSION,
        "toolsets": [
            {"name": name, "description": about, "tools": sum(1 for spec in ordered if spec.toolset == name)}
            for name, about in TOOLSETS.items()
        ],
        "tools": [tool_entry(spec) for spec in ordered],
    }


def catalogue_json(tools):
    """The catalogue file's exact text (sorted keys, one stable form a test can compare)."""
    return json.dumps(build_catalogue(tools), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
