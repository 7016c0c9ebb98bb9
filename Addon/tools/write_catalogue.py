"""Write (or with --check, verify) the tool catalogue and docs/TOOLS.md from the op registry.

Run inside Blender, which the ops need to import:

    blender -b --factory-startup --python Addon/tools/write_catalogue.py [-- --check]

or with Blender as a Python module: `python Addon/tools/write_catalogue.py [-- --check]`.

--check exits 1 naming each file that differs from what the registry makes (the addon suite
runs it), so the catalogue mcp-front reads is never older than the addon's declarations.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Addon"))

# First, as in serve.py: under Blender as a Python module (`python write_catalogue.py -- --check`)
# bmesh and mathutils are importable only once bpy is.
import bpy  # noqa: E402,F401

import serve  # noqa: E402  (its start_coverage: under scripts/test.sh this run is measured too)

serve.start_coverage(str(ROOT / "Addon"))

from bmcp_addon import architecture, commands, front_tools  # noqa: E402,F401  (register every op and tool)
from bmcp_addon.catalogue import catalogue_json, tools_markdown  # noqa: E402
from bmcp_addon.ops_common import registry  # noqa: E402

CATALOGUE = ROOT / "Services" / "mcp-front" / "Core" / "Tools" / "catalogue.json"
TOOLS_MD = ROOT / "docs" / "TOOLS.md"


def main(argv):
    check = "--check" in argv
    tools = registry.tools()
    wanted = {CATALOGUE: catalogue_json(tools), TOOLS_MD: tools_markdown(tools)}
    stale = []
    for path, text in wanted.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            stale.append(path.relative_to(ROOT))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("stale: " + ", ".join(map(str, stale)) + " (run Addon/tools/write_catalogue.py in Blender)")
        return 1
    print(f"{len(tools)} tools")
    return 0


if __name__ == "__main__":
    arguments = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    code = main(arguments)
    sys.stdout.flush()
    sys.exit(code)
