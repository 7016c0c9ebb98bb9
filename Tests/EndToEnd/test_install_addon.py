"""`bmcp install-addon` against the real Debian Blender, in a temporary HOME: a later headless
Blender finds the addon enabled and imported from the user's addons folder; --dry-run changes
nothing, a second run changes nothing that matters, --uninstall removes it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from resident import bmcp, temporary_home, tree_snapshot  # noqa: E402
from system import blender_executable  # noqa: E402

# Run inside Blender: what its preferences and import system say about the addon.
PROBE = """
import json, sys, addon_utils, bpy
enabled_in_prefs, loaded = addon_utils.check("bmcp_addon")
module = sys.modules.get("bmcp_addon")
json.dump({"in_preferences": "bmcp_addon" in bpy.context.preferences.addons,
           "enabled_in_prefs": bool(enabled_in_prefs), "loaded": bool(loaded),
           "module_file": getattr(module, "__file__", None),
           "has_serve": callable(getattr(module, "serve", None)),
           "series": "%d.%d" % bpy.app.version[:2]},
          open(sys.argv[sys.argv.index("--") + 1], "w"))
"""


def addon_state(env, root: Path) -> dict:
    """A fresh `blender -b` with the user's preferences (no --factory-startup)."""
    out = root / "probe.json"
    out.unlink(missing_ok=True)
    done = subprocess.run([blender_executable(), "-b", "--python-expr", PROBE, "--", str(out)], env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert out.exists(), f"the probe did not run (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    return json.loads(out.read_text())


@pytest.fixture
def user(tmp_path):
    return tmp_path, temporary_home(tmp_path)


def test_install_enable_verify_idempotent_uninstall(user):
    root, env = user
    home = Path(env["HOME"])
    before = addon_state(env, root)
    assert not before["in_preferences"] and before["module_file"] is None
    addons = Path(env["XDG_CONFIG_HOME"]) / "blender" / before["series"] / "scripts" / "addons"

    untouched = tree_snapshot(home)
    dry = bmcp("install-addon", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"would install {Path(__file__).resolve().parents[2] / 'Addon' / 'bmcp_addon'} into {addons / 'bmcp_addon'}" in dry.stdout
    assert tree_snapshot(home) == untouched, "--dry-run changed files in HOME"

    first = bmcp("install-addon", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"installed and enabled in Blender {before['series']}" in first.stdout
    assert "checked by starting it again: BMCP_ADDON_STATE installed=True enabled=True in_preferences=True" in first.stdout
    assert (addons / "bmcp_addon" / "__init__.py").is_file()
    after = addon_state(env, root)
    assert after["in_preferences"] and after["enabled_in_prefs"] and after["loaded"] and after["has_serve"]
    assert Path(after["module_file"]).resolve() == (addons / "bmcp_addon" / "__init__.py").resolve()

    installed_files = {name for name in tree_snapshot(home) if "__pycache__" not in name}
    again = bmcp("install-addon", "--blender", blender_executable(), "--version", before["series"], env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already installed; refreshed and still enabled in" in again.stdout
    assert {name for name in tree_snapshot(home) if "__pycache__" not in name} == installed_files
    assert addon_state(env, root)["loaded"]

    removed = bmcp("install-addon", "--uninstall", env=env)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert "disabled and removed from" in removed.stdout
    assert "BMCP_ADDON_STATE installed=False enabled=False in_preferences=False" in removed.stdout
    assert not (addons / "bmcp_addon").exists()
    gone = addon_state(env, root)
    assert not gone["in_preferences"] and gone["module_file"] is None

    twice = bmcp("install-addon", "--uninstall", env=env)
    assert twice.returncode == 0 and "was not installed in" in twice.stdout, twice.stdout + twice.stderr


def test_unknown_version_or_blender_is_a_clear_error(user):
    root, env = user
    wrong = bmcp("install-addon", "--version", "9.9", env=env)
    assert wrong.returncode != 0
    assert "no Blender found of version 9.9" in wrong.stderr
    missing = bmcp("install-addon", "--blender", str(root / "no-such-blender"), env=env)
    assert missing.returncode != 0
    assert "no Blender found" in missing.stderr and "--blender PATH" in missing.stderr
    assert tree_snapshot(Path(env["HOME"])) == {}
