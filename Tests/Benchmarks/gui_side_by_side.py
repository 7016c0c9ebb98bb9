"""Started by bench_gui as `blender --python gui_side_by_side.py` under Xvfb: one GUI Blender
with our addon enabled as a user would (Preferences > Add-ons, see Addon/tests/gui_start.py)
and, when BMCP_PEER_ADDON names it, the addon bundled with mcp-for-blender beside it, its
server started on 127.0.0.1:BMCP_PEER_PORT (never its default 9876, never auto-started)."""

import importlib.util
import os
import sys

import addon_utils
import bpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "Addon"))
if addon_utils.enable("bmcp_addon", default_set=True) is None:
    print("gui_side_by_side: enabling bmcp_addon failed", flush=True)

PEER = os.environ.get("BMCP_PEER_ADDON")
if PEER:
    spec = importlib.util.spec_from_file_location("blendermcp_peer", PEER)
    peer = importlib.util.module_from_spec(spec)
    sys.modules["blendermcp_peer"] = peer
    spec.loader.exec_module(peer)
    peer._user_stopped_server = True  # its auto-start would take port 9876 on all of localhost
    peer.register()

    def start_peer():
        bpy.context.scene.blendermcp_auto_start_server = False
        port = int(os.environ["BMCP_PEER_PORT"])
        server = peer.BlenderMCPServer(host="127.0.0.1", port=port)
        server.start()
        bpy.types.blendermcp_server = server
        print(f"PEER_READY 127.0.0.1:{port}", flush=True)
        return None

    bpy.app.timers.register(start_peer, first_interval=1.0)
