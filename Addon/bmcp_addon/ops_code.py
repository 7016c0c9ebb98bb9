"""code.execute: run Python inside Blender (switchable, with a time limit)."""

import bpy

from .code_runner import run_code, user_traceback
from .ops_common import registry
from .registry import NUMBER, STRING, OpError, Param, bad_params
from .settings import code_execution_allowed, code_timeout, max_output_bytes

MAX_TIMEOUT = 24 * 3600.0


@registry.tool(
    "execute_blender_code",
    "Execute Python code in Blender (bpy and mathutils are imported). Whatever the code prints is returned. "
    "Work in small steps.",
    toolset="core",
    destructive=True,
    text="Code executed successfully: {result}",
)
@registry.mutating_op(
    "code.execute",
    code=Param(STRING, about="The Python code to execute"),
    timeout_s=Param(NUMBER, None, minimum=0.001, maximum=MAX_TIMEOUT,
                    about="Time limit in seconds (default and ceiling: the addon's BMCP_CODE_TIMEOUT)"),
)
def code_execute(ctx, code, timeout_s):
    if not code_execution_allowed():
        raise OpError("code_disabled", "code execution is disabled on this addon (BMCP_ALLOW_CODE=0)")
    import mathutils

    # BMCP_CODE_TIMEOUT is the operator's ceiling: a caller may ask for less time, never more.
    ceiling = code_timeout()
    if timeout_s is not None and timeout_s > ceiling:
        raise bad_params(
            "code.execute",
            f"timeout {timeout_s:g} s exceeds BMCP_CODE_TIMEOUT ({ceiling:g} s), a ceiling callers cannot raise",
        )
    limit = timeout_s if timeout_s is not None else ceiling
    namespace = {"__name__": "__bmcp_code__", "bpy": bpy, "mathutils": mathutils}
    outcome = run_code(code, namespace, limit, max_output_bytes())
    if outcome.timed_out:
        raise OpError(
            "code_timeout",
            f"code.execute: stopped after the time limit of {limit:g} s (a single long call into "
            "Blender's C code cannot be interrupted, only Python lines)",
            **_output(outcome),
        )
    if outcome.error is not None:
        exc = outcome.error
        raise OpError(
            "code_failed",
            f"{type(exc).__name__}: {exc}",
            traceback=user_traceback(exc),
            **_output(outcome),
        )
    result = {"executed": True, "result": outcome.stdout, "stderr": outcome.stderr}
    if outcome.dropped_bytes:
        result["output_dropped_bytes"] = outcome.dropped_bytes
    return result


def _output(outcome):
    """What an error carries of the code's output; the drop count only when something was dropped."""
    fields = {"stdout": outcome.stdout, "stderr": outcome.stderr}
    if outcome.dropped_bytes:
        fields["output_dropped_bytes"] = outcome.dropped_bytes
    return fields
