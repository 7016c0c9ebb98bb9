"""Run inside Blender (blender -b --python install_addon.py -- ACTION ADDON_DIR) by
`bmcp install-addon`: ACTION is install, uninstall or verify. Prints one
BMCP_ADDON_STATE line: whether the addon is installed and enabled in this Blender's
user preferences."""

import os
import sys
import tempfile
import zipfile

import addon_utils
import bpy

MODULE = "bmcp_addon"


def build_zip(addon_dir):
    """The installable zip: the package folder at the top of the archive."""
    package = os.path.join(addon_dir, MODULE)
    path = os.path.join(tempfile.mkdtemp(prefix="bmcp-addon-"), MODULE + ".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, dirs, files in os.walk(package):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                if name.endswith(".pyc"):
                    continue
                full = os.path.join(root, name)
                archive.write(full, os.path.relpath(full, addon_dir))
    return path


def state():
    installed = any(module.__name__ == MODULE for module in addon_utils.modules(refresh=True))
    loaded_default, loaded_state = addon_utils.check(MODULE)
    return installed, bool(loaded_default)


def main():
    args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    if len(args) != 2 or args[0] not in ("install", "uninstall", "verify"):
        print("BMCP_ADDON_ERROR usage: -- install|uninstall|verify ADDON_DIR")
        sys.exit(2)
    action, addon_dir = args
    if action == "install":
        bpy.ops.preferences.addon_install(filepath=build_zip(addon_dir), overwrite=True)
        addon_utils.enable(MODULE, default_set=True, persistent=True)
        bpy.ops.wm.save_userpref()
    elif action == "uninstall":
        if state()[1]:
            addon_utils.disable(MODULE, default_set=True)
        if state()[0]:
            bpy.ops.preferences.addon_remove(module=MODULE)
        bpy.ops.wm.save_userpref()
    installed, enabled = state()
    print(f"BMCP_ADDON_STATE installed={installed} enabled={enabled} blender={bpy.app.version_string} "
          f"scripts={bpy.utils.user_resource('SCRIPTS')}")
    sys.stdout.flush()


main()
