"""The FileGlobal rewriter (blend_globals.py) on a copy that this Blender itself saved, headless:
the GUI's home scene keeps the user's file path in its checkpoints this way (home_scene.py), and
each Blender version writes its own .blend layout (5.0 changed it), which the GUI tests, on the
Debian Blender only, would not show."""

import json


REMEMBER = """
import json, os
from bmcp_addon.blend_globals import set_remembered_path
folder = {folder!r}
user, copy = os.path.join(folder, "user.blend"), os.path.join(folder, "copy.blend")
bpy.ops.wm.save_as_mainfile(filepath=user)
bpy.data.objects["Cube"].location.x = 3.0
bpy.ops.wm.save_as_mainfile(filepath=copy, copy=True, compress=False)  # as home_scene.py saves
with open(copy, "rb") as handle:
    header = handle.read(17)
set_remembered_path(copy, user)
bpy.ops.wm.read_homefile()
bpy.ops.wm.recover_auto_save(filepath=copy)
print(json.dumps({{"header": header.decode("ascii", "replace"), "filepath": bpy.data.filepath,
                  "x": bpy.data.objects["Cube"].location.x}}))
"""


def test_a_copy_saved_by_this_blender_reopens_with_the_remembered_path(factory_client, tmp_path):
    answer = factory_client.call("code.execute", {"code": REMEMBER.format(folder=str(tmp_path))})
    facts = json.loads(answer["result"].strip().splitlines()[-1])
    assert facts["header"].startswith("BLENDER"), facts
    assert facts["filepath"] == str(tmp_path / "user.blend"), facts
    assert facts["x"] == 3.0
