"""Connect your own Blender, as a new user would: GUI Blender under Xvfb with the addon
installed by `bmcp install-addon` (not put on sys.path), the user's file open with objects
not yet saved, `bmcp up --attach` (bare), and the official MCP client over stdio configured
from what `bmcp up` wrote. The assistant builds something in the user's scene, the user's
objects stay, a viewport screenshot shows the new object, a switch to another session and
back brings the user's unsaved objects back with the same file path and unsaved state, and
the user's file on disk is never written. Screenshots of the panel and the viewport go to
test-artifacts/.

Issue 14's data loss is the first assertion: on the old code the first get_scene_info opened
a fresh startup scene in the user's Blender and the unsaved sphere was gone."""

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

sys.path.insert(0, str(Path(__file__).parent))
from mcp_clients import text_of  # noqa: E402
from resident import bmcp, free_ports, temporary_home  # noqa: E402
from system import REPO, binaries, blender_executable, wait_for  # noqa: E402

ARTIFACTS = Path(os.environ.get("BMCP_TEST_ARTIFACTS", REPO / "test-artifacts"))

# The user at work, typed into Blender's Python console in real life: objects added after the
# last save, so the file on disk does not have them and the title bar says unsaved.
USER_AT_WORK = """
import bpy
def work():
    bpy.ops.mesh.primitive_uv_sphere_add(location=(-3, 0, 1))
    bpy.context.active_object.name = "UserSphere"
    bpy.ops.mesh.primitive_torus_add(location=(3, 0, 1))
    bpy.context.active_object.name = "UserTorus"
    bpy.ops.ed.undo_push(message="user work")
    print("USER_SCENE_READY", bpy.data.filepath, bpy.data.is_dirty, flush=True)
bpy.app.timers.register(work, first_interval=2.0)
"""

OPEN_SIDEBAR = """
for window in bpy.context.window_manager.windows:
    for area in window.screen.areas:
        if area.type == "VIEW_3D":
            area.spaces[0].show_region_ui = True
"""


CALL_PANEL = """
window = bpy.context.window_manager.windows[0]
area = next(area for area in window.screen.areas if area.type == "VIEW_3D")
region = next(region for region in area.regions if region.type == "WINDOW")
with bpy.context.temp_override(window=window, screen=window.screen, area=area, region=region):
    bpy.ops.wm.call_panel(name="BMCP_PT_panel", keep_open=True)
"""


def sha(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


class UserDesk:
    """The user's machine: HOME, the addon installed, their file, their GUI Blender."""

    def __init__(self, root: Path):
        self.root = root
        self.env = temporary_home(root)
        (root / "runtime").chmod(0o700)
        self.env["BMCP_DATA"] = str(root / "data")
        self.env["BMCP_ADDON_PORT"] = str(free_ports(1))
        self.blend = root / "projects" / "living-room.blend"
        self.processes: list[subprocess.Popen] = []

    def install_addon(self):
        done = bmcp("install-addon", "--blender", blender_executable(), env=self.env)
        assert done.returncode == 0, done.stdout + done.stderr

    def make_users_file(self):
        self.blend.parent.mkdir(parents=True)
        code = f"import bpy; bpy.ops.wm.save_as_mainfile(filepath={str(self.blend)!r})"
        subprocess.run([blender_executable(), "-b", "--factory-startup", "--python-expr", code],
                       env=self.env, capture_output=True, timeout=300, check=True)

    def start_blender(self):
        self.blender_log = self.root / "blender.log"
        with open(self.blender_log, "wb") as out:
            self.processes.append(subprocess.Popen(
                ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", blender_executable(), str(self.blend),
                 "--python-expr", USER_AT_WORK],
                env=self.env, cwd=self.root, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True))
        wait_for(lambda: "USER_SCENE_READY" in self.log(), 180, "the user's GUI Blender to start with the addon")
        assert "mode=gui" in self.log(), self.log()

    def log(self) -> str:
        return self.blender_log.read_text(errors="replace") if self.blender_log.exists() else ""

    def up(self) -> str:
        self.up_log = self.root / "bmcp-up.out"
        with open(self.up_log, "wb") as out:
            self.processes.append(subprocess.Popen(
                [str(binaries() / "bmcp"), "up", "--attach", "--no-http"], env=self.env, stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True))
        wait_for(lambda: "Blender MCP v2 is up." in self.up_text() or self.processes[-1].poll() is not None, 120,
                 "bmcp up --attach to say it is up")
        assert "Blender MCP v2 is up." in self.up_text(), self.up_text()
        wait_for(lambda: self.instances(), 60, "the bridge to register the GUI Blender at the broker")
        return self.up_text()

    def instances(self) -> list[dict]:
        done = bmcp("call", "instance.list", "--timeout", "5", env=self.env, timeout=60)
        return json.loads(done.stdout)["instances"] if done.returncode == 0 else []

    def up_text(self) -> str:
        return self.up_log.read_text(errors="replace")

    def client_parameters(self) -> StdioServerParameters:
        entry = json.loads((self.root / "data" / "secrets" / "mcp-clients.json").read_text())["mcpServers"]["blender"]
        return StdioServerParameters(command=entry["command"], args=entry["args"], env={**self.env, **entry["env"]})

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, 15)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, 9)


@pytest.fixture
def desk():
    # Short root: ipc:// socket paths must stay under the 107-byte sun_path limit.
    user = UserDesk(Path(tempfile.mkdtemp(prefix="bmcp-gui-", dir="/tmp")))
    yield user
    user.stop()


async def call(client: ClientSession, tool: str, **arguments) -> str:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, f"{tool}: {text_of(result)}"
    return text_of(result)


async def scene_objects(client: ClientSession) -> set[str]:
    text = await call(client, "get_scene_info")
    assert text.startswith("{"), text
    return {o["name"] for o in json.loads(text.split("\n\nNote:")[0])["objects"]}


async def open_file_state(client: ClientSession) -> tuple[str, bool]:
    # Read before the command's own undo step marks the file changed.
    printed = await call(client, "execute_blender_code",
                         code="print(repr((bpy.data.filepath, bpy.data.is_dirty)))")
    printed = printed.removeprefix("Code executed successfully:").split("\n\nNote:")[0].strip()
    path, dirty = printed.strip("()").rsplit(", ", 1)
    return path.strip("'\""), dirty == "True"


def save_png(content, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    image = next(part for part in content if getattr(part, "type", "") == "image")
    path = ARTIFACTS / name
    path.write_bytes(base64.b64decode(image.data))
    return path


def test_connect_your_own_blender(desk):
    desk.install_addon()
    desk.make_users_file()
    desk.start_blender()
    on_disk = sha(desk.blend)
    # Hidden names are the announcement's temporary file while it is rewritten.
    announced = [path for path in (desk.root / "runtime" / "bmcp" / "addons").glob("*.json") if not path.name.startswith(".")]
    assert len(announced) == 1, announced
    up = desk.up()
    assert f"attached: 127.0.0.1:{desk.env['BMCP_ADDON_PORT']}" in up, up
    assert "0 headless" in up, up

    async def session():
        async with stdio_client(desk.client_parameters()) as (read, write):
            async with ClientSession(read, write) as client:
                await client.initialize()
                # The data loss of issue 14: this call used to replace the user's scene.
                names = await scene_objects(client)
                assert {"UserSphere", "UserTorus", "Cube"} <= names, names
                home = json.loads(await call(client, "list_sessions"))["sessions"]
                assert [s["name"] for s in home] == ["living-room"], home

                await call(client, "create_object", type="cube", name="AssistantTable", location=[0, -3.5, 0.75],
                           scale=[1.6, 0.9, 0.05])
                await call(client, "create_object", type="cylinder", name="AssistantLeg", location=[0, -3.5, 0.35],
                           radius=0.05, depth=0.5)
                names = await scene_objects(client)
                assert {"UserSphere", "UserTorus", "AssistantTable", "AssistantLeg"} <= names, names
                path, dirty = await open_file_state(client)
                assert (path, dirty) == (str(desk.blend), True)

                await call(client, "execute_blender_code", code=OPEN_SIDEBAR)
                shot = await client.call_tool("get_viewport_screenshot", {"max_size": 1024})
                assert not shot.is_error, text_of(shot)
                viewport = save_png(shot.content, "gui-home-viewport.png")
                panel = ARTIFACTS / "gui-home-panel.png"
                # Blender 3.4 has no API to pick the sidebar's tab; the same panel as a popup shows
                # its content beside the "MCP" tab.
                await call(client, "execute_blender_code", code=CALL_PANEL)
                await anyio.sleep(0.5)
                await call(client, "execute_blender_code", code=(
                    "win = bpy.context.window_manager.windows[0]\n"
                    "with bpy.context.temp_override(window=win, screen=win.screen):\n"
                    f"    bpy.ops.screen.screenshot(filepath={str(panel)!r})\n"))
                assert viewport.stat().st_size > 10_000 and panel.stat().st_size > 10_000

                other = json.loads(await call(client, "create_session", name="kitchen study"))["session_id"]
                switched = await call(client, "switch_session", session_id=other)
                checkpoint = json.loads(switched)["user_scene_checkpoint"]
                assert "living-room" not in checkpoint and Path(checkpoint).is_file(), switched
                names = await scene_objects(client)
                assert not names & {"UserSphere", "UserTorus", "AssistantTable"}, names
                await call(client, "create_object", type="monkey", name="KitchenMonkey")
                assert sha(desk.blend) == on_disk, "the user's own file was written"

                home_id = home[0]["session_id"]
                back = json.loads(await call(client, "switch_session", session_id=home_id))
                assert back["loaded"] is True, back
                await anyio.sleep(0.5)
                names = await scene_objects(client)
                assert {"UserSphere", "UserTorus", "AssistantTable", "AssistantLeg"} <= names, names
                assert "KitchenMonkey" not in names and "AssistantTable.001" not in names, names
                assert await open_file_state(client) == (str(desk.blend), True)
        assert sha(desk.blend) == on_disk, "the user's own file was written"

    anyio.run(session)


def test_bare_attach_without_a_gui_blender_says_what_to_do(tmp_path):
    env = temporary_home(tmp_path)
    (tmp_path / "runtime").chmod(0o700)
    env["BMCP_DATA"] = str(tmp_path / "data")
    addons = tmp_path / "runtime" / "bmcp" / "addons"
    addons.mkdir(parents=True, mode=0o700)
    addons.parent.chmod(0o700)
    # A Blender that crashed left its announcement; another file anyone may read is not trusted.
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = addons / f"{dead.pid}.json"
    stale.write_text(json.dumps({"host": "127.0.0.1", "port": 9, "pid": dead.pid}))
    stale.chmod(0o600)
    loose = addons / f"{os.getpid()}.json"
    loose.write_text(json.dumps({"host": "127.0.0.1", "port": 9, "pid": os.getpid()}))
    loose.chmod(0o644)
    done = bmcp("up", "--attach", "--no-http", env=env, timeout=60)
    assert done.returncode != 0
    message = done.stdout + done.stderr
    assert "no GUI Blender with the Blender MCP v2 add-on announced itself in" in message, message
    assert "bmcp install-addon" in message and "--attach HOST:PORT" in message, message
    assert f"{loose}: readable by others (want 0600); skipped" in message, message
    assert not stale.exists(), "a dead Blender's announcement must be cleaned up"
    assert loose.exists()
