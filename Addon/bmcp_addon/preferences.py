"""The add-on's preferences panel (GUI mode; uses bpy, so imported by register() only).

Read when a V1 client connects, not at start, so ticking or unticking the box
takes effect for the next connection without restarting Blender.
"""

import bpy

# The add-on's module name: "bmcp_addon", or "bl_ext.<repo>.bmcp_addon" as a 4.2+ extension.
ADDON_NAME = __package__


class BmcpPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_NAME

    allow_v1: bpy.props.BoolProperty(
        name="Allow V1 clients (bare JSON, no token)",
        description=(
            "Answer V1 Blender MCP servers, which cannot present a token, when they connect "
            "from this machine (loopback). Every V1 command can run Python in this Blender"
        ),
        default=False,
    )

    def draw(self, context):
        from . import not_serving_reason

        self.layout.prop(self, "allow_v1")
        reason = not_serving_reason()
        if reason is not None:
            self.layout.label(text=reason, icon="ERROR")


def v1_allowed():
    """The checkbox, or False while the add-on has no preferences entry (e.g. register()
    called by a script rather than enabled in Preferences)."""
    addon = bpy.context.preferences.addons.get(ADDON_NAME)
    preferences = addon.preferences if addon is not None else None
    return bool(getattr(preferences, "allow_v1", False))


def register():
    if not BmcpPreferences.is_registered:
        bpy.utils.register_class(BmcpPreferences)


def unregister():
    if BmcpPreferences.is_registered:
        bpy.utils.unregister_class(BmcpPreferences)
