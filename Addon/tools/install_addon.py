"""Run inside Blender (blender -b --python install_addon.py -- ACTION ADDON_DIR) by
`bmcp install-addon`: ACTION is install, uninstall or verify. Prints one
BMCP_ADDON_STATE line: whether the addon is installed and enabled in this Blender's
user preferences."""

import os
import shutil
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


def remove_files():
    """What preferences.addon_remove does, minus its UI redraw, which raises in -b (no area):
    delete the package from the user addons folder (never from anywhere else)."""
    user_addons = os.path.realpath(os.path.join(bpy.utils.user_resource('SCRIPTS'), "addons"))
    for module in addon_utils.modules(refresh=False):
        if module.__name__ != MODULE:
            continue
        package = os.path.realpath(os.path.dirname(module.__file__))
        if os.path.dirname(package) == user_addons:
            shutil.rmtree(package)
    addon_utils.modules_refresh()


def state():
    """(installed, enabled): in a user addons folder, and enabled in the preferences with its
    module imported (Blender imports preference-enabled addons at startup, -b included)."""
    installed = any(module.__name__ == MODULE for module in addon_utils.modules(refresh=True))
    enabled_in_prefs, loaded = addon_utils.check(MODULE)
    return installed, bool(enabled_in_prefs and loaded)


def report(tag, installed, enabled):
    module = sys.modules.get(MODULE)
    listed = MODULE in bpy.context.preferences.addons
    print(f"{tag} installed={installed} enabled={enabled} in_preferences={listed} blender={bpy.app.version_string} "
          f"scripts={bpy.utils.user_resource('SCRIPTS')} module={getattr(module, '__file__', None)}")
    sys.stdout.flush()


def main():
    args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    if len(args) != 2 or args[0] not in ("install", "uninstall", "verify"):
        print("BMCP_ADDON_ERROR usage: -- install|uninstall|verify ADDON_DIR")
        sys.exit(2)
    action, addon_dir = args
    before = state()
    report("BMCP_ADDON_BEFORE", *before)
    if action == "install":
        bpy.ops.preferences.addon_install(filepath=build_zip(addon_dir), overwrite=True)
        addon_utils.enable(MODULE, default_set=True, persistent=True)
        bpy.ops.wm.save_userpref()
    elif action == "uninstall":
        if addon_utils.check(MODULE)[0]:
            addon_utils.disable(MODULE, default_set=True)
        if before[0]:
            remove_files()
        if any(before):
            bpy.ops.wm.save_userpref()
    report("BMCP_ADDON_STATE", *state())


main()
