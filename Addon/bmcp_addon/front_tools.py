"""The tools mcp-front runs itself or sends to another service than Blender: sessions, the
session log, the architecture dictionary and the toolsets. Declared here, beside every
Blender tool, so the catalogue is the one place any tool's name and schema are written."""

from .ops_common import registry
from .registry import BOOLEAN, INTEGER, NAME, OBJECT, Param, one_of
from .toolsets import TOOLSETS

SESSION_ID = Param(NAME, about="The session's id (from create_session or list_sessions)")
SESSION_STATES = ("active", "idle", "closed", "lost", "all")
# The broker's session record (session-broker's Session.json); null where not yet known.
SESSION_RESULT = {
    "session_id": {"type": "string"},
    "name": {"type": "string"},
    "state": {"type": "string", "description": "active, idle, closed or lost"},
    "instance": {"type": ["string", "null"], "description": "The Blender it is loaded on"},
    "owner": {"type": ["string", "null"], "description": "The client it belongs to"},
    "latest_checkpoint": {"type": ["string", "null"]},
    "command_count": {"type": "integer"},
}

registry.front_tool(
    "create_session",
    "Create a new modelling session (its own scene, logged and checkpointed) and make it this connection's current session.",
    toolset="core", runs="broker:session.create", read_only=False,
    output=SESSION_RESULT,
    name=Param(NAME, about="A readable name, e.g. 'tea house study'; design.md and the dashboard show it"),
    instance=Param(NAME, None, about="Blender instance to place it on (default: the least loaded)"),
    prompt=Param(NAME, None, about="The architecture prompt (dictionary entry id, e.g. 'detached-house') the work follows: "
                 "design.md records it and flags what leaves its ranges"),
    prompt_arguments=Param(OBJECT, None, about="The arguments given to that prompt, e.g. {\"width\": 8}"),
    language=Param(one_of("en", "ja"), None, about="Language of design.md (default: the prompt's, else the session name's)"),
)
registry.front_tool(
    "list_sessions",
    "List sessions, most recently used first: all of them, or only those in one state.",
    toolset="core", runs="broker:session.list", read_only=True, idempotent=True,
    output={"sessions": {"type": "array", "items": {"type": "object", "properties": SESSION_RESULT}}},
    status=Param(one_of(*SESSION_STATES), "all", about="Which sessions: active, idle, closed, lost, or all"),
)
registry.front_tool(
    "get_session",
    "Show one session: state, instance, use counts, latest checkpoint.",
    toolset="core", runs="broker:session.get", read_only=True, idempotent=True,
    output=SESSION_RESULT, session_id=SESSION_ID,
)
registry.front_tool(
    "switch_session",
    "Make a session this connection's current one. In your own GUI Blender your scene is saved first (the result says where) and restored when you switch back.",
    toolset="core", runs="broker:session.attach", read_only=False,
    output=SESSION_RESULT, session_id=SESSION_ID,
    force=Param(BOOLEAN, False, about="Take it over even if another client is attached"),
)
registry.front_tool(
    "close_session",
    "Close a session: its scene is checkpointed (unless keep_checkpoint is false, which deletes its checkpoints) and released from Blender.",
    toolset="core", runs="broker:session.close", read_only=False, destructive=True,
    output=SESSION_RESULT, session_id=SESSION_ID,
    keep_checkpoint=Param(BOOLEAN, True, about="Keep the .blend checkpoints"),
)
registry.front_tool(
    "resume_session",
    "Reopen a closed, idle or lost session from its latest checkpoint on a live Blender and make it current.",
    toolset="core", runs="broker:session.resume", read_only=False, idempotent=True,
    output=SESSION_RESULT, session_id=SESSION_ID,
)
registry.front_tool(
    "get_session_log",
    "The latest commands of a session from its command.log: tool, params, status, duration, errors.",
    toolset="core", runs="front:session_log", read_only=True, idempotent=True, output=False,
    in_session=True,
    tail=Param(INTEGER, 50, minimum=1, maximum=1000, about="How many of the latest commands"),
)
registry.front_tool(
    "search_architecture_prompts",
    "Search the architecture prompt dictionary (building types, styles, elements, rooms; English and Japanese) for recipes with real dimensions.",
    toolset="core", runs="front:search_prompts", read_only=True, idempotent=True, output=False,
    query=Param(NAME, about="Keywords in English or Japanese, e.g. 'tea house', '茶室', 'gable roof'"),
    lang=Param(one_of("en", "ja"), None, about="Only match this language"),
)
registry.front_tool(
    "list_toolsets",
    "List the toolsets (modeling, nodes, animation, camera and light, import and export, physics, analysis, architecture) with their tools and whether each is enabled on this connection.",
    toolset="core", runs="front:list_toolsets", read_only=True, idempotent=True,
    output={"toolsets": {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "description": {"type": "string"}, "enabled": {"type": "boolean"},
        "tools": {"type": "array", "items": {"type": "string"}}}}}},
)
registry.front_tool(
    "enable_toolset",
    "Switch a toolset on (or off) for this connection: its tools join tools/list and the client is told the list changed. Every tool can be called whether or not its toolset is listed.",
    toolset="core", runs="front:enable_toolset", read_only=False, idempotent=True,
    output={"toolset": {"type": "string"}, "enabled": {"type": "boolean"},
            "tools": {"type": "array", "items": {"type": "object"}, "description": "The toolset's tools, with their schemas"}},
    name=Param(one_of(*[name for name in TOOLSETS if name != "core"]), about="The toolset"),
    enabled=Param(BOOLEAN, True, about="false switches it off again"),
)
