"""GUI Blender under Xvfb: the user's own scene is the home session, announced in the run
folder, put aside before another session's scene is loaded and brought back exactly: same
objects, same file path, same unsaved-changes state, the user's file never written."""

import hashlib
import json
import os
import stat
import time

import pytest

from conftest import clean_env, gui_command
from wire_clients import FramedClient

# A GUI Blender: not in Blender as a Python module (-m "not gui" there).
pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("gui-home")
    made = {name: root / name for name in ("run", "data", "config", "files", "user")}
    for path in made.values():
        path.mkdir(mode=0o700)
    return made


@pytest.fixture(scope="module")
def gui(launch_blender, folders):
    env = clean_env(BMCP_ADDON_PORT="0", XDG_CONFIG_HOME=folders["config"], BMCP_RUN=folders["run"],
                    BMCP_DATA=folders["data"], BMCP_FILES_ROOT=folders["files"])
    blender = launch_blender(gui_command(), env)
    yield blender
    blender.stop()


@pytest.fixture(scope="module")
def client(gui, folders):
    token = (folders["config"] / "bmcp" / "addon.token").read_text()
    connection = FramedClient(gui.address)
    hello = connection.hello(token=token)
    connection.home_session = hello["home_session"]
    yield connection
    connection.close()


def context(folders, session_id, **extra):
    return {"id": session_id, "dir": str(folders["data"] / "sessions" / session_id), **extra}


def answered(connection, op, params=None, session=None):
    answer = connection.request(op, params, session=session)
    assert answer["type"] == "reply", f"{op} failed: {answer}"
    return answer


def object_names(connection, session):
    return {o["name"] for o in answered(connection, "scene.info", session=session)["result"]["objects"]}


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


def wait_for_status(connection, session, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        status = answered(connection, "session.status", session=session)["result"]
        if predicate(status) or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_the_addon_announces_itself_in_the_run_folder(gui, client, folders):
    # Written on the first timer tick (bpy.data is not readable while Blender starts);
    # xvfb-run's pid is not Blender's, so look for the one announcement. It is rewritten
    # through a hidden temporary file, which readers (bmcp up --attach) skip, as here.
    def announcements():
        return [path for path in (folders["run"] / "addons").glob("*.json") if not path.name.startswith(".")]

    deadline = time.monotonic() + 10
    while not (found := announcements()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(found) == 1, found
    path = found[0]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    fields = json.loads(path.read_text())
    assert (fields["host"], fields["port"]) == tuple(gui.address)
    assert fields["mode"] == "gui" and fields["home_session"] == client.home_session
    assert os.path.exists(f"/proc/{fields['pid']}")
    assert path.name == f"{fields['pid']}.json"


def test_switching_away_and_back_keeps_the_users_unsaved_scene(client, folders):
    user_file = folders["user"] / "my-scene.blend"
    # No session: the user at work. Saves the file, then adds a sphere it has not saved.
    answered(client, "code.execute", {"code": f"bpy.ops.wm.save_as_mainfile(filepath={str(user_file)!r})"})
    answered(client, "code.execute", {"code": "bpy.ops.mesh.primitive_uv_sphere_add(location=(3, 0, 0))\n"
                                              "bpy.context.active_object.name = 'UserSphere'"})
    saved = digest(user_file)
    home = context(folders, client.home_session, home=True)
    # The first MCP command adopts the user's scene as it is: nothing loaded, nothing saved.
    first = answered(client, "scene.info", session=home)
    assert "UserSphere" in {o["name"] for o in first["result"]["objects"]}
    assert first["session"]["activated"] is False
    before = wait_for_status(client, home, lambda s: s["file"]["unsaved_changes"])
    assert before["file"] == {"path": str(user_file), "unsaved_changes": True}

    other = answered(client, "scene.info", session=context(folders, "s-other"))
    checkpoint = other["session"]["user_scene_checkpoint"]
    assert checkpoint.startswith(str(folders["data"] / "sessions" / client.home_session / "checkpoints"))
    assert os.path.isfile(checkpoint) and stat.S_IMODE(os.stat(checkpoint).st_mode) == 0o600
    assert "UserSphere" not in {o["name"] for o in other["result"]["objects"]}
    assert digest(user_file) == saved, "the user's own file was written"

    back = answered(client, "scene.info", session=home)
    assert back["session"]["activated"] is True
    assert {"UserSphere", "Cube", "Camera", "Light"} <= {o["name"] for o in back["result"]["objects"]}
    after = wait_for_status(client, home, lambda s: s["file"]["unsaved_changes"])
    assert after["file"] == {"path": str(user_file), "unsaved_changes": True}
    assert after["user_scene"]["checkpoint"] == checkpoint
    assert digest(user_file) == saved, "the user's own file was written"


def test_a_command_is_one_undo_step(client, folders):
    home = context(folders, client.home_session, home=True)
    client.send({"type": "request", "id": "undo-1", "op": "code.execute", "tool": "execute_blender_code",
                 "params": {"code": "bpy.ops.mesh.primitive_cube_add(location=(0, 5, 0))\n"
                                    "bpy.context.active_object.name = 'Assistant'"}, "session": home})
    assert client.receive()["type"] == "reply"
    assert "Assistant" in object_names(client, home)
    # Ctrl-Z: one step back removes the assistant's cube, and only it.
    answered(client, "history.undo", session=home)
    names = object_names(client, home)
    assert "Assistant" not in names and "UserSphere" in names
