"""The MCP tab in the 3D view's sidebar, and the status-bar note (GUI only; uses bpy).

Shows what a user needs to trust and connect it: where the addon listens, how many clients
are connected, the current session, the last commands with their status, the token (hidden;
a button copies it) and the V1 switch, and a button that copies the MCP client configuration.
It only reads state the addon keeps anyway (gui_status); drawing happens when Blender redraws.
"""

import json
import os
import shutil

import bpy

from . import preferences

CLIENTS_FILE = "mcp-clients.json"  # written into the run folder by `bmcp up`


def _running():
    from . import running_addon

    return running_addon()


def client_configuration():
    """What `bmcp up` wrote for clients (it knows where mcp-front is), else a stdio entry naming
    mcp-front on PATH; either way a client also needs `bmcp up --attach` running."""
    from .announce import run_folder

    path = os.path.join(run_folder(), CLIENTS_FILE)
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        front = shutil.which("mcp-front") or "mcp-front"
        return json.dumps({"mcpServers": {"blender": {"command": front, "args": []}}}, indent=2)


class _CopyToClipboard:
    """An operator copying what `source()` returns (text, or None and why not) to the clipboard."""

    copied = ""
    source = None

    def execute(self, context):
        text, problem = type(self).source()
        if problem:
            self.report({"WARNING"}, problem)
            return {"CANCELLED"}
        context.window_manager.clipboard = text
        self.report({"INFO"}, f"{self.copied} copied")
        return {"FINISHED"}


def _token():
    running = _running()
    if running is None or not running.settings.token:
        return None, "the addon is not serving, so it has no token"
    return running.settings.token, None


def _copy_operator(class_name, idname, label, description, copied, source):
    return type(class_name, (_CopyToClipboard, bpy.types.Operator), {
        "bl_idname": idname, "bl_label": label, "bl_description": description, "copied": copied,
        "source": staticmethod(source)})


BMCP_OT_copy_client_config = _copy_operator(
    "BMCP_OT_copy_client_config", "bmcp.copy_client_config", "Copy MCP client configuration",
    "Copy the JSON an MCP client (Claude Desktop, Cursor…) needs to reach this Blender",
    "MCP client configuration", lambda: (client_configuration(), None))
BMCP_OT_copy_token = _copy_operator(
    "BMCP_OT_copy_token", "bmcp.copy_token", "Copy token",
    "Copy the addon token (clients prove it; it is never sent over the wire)", "token", _token)


class BMCP_PT_panel(bpy.types.Panel):
    bl_idname = "BMCP_PT_panel"
    bl_label = "Blender MCP"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "MCP"

    def draw(self, context):
        from . import not_serving_reason
        from .server import format_address

        layout = self.layout
        running = _running()
        if running is None:
            layout.label(text=not_serving_reason() or "not serving", icon="ERROR")
        else:
            host, port = running.server.address
            layout.label(text=f"Listening on {format_address(host, port)}", icon="LINKED")
            layout.label(text=f"Clients connected: {running.server.connection_count()}")
            status = running.status
            layout.label(text=f"Session: {running.gui.session_label()}")
            box = layout.box()
            box.label(text="Last commands")
            if not status.recent:
                box.label(text="none yet")
            for line in status.recent:
                icon = "CHECKMARK" if line.status == "ok" else "ERROR"
                box.label(text=f"{line.name}  {line.status}  {line.duration_ms:.0f} ms", icon=icon)
            row = layout.row()
            row.label(text="Token: " + ("••••••••" if running.settings.token else "none"))
            row.operator(BMCP_OT_copy_token.bl_idname, text="", icon="COPYDOWN")
        addon = context.preferences.addons.get(preferences.ADDON_NAME)
        if addon is not None:
            layout.prop(addon.preferences, "allow_v1", text="Allow V1 clients")
        layout.operator(BMCP_OT_copy_client_config.bl_idname, icon="COPYDOWN")


def show_note(text):
    """Set (or with None clear) the status-bar note in every window."""
    for window in bpy.context.window_manager.windows:
        workspace = window.workspace
        if workspace is not None:
            workspace.status_text_set(text)


CLASSES = (BMCP_OT_copy_client_config, BMCP_OT_copy_token, BMCP_PT_panel)


def register():
    for cls in CLASSES:
        if not cls.is_registered:
            bpy.utils.register_class(cls)


def unregister():
    for cls in reversed(CLASSES):
        if cls.is_registered:
            bpy.utils.unregister_class(cls)
