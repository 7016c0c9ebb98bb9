"""Schemathesis hooks for test_api_schema.py (loaded with SCHEMATHESIS_HOOKS=schema_hooks).

Random session ids and tool names almost never hit anything real, so half the time a case's
path is pointed at the seeded session (which has a command log, state, design and render) and
at one of the read-only tools. The seeded session is never closed by a DELETE case, so the
other operations keep reaching it."""

import os

import schemathesis
from hypothesis import strategies as st

SESSION = os.environ.get("BMCP_SCHEMA_SESSION", "")
# Tools that only read: arbitrary arguments cannot run code, write files or close the session.
READ_ONLY_TOOLS = ["get_scene_info", "get_object_info", "get_session", "get_session_log", "list_sessions",
                   "search_architecture_prompts"]


@schemathesis.hook
def flatmap_path_parameters(ctx, path_parameters):
    if not path_parameters or not SESSION:
        return st.just(path_parameters)
    choices = [st.just(path_parameters)]
    if "id" in path_parameters and ctx.operation.method.upper() != "DELETE":
        seeded = {**path_parameters, "id": SESSION}
        choices.append(st.just(seeded))
        if "tool" in path_parameters:
            choices.append(st.sampled_from(READ_ONLY_TOOLS).map(lambda tool: {**seeded, "tool": tool}))
    return st.one_of(choices)
