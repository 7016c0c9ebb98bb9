"""Checks the architecture prompt dictionary (Services/prompt-service/Core/Dictionary/*.json).

    python3 Tests/DictionaryCheck/check_dictionary.py [DICTIONARY_DIR]

Prints one line per problem, naming file, entry id and field, and exits 1 when
there is any; prints a count per kind and exits 0 when there is none. The rules
are the schema in docs/PROMPT-DICTIONARY.md. Plain Python, no dependencies, so
it runs anywhere the repo is checked out (and as a pytest test, see
test_dictionary.py).
"""

import json
import re
import sys
from pathlib import Path

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "Services/prompt-service/Core/Dictionary"

# Which kind each file holds: a file named here may only hold that kind.
FILE_KINDS = {
    "building-types.json": "building_type",
    "styles.json": "style",
    "elements.json": "element",
    "rooms.json": "room",
}
KINDS = set(FILE_KINDS.values())
TOOLS = (
    "create_slab", "create_wall", "create_opening", "create_roof", "create_column_grid",
    "create_stairs", "create_floor_plan", "create_gable_walls", "create_slab_opening",
    "execute_blender_code", "get_object_info",
)
# The tools mcp-front really declares, read from its sources, so a recipe cannot name one
# that does not exist (a step's every tool-like word must be one of them).
# The tool catalogue mcp-front serves, generated from the addon's registry.
CATALOGUE = Path(__file__).resolve().parents[2] / "Services/mcp-front/Core/Tools/catalogue.json"
TOOL_WORD = re.compile(r"\b(?:create|get|execute|set|add|apply|assign|delete|move|render|search|list|open|save|export)_[a-z0-9_]+\b")


def declared_tools(catalogue=CATALOGUE):
    """Every tool name mcp-front serves, in every toolset."""
    return {tool["name"] for tool in json.loads(Path(catalogue).read_text(encoding="utf-8"))["tools"]}
ENTRY_FIELDS = {
    "id", "kind", "title", "description", "keywords", "aliases", "arguments", "recipe", "related",
    "dimensions", "materials", "palette", "proportions",
}
REQUIRED_FIELDS = ("id", "kind", "title", "description", "keywords", "aliases", "arguments", "recipe", "related")
ARGUMENT_FIELDS = {"name", "description", "type", "unit", "default", "range", "choices", "required"}
ARGUMENT_TYPES = ("number", "integer", "string", "enum")
ARGUMENT_UNITS = ("m", "mm", "deg", "count", "")
DIMENSION_UNITS = ("m", "mm", "m2", "deg", "ratio", "count")
LANGUAGES = ("en", "ja")

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # kana or kanji


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def render_value(value):
    """How a default reads inside a recipe step: 2 -> '2', 2.9 -> '2.9', 'gable' -> 'gable'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render_recipe(entry, values=None):
    """The recipe steps with every {argument} replaced by `values` or the defaults."""
    values = dict(values or {})
    for argument in entry.get("arguments", []):
        values.setdefault(argument.get("name"), argument.get("default"))
    return [
        PLACEHOLDER.sub(lambda m: render_value(values[m.group(1)]) if m.group(1) in values else m.group(0), step)
        for step in entry.get("recipe", [])
    ]


class Checker:
    def __init__(self, tools=None):
        self.problems = []
        self.tools = declared_tools() if tools is None else set(tools)

    def fail(self, file, entry, field, problem):
        self.problems.append(f"{file}, entry '{entry}', field '{field}': {problem}")

    # -- field shapes --

    def bilingual_text(self, file, entry, field, value):
        if not isinstance(value, dict) or set(value) != set(LANGUAGES):
            self.fail(file, entry, field, 'must be {"en": "...", "ja": "..."}')
            return
        for lang in LANGUAGES:
            if not isinstance(value[lang], str) or not value[lang].strip():
                self.fail(file, entry, f"{field}.{lang}", "required non-empty string")
        if isinstance(value["ja"], str) and value["ja"] and not JAPANESE.search(value["ja"]):
            self.fail(file, entry, f"{field}.ja", "holds no Japanese (kana or kanji)")

    def bilingual_lists(self, file, entry, field, value, may_be_empty):
        if not isinstance(value, dict) or set(value) != set(LANGUAGES):
            self.fail(file, entry, field, 'must be {"en": [...], "ja": [...]}')
            return
        for lang in LANGUAGES:
            items = value[lang]
            if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
                self.fail(file, entry, f"{field}.{lang}", "must be a list of non-empty strings")
            elif not items and not may_be_empty:
                self.fail(file, entry, f"{field}.{lang}", "must not be empty")
            elif len(set(items)) != len(items):
                self.fail(file, entry, f"{field}.{lang}", "repeats an item")

    def argument(self, file, entry, path, argument):
        if not isinstance(argument, dict):
            self.fail(file, entry, path, "must be an object")
            return None
        for unknown in sorted(set(argument) - ARGUMENT_FIELDS):
            self.fail(file, entry, f"{path}.{unknown}", "unknown field")
        name = argument.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            self.fail(file, entry, f"{path}.name", f"must be snake_case, got {name!r}")
        description = argument.get("description")
        if isinstance(description, dict):
            self.bilingual_text(file, entry, f"{path}.description", description)
        elif not isinstance(description, str) or not description.strip():
            self.fail(file, entry, f"{path}.description", 'required: a non-empty string or {"en", "ja"}')
        kind = argument.get("type")
        if kind not in ARGUMENT_TYPES:
            self.fail(file, entry, f"{path}.type", f"must be one of {', '.join(ARGUMENT_TYPES)}, got {kind!r}")
        if argument.get("unit") not in ARGUMENT_UNITS:
            self.fail(file, entry, f"{path}.unit", f"must be one of {ARGUMENT_UNITS}, got {argument.get('unit')!r}")
        if not isinstance(argument.get("required"), bool):
            self.fail(file, entry, f"{path}.required", "required boolean")
        if "default" not in argument:
            self.fail(file, entry, f"{path}.default", "required (recipes are rendered with the defaults)")
            return name
        default = argument["default"]
        if kind in ("number", "integer"):
            self.numeric_argument(file, entry, path, kind, default, argument.get("range"))
            if "choices" in argument:
                self.fail(file, entry, f"{path}.choices", "only enum arguments have choices")
        elif kind == "enum":
            choices = argument.get("choices")
            if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c for c in choices):
                self.fail(file, entry, f"{path}.choices", "an enum needs a non-empty list of strings")
            elif default not in choices:
                self.fail(file, entry, f"{path}.default", f"{default!r} is not one of the choices {choices}")
        elif kind == "string" and not isinstance(default, str):
            self.fail(file, entry, f"{path}.default", f"must be a string, got {default!r}")
        if kind in ("string", "enum") and "range" in argument:
            self.fail(file, entry, f"{path}.range", "only number and integer arguments have a range")
        return name

    def numeric_argument(self, file, entry, path, kind, default, bounds):
        whole = kind == "integer"
        if not is_number(default) or (whole and not isinstance(default, int)):
            self.fail(file, entry, f"{path}.default", f"must be {'an integer' if whole else 'a number'}, got {default!r}")
            return
        if not self.valid_range(bounds, whole):
            self.fail(file, entry, f"{path}.range", f"required [min, max] of {kind}s with min < max, got {bounds!r}")
        elif not bounds[0] <= default <= bounds[1]:
            self.fail(file, entry, f"{path}.default", f"{default} is outside the range {bounds}")

    @staticmethod
    def valid_range(bounds, whole=False):
        return (
            isinstance(bounds, list) and len(bounds) == 2 and all(is_number(b) for b in bounds)
            and (not whole or all(isinstance(b, int) for b in bounds)) and bounds[0] < bounds[1]
        )

    def dimensions(self, file, entry, value):
        if not isinstance(value, dict) or not value:
            self.fail(file, entry, "dimensions", "must be a non-empty object of named sizes")
            return
        for name, size in value.items():
            path = f"dimensions.{name}"
            if not NAME_PATTERN.match(name):
                self.fail(file, entry, path, "name must be snake_case")
            if not isinstance(size, dict) or set(size) - {"value", "unit", "range", "note"}:
                self.fail(file, entry, path, "must be {value, unit, range?, note?}")
                continue
            if not is_number(size.get("value")):
                self.fail(file, entry, f"{path}.value", f"required number, got {size.get('value')!r}")
            if size.get("unit") not in DIMENSION_UNITS:
                self.fail(file, entry, f"{path}.unit", f"must be one of {DIMENSION_UNITS}, got {size.get('unit')!r}")
            if "range" in size:
                bounds = size["range"]
                if not self.valid_range(bounds):
                    self.fail(file, entry, f"{path}.range", f"must be [min, max] with min < max, got {bounds!r}")
                elif is_number(size.get("value")) and not bounds[0] <= size["value"] <= bounds[1]:
                    self.fail(file, entry, f"{path}.value", f"{size['value']} is outside the range {bounds}")
            if "note" in size and not (isinstance(size["note"], str) and size["note"].strip()):
                self.fail(file, entry, f"{path}.note", "must be a non-empty string")

    def recipe(self, file, entry_id, entry, argument_names):
        steps = entry.get("recipe")
        if not isinstance(steps, list) or not steps or not all(isinstance(s, str) and s.strip() for s in steps):
            self.fail(file, entry_id, "recipe", "required non-empty list of non-empty strings")
            return
        used = set()
        for index, step in enumerate(steps):
            for name in PLACEHOLDER.findall(step):
                used.add(name)
                if name not in argument_names:
                    self.fail(file, entry_id, f"recipe[{index}]", f"placeholder {{{name}}} is not an argument name")
            if not any(tool in step for tool in TOOLS):
                self.fail(file, entry_id, f"recipe[{index}]", f"names no MCP tool (one of {', '.join(TOOLS)})")
            for word in TOOL_WORD.findall(step):
                if word not in self.tools:
                    self.fail(file, entry_id, f"recipe[{index}]", f"names '{word}', which is not a tool mcp-front declares")
        for name in sorted(set(argument_names) - used):
            self.fail(file, entry_id, "arguments", f"argument '{name}' is never used in the recipe")
        for index, step in enumerate(render_recipe(entry)):
            if "{" in step or "}" in step:
                self.fail(file, entry_id, f"recipe[{index}]", f"renders with leftover braces: {step!r}")

    # -- entries --

    def entry(self, file, index, entry, expected_kind):
        if not isinstance(entry, dict):
            self.fail(file, f"#{index}", "", "entry must be an object")
            return None
        entry_id = entry.get("id") if isinstance(entry.get("id"), str) else f"#{index}"
        for field in REQUIRED_FIELDS:
            if field not in entry:
                self.fail(file, entry_id, field, "required")
        for field in sorted(set(entry) - ENTRY_FIELDS):
            self.fail(file, entry_id, field, "unknown field")
        if not ID_PATTERN.match(str(entry.get("id", ""))):
            self.fail(file, entry_id, "id", "must be kebab-case (a-z, 0-9, single hyphens)")
        kind = entry.get("kind")
        if kind not in KINDS:
            self.fail(file, entry_id, "kind", f"must be one of {', '.join(sorted(KINDS))}, got {kind!r}")
        elif expected_kind and kind != expected_kind:
            self.fail(file, entry_id, "kind", f"{file} holds '{expected_kind}' entries, got {kind!r}")
        for field in ("title", "description"):
            if field in entry:
                self.bilingual_text(file, entry_id, field, entry[field])
        if "keywords" in entry:
            self.bilingual_lists(file, entry_id, "keywords", entry["keywords"], may_be_empty=False)
        if "aliases" in entry:
            self.bilingual_lists(file, entry_id, "aliases", entry["aliases"], may_be_empty=True)
        names = []
        arguments = entry.get("arguments")
        if not isinstance(arguments, list):
            self.fail(file, entry_id, "arguments", "required list (may be empty)")
        else:
            for position, argument in enumerate(arguments):
                names.append(self.argument(file, entry_id, f"arguments[{position}]", argument))
            for name in {n for n in names if names.count(n) > 1 and n}:
                self.fail(file, entry_id, "arguments", f"argument name '{name}' is used twice")
        self.recipe(file, entry_id, entry, [n for n in names if isinstance(n, str)])
        if "dimensions" in entry:
            self.dimensions(file, entry_id, entry["dimensions"])
        self.style_fields(file, entry_id, entry)
        related = entry.get("related")
        if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
            self.fail(file, entry_id, "related", "required list of entry ids (may be empty)")
        return entry_id

    def style_fields(self, file, entry_id, entry):
        materials = entry.get("materials")
        if materials is not None:
            if not isinstance(materials, list) or not materials:
                self.fail(file, entry_id, "materials", "must be a non-empty list")
            else:
                for position, material in enumerate(materials):
                    self.bilingual_text(file, entry_id, f"materials[{position}]", material)
        palette = entry.get("palette")
        if palette is not None:
            if not isinstance(palette, list) or not palette:
                self.fail(file, entry_id, "palette", "must be a non-empty list of #RRGGBB colors")
            else:
                for position, color in enumerate(palette):
                    if not isinstance(color, str) or not HEX_COLOR.match(color):
                        self.fail(file, entry_id, f"palette[{position}]", f"must be #RRGGBB, got {color!r}")
        if "proportions" in entry:
            self.bilingual_text(file, entry_id, "proportions", entry["proportions"])
        if entry.get("kind") == "style":
            for field, minimum in (("palette", 3), ("materials", 2)):
                value = entry.get(field)
                if not isinstance(value, list) or len(value) < minimum:
                    self.fail(file, entry_id, field, f"a style needs at least {minimum}")
            if "proportions" not in entry:
                self.fail(file, entry_id, "proportions", "a style needs its proportions described")

    def directory(self, directory):
        """Check every *.json file in `directory`; returns {kind: count}."""
        directory = Path(directory)
        files = sorted(directory.glob("*.json"))
        if not files:
            self.fail(directory.name, "-", "-", "no *.json files")
        seen, related, counts = {}, [], {}
        for path in files:
            try:
                entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                self.fail(path.name, "-", "-", f"not valid JSON: {exc}")
                continue
            if not isinstance(entries, list):
                self.fail(path.name, "-", "-", "top level must be an array of entries")
                continue
            for index, entry in enumerate(entries):
                entry_id = self.entry(path.name, index, entry, FILE_KINDS.get(path.name))
                if entry_id is None:
                    continue
                if entry_id in seen:
                    self.fail(path.name, entry_id, "id", f"already used in {seen[entry_id]}")
                seen[entry_id] = path.name
                counts[entry.get("kind")] = counts.get(entry.get("kind"), 0) + 1
                if isinstance(entry.get("related"), list):
                    related.append((path.name, entry_id, entry["related"]))
        for file, entry_id, targets in related:
            for position, target in enumerate(targets):
                if target == entry_id:
                    self.fail(file, entry_id, f"related[{position}]", "an entry must not relate to itself")
                elif target not in seen:
                    self.fail(file, entry_id, f"related[{position}]", f"no entry has the id '{target}'")
        return counts


def check(directory=DEFAULT_DIRECTORY):
    """(problems, counts per kind) for the dictionary in `directory`."""
    checker = Checker()
    counts = checker.directory(directory)
    return checker.problems, counts


def main(argv):
    directory = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIRECTORY
    problems, counts = check(directory)
    for problem in problems:
        print(problem)
    summary = ", ".join(f"{kind}: {count}" for kind, count in sorted(counts.items()))
    print(f"{len(problems)} problem(s); {sum(counts.values())} entries ({summary})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
