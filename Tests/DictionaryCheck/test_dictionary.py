"""The prompt dictionary passes its checker, and the checker catches each rule it claims to.

    python3 -m pytest Tests/DictionaryCheck -q
"""

import copy
import json
import re

import pytest

import check_dictionary
from check_dictionary import DEFAULT_DIRECTORY, check, render_recipe

MINIMUMS = {"building_type": 20, "style": 15, "element": 35, "room": 10}


def load_all():
    entries = []
    for path in sorted(DEFAULT_DIRECTORY.glob("*.json")):
        entries.extend(json.loads(path.read_text(encoding="utf-8")))
    return entries


def test_shipped_dictionary_has_no_problems():
    problems, counts = check()
    assert problems == []
    for kind, minimum in MINIMUMS.items():
        assert counts.get(kind, 0) >= minimum, f"{kind}: {counts.get(kind, 0)} entries, want at least {minimum}"
    assert sum(counts.values()) >= 80


def test_every_recipe_renders_with_its_defaults():
    for entry in load_all():
        for step in render_recipe(entry):
            assert "{" not in step and "}" not in step, (entry["id"], step)


def test_the_topics_asked_for_are_there():
    ids = {entry["id"] for entry in load_all()}
    for wanted in (
        "detached-house", "machiya-townhouse", "shrine-main-hall", "temple-main-hall", "tea-house",
        "five-storey-pagoda", "farmhouse-minka", "sukiya", "traditional-japanese", "metabolism",
        "irimoya-roof", "shoji", "fusuma", "engawa", "tatami-room", "tokonoma", "genkan", "doma",
        "courtyard", "straight-stair", "ramp", "handrail", "living-room", "classroom",
    ):
        assert wanted in ids


def test_detached_house_defaults_match_the_addon_test():
    """Addon/tests/test_architecture.py follows this recipe; these are the numbers it checks."""
    house = next(entry for entry in load_all() if entry["id"] == "detached-house")
    defaults = {argument["name"]: argument["default"] for argument in house["arguments"]}
    assert (defaults["floor_height"], defaults["door_width"], defaults["door_height"]) == (2.9, 0.9, 2.1)
    assert house["title"]["ja"] == "戸建住宅"  # the Swift PromptServiceTests check this title


# -- the checker itself ------------------------------------------------------------

GOOD = {
    "id": "test-wall", "kind": "element",
    "title": {"en": "Test wall", "ja": "試験の壁"},
    "description": {"en": "A wall for testing.", "ja": "試験用の壁。"},
    "keywords": {"en": ["wall"], "ja": ["壁"]},
    "aliases": {"en": [], "ja": []},
    "arguments": [
        {"name": "height", "description": {"en": "Height", "ja": "高さ"}, "type": "number", "unit": "m",
         "default": 2.4, "range": [0.1, 20], "required": False},
        {"name": "finish", "description": "Finish", "type": "enum", "unit": "", "default": "plaster",
         "choices": ["plaster", "wood"], "required": False},
    ],
    "dimensions": {"thickness": {"value": 0.15, "unit": "m", "range": [0.1, 0.3]}},
    "recipe": ["create_wall height {height} with a {finish} finish."],
    "related": ["other-wall"],
}
OTHER = dict(copy.deepcopy(GOOD), id="other-wall", related=[])


def problems_for(tmp_path, entry, file="elements.json"):
    (tmp_path / file).write_text(json.dumps([entry, OTHER], ensure_ascii=False), encoding="utf-8")
    return check(tmp_path)[0]


def mutated(change):
    entry = copy.deepcopy(GOOD)
    change(entry)
    return entry


def test_a_good_entry_passes(tmp_path):
    assert problems_for(tmp_path, GOOD) == []


@pytest.mark.parametrize("change, field, words", [
    (lambda e: e["title"].pop("ja"), "title", "must be"),
    (lambda e: e["title"].update(ja="Wall"), "title.ja", "no Japanese"),
    (lambda e: e.update(id="Test_Wall"), "id", "kebab-case"),
    (lambda e: e.update(kind="room"), "kind", "elements.json holds 'element'"),
    (lambda e: e["arguments"][0].update(default=25), "arguments[0].default", "outside the range"),
    (lambda e: e["arguments"][0].update(range=[5, 1]), "arguments[0].range", "min < max"),
    (lambda e: e["arguments"][0].pop("type"), "arguments[0].type", "must be one of"),
    (lambda e: e["arguments"][1].update(default="stone"), "arguments[1].default", "not one of the choices"),
    (lambda e: e["arguments"][0].update(name="Height"), "arguments[0].name", "snake_case"),
    (lambda e: e["recipe"].append("create_slab at {level}."), "recipe[1]", "not an argument name"),
    (lambda e: e["recipe"].append("Then admire it."), "recipe[1]", "names no MCP tool"),
    (lambda e: e["recipe"].append("create_wall, then create_gable_ends."), "recipe[1]",
     "names 'create_gable_ends', which is not a tool mcp-front declares"),
    (lambda e: e["recipe"].__setitem__(0, "create_wall {finish} finish."), "arguments", "'height' is never used"),
    (lambda e: e["recipe"].append("create_wall {height}}."), "recipe[1]", "leftover braces"),
    (lambda e: e.update(related=["no-such-entry"]), "related[0]", "no entry has the id"),
    (lambda e: e["dimensions"]["thickness"].update(value=0.5), "dimensions.thickness.value", "outside the range"),
    (lambda e: e.update(palette=["#12345"]), "palette[0]", "#RRGGBB"),
    (lambda e: e.update(colour="red"), "colour", "unknown field"),
    (lambda e: e.pop("aliases"), "aliases", "required"),
])
def test_each_rule_names_file_entry_and_field(tmp_path, change, field, words):
    problems = problems_for(tmp_path, mutated(change))
    expected_id = "Test_Wall" if field == "id" else "test-wall"
    prefix = f"elements.json, entry '{expected_id}', field '{field}':"
    assert any(p.startswith(prefix) and words in p for p in problems), problems


def test_duplicate_ids_across_files_are_reported(tmp_path):
    (tmp_path / "elements.json").write_text(json.dumps([GOOD, OTHER]), encoding="utf-8")
    (tmp_path / "extra.json").write_text(json.dumps([dict(GOOD, related=[])]), encoding="utf-8")
    problems = check(tmp_path)[0]
    assert "extra.json, entry 'test-wall', field 'id': already used in elements.json" in problems


def test_a_style_needs_palette_materials_and_proportions(tmp_path):
    style = mutated(lambda e: e.update(kind="style"))
    problems = problems_for(tmp_path, style, file="styles.json")
    for field in ("palette", "materials", "proportions"):
        assert any(f"field '{field}': a style needs" in p for p in problems), (field, problems)


def test_command_line_exit_codes(tmp_path, capsys):
    assert check_dictionary.main(["check", str(DEFAULT_DIRECTORY)]) == 0
    (tmp_path / "elements.json").write_text("[{]", encoding="utf-8")
    assert check_dictionary.main(["check", str(tmp_path)]) == 1
    assert "not valid JSON" in capsys.readouterr().out


def test_building_recipes_close_gables_and_stairwells_with_tools():
    """The detached house's gables and stairwells are tools now, not code."""
    house = next(entry for entry in load_all() if entry["id"] == "detached-house")
    steps = " ".join(house["recipe"])
    assert "create_gable_walls" in steps and "create_slab_opening" in steps and "storey n, floor_height" in steps
    assert "execute_blender_code" not in steps
    assert {"create_gable_walls", "create_slab_opening"} <= check_dictionary.declared_tools()


# TOOL_WORD's verbs, plus those of the scene tools it does not cover (duplicate_object, ...).
BUILDING_TOOL_WORD = re.compile(
    rf"{check_dictionary.TOOL_WORD.pattern}|\b(?:duplicate|transform|parent|rename|select)_[a-z0-9_]+\b")


def test_building_recipes_name_only_declared_tools_and_no_code():
    """Every building recipe is carried out with real MCP tools: no execute_blender_code step,
    each step names a tool, and every tool-like word in it is one mcp-front declares."""
    declared = check_dictionary.declared_tools()
    buildings = [entry for entry in load_all() if entry["kind"] == "building_type"]
    assert len(buildings) >= MINIMUMS["building_type"]
    for entry in buildings:
        for index, step in enumerate(entry["recipe"]):
            where = f"{entry['id']} recipe[{index}]: {step}"
            assert "execute_blender_code" not in step, where
            named = set(BUILDING_TOOL_WORD.findall(step))
            assert named <= declared, (sorted(named - declared), where)
            assert named & declared, where
