"""Pure checks (no Blender) for what the core tool declarations rest on: the package has no
import cycle, values.py's formatting, and Param's unit-aware refusals."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import conftest  # noqa: F401  (puts Addon/ on sys.path)
from bmcp_addon import protocol, values
from bmcp_addon.registry import INTEGER, NUMBER, POINT2, OpSpec, Param, OpError

PACKAGE = Path(__file__).resolve().parent.parent / "bmcp_addon"


def module_imports(path):
    """Sibling modules a module imports at its top level (imports inside functions run later
    and cannot make a cycle at import time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_the_package_has_no_import_cycle():
    modules = {path.stem: path for path in PACKAGE.glob("*.py")}
    graph = {name: module_imports(path) & set(modules) for name, path in modules.items()}
    cycles = []

    def visit(name, trail):
        if name in trail:
            cycles.append(" -> ".join(trail[trail.index(name):] + [name]))
            return
        for imported in sorted(graph[name]):
            visit(imported, trail + [name])

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []


def test_session_context_loads_without_protocol():
    code = "import sys; import bmcp_addon.session_context; print('bmcp_addon.protocol' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_protocol_keeps_describe_value():
    assert protocol.describe_value is values.describe_value
    assert values.describe_value("abc") == "str 'abc'" and values.describe_value(None) == "null"


@pytest.mark.parametrize("value, text", [(2.4, "2.4"), (3.0, "3"), (0.1 + 0.2, "0.3"), (-0.0000001, "0"), (25, "25")])
def test_format_number(value, text):
    assert values.format_number(value) == text


def bind(**params):
    def run(given):
        return OpSpec("t.op", None, params).bind(given)
    return run


def refusal(run, given):
    with pytest.raises(OpError) as caught:
        run(given)
    assert caught.value.code == "bad_params"
    return caught.value.message


def test_a_param_with_a_unit_is_refused_in_that_unit():
    run = bind(height=Param(NUMBER, 2.4, minimum=0.1, maximum=20.0, unit="m"),
               share=Param(NUMBER, 0.5, minimum=0.2, maximum=0.8, unit=""),
               low=Param(NUMBER, None, minimum=0.0, unit="m"))
    assert refusal(run, {"height": 25}) == "t.op: param 'height' must be between 0.1 and 20 m, got 25"
    assert refusal(run, {"share": 0.9}) == "t.op: param 'share' must be between 0.2 and 0.8, got 0.9"
    assert refusal(run, {"low": -1.5}) == "t.op: param 'low' must be at least 0 m, got -1.5"
    # A value of the wrong type is still named with its type.
    assert refusal(run, {"height": "tall"}) == "t.op: param 'height' must be a number between 0.1 and 20.0, got str 'tall'"
    assert run({"height": 20}) == {"height": 20, "share": 0.5, "low": None}


def test_a_param_without_a_unit_keeps_the_typed_refusal():
    run = bind(limit=Param(INTEGER, 100, minimum=1, maximum=1000), at=Param(POINT2, None))
    assert refusal(run, {"limit": 5000}) == "t.op: param 'limit' must be an integer between 1 and 1000, got int 5000"
    assert "param 'at' must be an array of 2 numbers [x, y], got array [1]" in refusal(run, {"at": [1]})


def test_a_unit_is_kept_when_a_tool_gives_the_meaning():
    from bmcp_addon.registry import OpRegistry

    registry = OpRegistry()

    @registry.tool("t", "A test tool.", toolset="core", about={"height": "Height, m"})
    @registry.op("t.op", height=Param(NUMBER, 1.0, minimum=0.0, maximum=2.0, unit="m"))
    def op(ctx, height):
        return {}

    param = registry.tools()["t"].params["height"]
    assert param.unit == "m" and param.about == "Height, m"
