"""Unit tests of the GUI's pure-Python parts: the announcement, the panel's command list and
status-bar note, and the FileGlobal rewriter on made-up files of both .blend layouts and its
refusals (no Blender needed; the rewriter on files a real Blender wrote is tested headless in
test_blend_globals.py and in the GUI in test_gui_home.py)."""

import json
import os
import stat
import struct
import time

import pytest

from bmcp_addon import announce
from bmcp_addon.blend_globals import BlendLayoutError, blend_layout, set_remembered_path
from bmcp_addon.gui_status import GuiStatus


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_run_folder_follows_the_bus_rule():
    assert announce.run_folder({"BMCP_RUN": "/r", "XDG_RUNTIME_DIR": "/x"}) == "/r"
    assert announce.run_folder({"XDG_RUNTIME_DIR": "/x"}) == "/x/bmcp"
    assert announce.run_folder({}) == f"/tmp/bmcp-{os.getuid()}"


def test_announcement_is_private_replaced_and_removed(tmp_path):
    run = tmp_path / "run"
    env = {"BMCP_RUN": str(run)}
    fields = announce.announcement_fields("127.0.0.1", 9876, "3.4.1", "gui", "/u/a.blend", "home-h-1", pid=4242)
    path = announce.write_announcement(fields, env)
    assert path == str(run / "addons" / "4242.json")
    assert mode_of(path) == 0o600 and mode_of(run / "addons") == 0o700 and mode_of(run) == 0o700
    assert json.loads(open(path).read())["port"] == 9876
    fields["blend_file"] = "/u/b.blend"
    announce.write_announcement(fields, env)
    assert json.loads(open(path).read())["blend_file"] == "/u/b.blend"
    assert os.listdir(run / "addons") == ["4242.json"]  # no temporary file left behind
    announce.remove_announcement(env, pid=4242)
    assert not os.path.exists(path)
    announce.remove_announcement(env, pid=4242)  # twice is fine


def test_a_run_folder_others_can_enter_is_refused(tmp_path):
    run = tmp_path / "open"
    run.mkdir(mode=0o755)
    run.chmod(0o755)
    fields = announce.announcement_fields("127.0.0.1", 1, "3.4.1", "gui", None, "home-h-1", pid=1)
    with pytest.raises(announce.AnnounceError, match=r"open to others \(mode 755\)"):
        announce.write_announcement(fields, {"BMCP_RUN": str(run)})
    assert not (run / "addons" / "1.json").exists()


def test_a_symlinked_addons_folder_is_refused(tmp_path):
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (run / "addons").symlink_to(elsewhere)
    fields = announce.announcement_fields("127.0.0.1", 1, "3.4.1", "gui", None, "home-h-1", pid=1)
    with pytest.raises(announce.AnnounceError, match="not a plain folder"):
        announce.write_announcement(fields, {"BMCP_RUN": str(run)})
    assert os.listdir(elsewhere) == []


def test_status_keeps_the_last_commands_newest_first():
    status = GuiStatus(keep=3, note_quiet=10)
    for index in range(5):
        status.started(f"tool{index}", "home-h-1")
        status.finished(f"tool{index}", "ok" if index % 2 == 0 else "not_found", index)
    assert [line.name for line in status.recent] == ["tool4", "tool3", "tool2"]
    assert [line.status for line in status.recent] == ["ok", "not_found", "ok"]
    assert status.current_session == "home-h-1"


def test_the_status_bar_note_is_set_once_per_burst_and_cleared_after():
    status = GuiStatus(keep=3, note_quiet=0.05)
    assert status.note_wanted() == (None, False)
    status.started("create_object", None)
    assert status.note_wanted() == ("MCP: running create_object…", True)
    status.started("get_scene_info", None)  # same burst: the note stays, no redraw for it
    assert status.note_wanted() == ("MCP: running create_object…", False)
    time.sleep(0.08)
    assert status.note_wanted() == (None, True)
    assert status.note_wanted() == (None, False)


def test_a_bad_setting_names_itself(monkeypatch):
    monkeypatch.setenv("BMCP_GUI_NOTE_QUIET", "soon")
    with pytest.raises(ValueError, match="BMCP_GUI_NOTE_QUIET must be a number, got 'soon'"):
        GuiStatus()


@pytest.mark.parametrize("content, reason", [
    (b"not a blend file at all", "unknown header"),
    (b"\x28\xb5\x2f\xfd" + b"\0" * 40, "unknown header"),  # zstd: a compressed .blend
    (b"BLENDER-v304" + b"ENDB" + b"\0" * 24, "no GLOB or DNA1 block"),
    (b"BLENDER17-01v0500" + b"ENDB" + b"\0" * 28, "no GLOB or DNA1 block"),
    (b"BLENDER19-02v0600" + b"\0" * 40, "newer .blend layout"),
])
def test_the_path_rewriter_refuses_what_it_cannot_read(tmp_path, content, reason):
    path = tmp_path / "x.blend"
    path.write_bytes(content)
    with pytest.raises(BlendLayoutError, match=reason):
        set_remembered_path(str(path), "/home/u/scene.blend")
    assert path.read_bytes() == content


@pytest.mark.parametrize("header, expected", [
    (b"BLENDER-v304REND", (12, 8, "<", 24)),   # Blender 3.4, 64-bit
    (b"BLENDER-v405REND", (12, 8, "<", 24)),   # Blender 4.5
    (b"BLENDER_V279REND", (12, 4, ">", 20)),   # 32-bit, big-endian
    (b"BLENDER17-01v0500", (17, 8, "<", 32)),  # Blender 5.0
    (b"BLENDER17-01V0501", (17, 8, ">", 32)),
])
def test_the_blend_layout_follows_the_header(header, expected):
    layout = blend_layout(header)
    assert (layout.header_size, layout.pointer_size, layout.endian, layout.head.size) == expected


def made_up_blend(header, path_field_size=1024):
    """A minimal uncompressed .blend with `header`'s layout: a GLOB block whose FileGlobal
    (char subvstr[4]; short subversion; char filepath[N]) has no path, its DNA1 and ENDB."""
    layout = blend_layout(header)
    e = layout.endian

    def strings(tag, items):
        body = tag + struct.pack(e + "i", len(items)) + b"".join(item + b"\0" for item in items)
        return body + b"\0" * (-len(body) % 4)

    lengths = struct.pack(e + "3h", 1, 2, 6 + path_field_size)
    lengths += b"\0" * (-len(lengths) % 4)
    dna = (b"SDNA" + strings(b"NAME", [b"subvstr[4]", b"subversion", b"filepath[%d]" % path_field_size])
           + strings(b"TYPE", [b"char", b"short", b"FileGlobal"]) + b"TLEN" + lengths
           + b"STRC" + struct.pack(e + "i", 1) + struct.pack(e + "8h", 2, 3, 0, 0, 1, 1, 0, 2))
    glob = b"v304" + struct.pack(e + "h", 1) + b"\0" * path_field_size

    def block(code, body):
        if layout.header_size == 12:
            head = struct.pack(e + "4si" + ("I" if layout.pointer_size == 4 else "Q") + "ii", code, len(body), 1, 0, 1)
        else:
            head = struct.pack(e + "4siQqq", code, 0, 1, len(body), 1)
        return head + body

    return header + block(b"GLOB", glob) + block(b"DNA1", dna) + block(b"ENDB", b""), len(header) + layout.head.size + 6


@pytest.mark.parametrize("header", [b"BLENDER-v304", b"BLENDER_V279", b"BLENDER17-01v0500", b"BLENDER17-01V0500"])
def test_the_path_rewriter_writes_the_path_into_file_global_in_both_layouts(tmp_path, header):
    content, field = made_up_blend(header)
    path = tmp_path / "x.blend"
    path.write_bytes(content)
    set_remembered_path(str(path), "/home/u/scene.blend")
    written = path.read_bytes()
    assert len(written) == len(content)
    assert written[field:field + 1024] == b"/home/u/scene.blend".ljust(1024, b"\0")
    assert written[:field] == content[:field] and written[field + 1024:] == content[field + 1024:]
