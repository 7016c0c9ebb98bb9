"""design.md as an architect would keep it, built through MCP in real Blender: an 8 × 6 m gable
house (create_slab, create_floor_plan with one room and a south door, create_roof gable 30°) and
a two-storey house with stairs, closed gables and a stairwell. The numbers are read back from
design.md and from plan.svg / elevation.svg, never from our own arithmetic on the inputs alone.
The house's design.md is copied to test-artifacts/ for the record."""

import json
import math
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mcp_clients import mcp_stdio as mcp, text_of
from system import System, wait_for

pytestmark = pytest.mark.anyio
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def system():
    running = System(Path(tempfile.mkdtemp(prefix="bmcp-design-", dir="/tmp"))).start()
    yield running
    running.stop()


async def ok(client, tool, arguments):
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return json.loads(text_of(result).split("\n\nNote:")[0])


def session_file(system, session, name, needle):
    """The session's file once it holds `needle` (log-writer writes it after a pause)."""
    path = system.data / "sessions" / session / name

    def ready():
        return path.read_text(encoding="utf-8") if path.exists() and needle in path.read_text(encoding="utf-8") else None

    return wait_for(ready, 30, f"{name} of {session} with {needle!r}", interval=0.1)


def row(design, first_cell):
    """The cells of the Markdown table row that starts with `first_cell`."""
    for line in design.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no table row starting with {first_cell!r} in:\n{design}")


def metres(cell):
    return float(re.search(r"-?\d+\.\d+", cell).group())


async def test_gable_house_reads_back_from_design_md_and_the_drawings(system):
    async with mcp(system) as client:
        session = (await ok(client, "create_session", {"name": "gable house 8 x 6"}))["session_id"]
        await ok(client, "create_slab", {"width": 8, "depth": 6, "thickness": 0.2})
        await ok(client, "create_floor_plan", {
            "rooms": [{"name": "Living", "x": 0, "y": 0, "width": 8, "depth": 6}], "wall_height": 2.4,
            "doors": [{"room": "Living", "side": "south", "width": 0.9, "height": 2.1}]})
        await ok(client, "create_roof", {"type": "gable", "width": 8, "depth": 6, "base_z": 2.4, "pitch_deg": 30})

    design = session_file(system, session, "design.md", "| Roof |")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(system.data / "sessions" / session / "design.md", ARTIFACTS / "gable-house-design.md")
    for drawing in ("plan.svg", "elevation.svg"):
        shutil.copyfile(system.data / "sessions" / session / drawing, ARTIFACTS / f"gable-house-{drawing}")

    # A clean start: the template's camera and sun are no part of the building or its size.
    assert "Cube" not in design and "| Camera" not in design and "| Sun" not in design
    assert "**8.15 × 6.15 m** (outside faces of the walls" in design

    room = row(design, "Living")
    assert metres(room[3]) == pytest.approx(48.0, abs=0.01) and room[2] == "8.00 × 6.00 m"
    door = row(design, "door")
    assert door[2] == "Living south" and door[3] == "0.90 × 2.10 m" and door[4] == "0.00 m"
    along = float(re.search(r"(\d+\.\d+) m along the south side", door[5]).group(1))
    assert along == pytest.approx(8 / 2, abs=0.01) and "(centred)" in door[5]
    roof = row(design, "Roof")
    assert roof[1] == "gable" and roof[2] == "30.0°"
    ridge = metres(roof[6])
    assert ridge == pytest.approx(2.4 + 3 * math.tan(math.radians(30)), abs=0.01)
    assert roof[7] == "open (no gable walls)"
    assert "![Plan](plan.svg)" in design and "![South elevation](elevation.svg)" in design

    plan = ET.fromstring(session_file(system, session, "plan.svg", "door"))
    doors = [g for g in plan.iter(f"{SVG}g") if g.get("class") == "door"]
    assert len(doors) == 1
    door_svg = doors[0]
    assert float(door_svg.get("data-width")) == pytest.approx(0.9, abs=0.01)
    assert float(door_svg.get("data-height")) == pytest.approx(2.1, abs=0.01)
    assert door_svg.get("data-side") == "south"
    assert float(door_svg.get("data-offset")) == pytest.approx(float(door_svg.get("data-wall-length")) / 2, abs=0.01)
    assert door_svg.find(f"{SVG}path").get("class") == "door-swing"
    rooms = [g for g in plan.iter(f"{SVG}g") if g.get("class") == "room"]
    assert [float(g.get("data-area")) for g in rooms] == pytest.approx([48.0], abs=0.01)
    assert "48.0 m²" in [t.text for t in plan.iter(f"{SVG}text")]
    dimensions = sorted(float(g.get("data-length")) for g in plan.iter(f"{SVG}g") if g.get("class") == "dimension")
    assert dimensions == pytest.approx([6.0, 8.0], abs=0.01)

    elevation = ET.fromstring(session_file(system, session, "elevation.svg", "roof"))
    roofs = [p for p in elevation.iter(f"{SVG}polygon") if p.get("class") == "roof"]
    assert float(roofs[0].get("data-ridge-z")) == pytest.approx(ridge, abs=0.01)


async def test_two_storey_house_has_closed_gables_and_a_stairwell(system):
    floor = 2.7
    async with mcp(system) as client:
        session = (await ok(client, "create_session", {"name": "two-storey house"}))["session_id"]
        await ok(client, "create_slab", {"width": 7.28, "depth": 9.1, "thickness": 0.15})
        await ok(client, "create_floor_plan", {
            "rooms": [{"name": "LDK", "x": 0, "y": 0, "width": 7.28, "depth": 5.46},
                      {"name": "Hall", "x": 0, "y": 5.46, "width": 7.28, "depth": 3.64}],
            "wall_height": floor, "storey": 1, "floor_height": floor,
            "doors": [{"room": "LDK", "side": "south"}, {"room": "LDK", "side": "north", "offset": 5.0}]})
        upper = (await ok(client, "create_slab", {"width": 7.28, "depth": 9.1, "thickness": 0.15, "storey": 2, "floor_height": floor}))["name"]
        stairs = await ok(client, "create_stairs", {"start": [1.0, 5.6, 0], "direction_deg": 90, "total_rise": floor})
        await ok(client, "create_slab_opening", {"slab": upper, "x": 0.5, "y": 5.6, "width": 1.0, "depth": stairs["run"] + 0.1})
        await ok(client, "create_floor_plan", {
            "rooms": [{"name": "Bedroom", "x": 0, "y": 0, "width": 7.28, "depth": 9.1}], "wall_height": 2.4,
            "storey": 2, "floor_height": floor})
        roof = (await ok(client, "create_roof", {"type": "gable", "width": 7.28, "depth": 9.1, "base_z": floor + 2.4,
                                                 "pitch_deg": 26.6, "ridge_axis": "y"}))["name"]
        gables = await ok(client, "create_gable_walls", {"roof": roof})
        assert gables["ends"] == ["south", "north"]
        refused = await client.call_tool("create_slab_opening", {"slab": upper, "x": 7.0, "y": 1.0, "width": 1.0, "depth": 1.0})
        assert refused.is_error and "outside its outline" in text_of(refused)

    design = session_file(system, session, "design.md", "Gable Wall")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(system.data / "sessions" / session / "design.md", ARTIFACTS / "two-storey-house-design.md")
    assert row(design, "1")[1] == "0.00 m" and row(design, "1")[2] == f"{floor:.2f} m"
    assert row(design, "2")[1] == f"{floor:.2f} m"
    roof_row = row(design, roof)
    assert roof_row[7].startswith("south: Gable Wall") and "north: Gable Wall" in roof_row[7]
    assert metres(roof_row[6]) == pytest.approx(floor + 2.4 + 7.28 / 2 * math.tan(math.radians(26.6)), abs=0.01)
    flight = row(design, stairs["name"])
    assert flight[3] == f"{stairs['risers']} × {stairs['riser']:.3f} m" and flight[4].endswith("× 0.26 m")
    slab = row(design, upper)
    assert slab[1] == "2" and "stairwell 1.00 ×" in slab[6]
    assert metres(row(design, "Bedroom")[3]) == pytest.approx(7.28 * 9.1, abs=0.05)

    plan = ET.fromstring(session_file(system, session, "plan.svg", "slab-opening"))
    storeys = [g for g in plan.iter(f"{SVG}g") if g.get("class") == "storey"]
    assert [g.get("data-storey") for g in storeys] == ["1", "2"]
    wells = [g for g in storeys[1].iter(f"{SVG}g") if g.get("class") == "slab-opening"]
    assert len(wells) == 1 and wells[0].get("data-kind") == "stairwell"
    assert [g for g in storeys[0].iter(f"{SVG}g") if g.get("class") == "stairs"]
    elevation = ET.fromstring(session_file(system, session, "elevation.svg", "Gable Wall"))
    assert len([p for p in elevation.iter(f"{SVG}polygon") if p.get("class") == "gable" and p.get("data-apex-z")]) == 2


async def test_a_japanese_session_gets_a_japanese_design_md(system):
    async with mcp(system) as client:
        session = (await ok(client, "create_session", {"name": "平屋の家"}))["session_id"]
        await ok(client, "create_floor_plan", {"rooms": [{"name": "和室", "x": 0, "y": 0, "width": 3.64, "depth": 3.64}],
                                               "doors": [{"room": "和室", "side": "south"}]})
        await ok(client, "create_roof", {"type": "irimoya", "width": 3.64, "depth": 3.64, "base_z": 2.4, "pitch_deg": 26.6})
    design = session_file(system, session, "design.md", "入母屋")
    assert "## 間取り" in design and "延床面積" in design and "屋根勾配" in design
    assert row(design, "和室")[3] == "13.2 m² (8.2 畳)"
    assert row(design, "ドア")[2] == "和室 南"
    plan = session_file(system, session, "plan.svg", "和室")
    assert "1階 平面図" in plan and "8.2 畳" in plan


async def test_a_session_begun_from_a_japanese_prompt_keeps_its_brief_and_flags_what_leaves_its_ranges(system):
    async with mcp(system) as client:
        rendered = await client.get_prompt("detached-house", {"width": "8.19", "storeys": "1", "lang": "ja"})
        text = rendered.messages[0].content.text
        assert '1. `create_session` with name "戸建住宅", prompt "detached-house", prompt_arguments {"storeys":"1","width":"8.19"}' in text
        # The model went on with a shallower house than the entry allows (5.0 < 5.46 m), a
        # narrow door and a steep roof: the brief records what was asked and flags all three.
        session = (await ok(client, "create_session", {
            "name": "prompt house", "prompt": "detached-house", "language": "ja",
            "prompt_arguments": {"width": "8.19", "depth": "5.0", "storeys": "1"}}))["session_id"]
        await ok(client, "create_floor_plan", {
            "rooms": [{"name": "House", "x": 0, "y": 0, "width": 8.19, "depth": 5.0}], "wall_height": 2.9,
            "doors": [{"room": "House", "side": "south", "width": 0.7, "height": 2.1}]})
        await ok(client, "create_roof", {"type": "gable", "width": 8.19, "depth": 5.0, "base_z": 2.9, "pitch_deg": 50,
                                         "ridge_axis": "y"})
        wrong = await client.call_tool("create_session", {"name": "x", "prompt": "no-such-house"})
        assert wrong.is_error and "no prompt 'no-such-house'" in text_of(wrong)

    design = session_file(system, session, "design.md", "実測が範囲外 (50°)")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(system.data / "sessions" / session / "design.md", ARTIFACTS / "prompt-house-design.md")
    # Written in the prompt's language, though the session's name is English.
    assert "## 設計条件" in design and "## 間取り" in design and "「戸建住宅」（`detached-house`）" in design
    assert row(design, "`width`") == ["`width`", "8.19 m", "5.46–14.56 m", "8.19 m", "✓"]
    assert row(design, "`depth`")[1:] == ["5.00 m", "5.46–14.56 m", "5.00 m", "⚠ 指定値が範囲外; ⚠ 実測が範囲外 (5.00 m)"]
    assert row(design, "`storeys`")[1:] == ["1", "1–3", "1", "✓"]
    assert row(design, "`door_width`")[1:] == ["0.90 m (既定値)", "0.80–1.20 m", "0.70 m", "⚠ 実測が範囲外 (0.70 m)"]
    assert row(design, "`door_height`")[4] == "✓"
    assert row(design, "`roof_pitch`")[1:] == ["26.6° (既定値)", "15–45°", "50°", "⚠ 実測が範囲外 (50°)"]
    assert row(design, "`window_width`")[3:] == ["–", "–"]
    assert "**標準範囲外の値: 3** (`depth`, `door_width`, `roof_pitch`)" in design
