"""The MCP tab and its buttons (panel.py, preferences.py) in a GUI Blender under Xvfb.

Blender draws a sidebar tab only while it is the one open, which no API of Blender 3.4 selects,
so the panel's draw() runs here against a layout that writes down what it is asked to show;
the buttons are the real operators, and what they copy is read back from Blender's clipboard."""

import json
import os

import pytest

from conftest import clean_env, gui_command
from wire_clients import FramedClient

# A GUI Blender: not in Blender as a Python module (-m "not gui" there).
pytestmark = pytest.mark.gui

TOKEN = "panel-test-token"

# Runs inside Blender: what draw(self, context) puts on the screen, as [kind, text, icon] rows.
SHOWN = """
import json
from types import SimpleNamespace
import bmcp_addon
from bmcp_addon import panel

class WrittenDown:
    def __init__(self):
        self.rows = []
    def label(self, text="", icon="NONE"):
        self.rows.append(["label", text, icon])
    def prop(self, data, name, text=""):
        self.rows.append(["prop", name, text])
    def operator(self, idname, text="", icon="NONE"):
        self.rows.append(["operator", idname, icon])
    def box(self):
        return self
    def row(self):
        return self

layout = WrittenDown()
DRAWN.draw(SimpleNamespace(layout=layout), bpy.context)
print(json.dumps(layout.rows))
"""


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gui-run")
    os.chmod(folder, 0o700)  # the addon announces itself only in a folder of ours alone
    return folder


@pytest.fixture(scope="module")
def gui(launch_blender, run_folder, tmp_path_factory):
    env = clean_env(BMCP_ADDON_PORT="0", BMCP_ADDON_HOST="127.0.0.1", BMCP_ADDON_TOKEN=TOKEN,
                    BMCP_RUN=str(run_folder), XDG_CONFIG_HOME=str(tmp_path_factory.mktemp("gui-config")))
    blender = launch_blender(gui_command(), env)
    yield blender
    blender.stop()


@pytest.fixture
def client(gui):
    with FramedClient(gui.address) as connection:
        assert connection.hello(token=TOKEN)["mode"] == "gui"
        yield connection


def run(client, code):
    return client.call("code.execute", {"code": code})["result"]


def drawn(client, what):
    return json.loads(run(client, SHOWN.replace("DRAWN", what)))


def clipboard_after(client, operator):
    """[what the operator reported, its outcome, the clipboard afterwards]."""
    code = f"import json\nprint(json.dumps([sorted(bpy.ops.bmcp.{operator}()), bpy.context.window_manager.clipboard]))"
    *reported, outcome = run(client, code).splitlines()  # Blender prints an operator's report
    return [reported, *json.loads(outcome)]


def test_the_panel_shows_address_clients_session_last_commands_and_a_hidden_token(gui, client):
    client.call("scene.info")
    rows = drawn(client, "panel.BMCP_PT_panel")
    host, port = gui.address
    assert rows[0] == ["label", f"Listening on {host}:{port}", "LINKED"]
    assert rows[1] == ["label", "Clients connected: 1", "NONE"]
    assert rows[2] == ["label", "Session: untitled (your scene)", "NONE"]
    assert rows[3] == ["label", "Last commands", "NONE"]
    assert rows[4][0:3:2] == ["label", "CHECKMARK"] and rows[4][1].startswith("scene.info  ok  ")
    assert ["label", "Token: ••••••••", "NONE"] in rows and TOKEN not in json.dumps(rows)
    assert ["operator", "bmcp.copy_token", "COPYDOWN"] in rows
    assert ["prop", "allow_v1", "Allow V1 clients"] in rows
    assert rows[-1] == ["operator", "bmcp.copy_client_config", "COPYDOWN"]


def test_a_failed_command_is_listed_with_its_error_code(client):
    assert client.request("object.info", {"name": "No Such Object"})["type"] == "error"
    rows = drawn(client, "panel.BMCP_PT_panel")
    failed = next(row for row in rows if row[1].startswith("object.info  "))
    assert failed[1].startswith("object.info  not_found  ") and failed[2] == "ERROR"


def test_copy_token_puts_the_token_on_the_clipboard(client):
    assert clipboard_after(client, "copy_token") == [["Info: token copied"], ["FINISHED"], TOKEN]


def test_copy_client_configuration_copies_what_bmcp_up_wrote_else_a_stdio_entry(client, run_folder):
    written = run_folder / "mcp-clients.json"
    written.write_text('{"mcpServers": {"blender": {"command": "/opt/bmcp/mcp-front", "args": []}}}')
    try:
        assert clipboard_after(client, "copy_client_config") == [
            ["Info: MCP client configuration copied"], ["FINISHED"], written.read_text()]
    finally:
        written.unlink()
    _, status, copied = clipboard_after(client, "copy_client_config")
    assert status == ["FINISHED"]
    entry = json.loads(copied)["mcpServers"]["blender"]
    assert os.path.basename(entry["command"]) == "mcp-front" and entry["args"] == []


def test_the_preferences_show_the_v1_switch_and_no_problem_while_serving(client):
    rows = drawn(client, "type(bpy.context.preferences.addons['bmcp_addon'].preferences)")
    assert rows == [["prop", "allow_v1", ""]]
