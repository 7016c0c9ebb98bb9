"""Unit tests of the token file rules in settings.py and of private_files.py (no Blender needed)."""

import os
import re
import stat

import pytest

from bmcp_addon import private_files
from bmcp_addon.settings import (
    AddonSettings,
    SettingsError,
    default_token_file,
    ensure_token_file,
    read_token_file,
)


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_default_token_file_location():
    assert default_token_file({"HOME": "/home/u"}) == "/home/u/.config/bmcp/addon.token"
    assert default_token_file({"HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg"}) == "/cfg/bmcp/addon.token"
    # The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
    assert default_token_file({"HOME": "/home/u", "XDG_CONFIG_HOME": "rel"}) == "/home/u/.config/bmcp/addon.token"
    explicit = {"HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg", "BMCP_ADDON_TOKEN_FILE": "/run/t"}
    assert default_token_file(explicit) == "/run/t"
    assert default_token_file({"HOME": "/home/u", "BMCP_ADDON_TOKEN_FILE": "~/t"}) == os.path.expanduser("~/t")


def test_ensure_token_file_creates_a_private_file_once(tmp_path):
    path = tmp_path / "config" / "bmcp" / "addon.token"
    previous = os.umask(0)  # a permissive umask must not leak into the modes
    try:
        token = ensure_token_file(str(path))
    finally:
        os.umask(previous)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # token_urlsafe(32)
    assert path.read_text() == token
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700 and mode_of(path.parent.parent) == 0o700
    assert ensure_token_file(str(path)) == token  # the same token next time
    assert sorted(os.listdir(path.parent)) == ["addon.token"]  # no temporary left behind


def test_ensure_token_file_keeps_an_existing_folder_and_token(tmp_path):
    folder = tmp_path / "bmcp"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    (folder / "addon.token").write_text("mine\n")
    (folder / "addon.token").chmod(0o600)
    assert ensure_token_file(str(folder / "addon.token")) == "mine"
    assert mode_of(folder) == 0o755  # the user's folder, not ours to change


def test_ensure_token_file_does_not_follow_a_planted_symlink(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("chosen-by-someone-else")
    target.chmod(0o600)
    (tmp_path / "addon.token").symlink_to(target)
    with pytest.raises(SettingsError, match="is a symlink, which the addon does not follow"):
        ensure_token_file(str(tmp_path / "addon.token"))


def test_a_token_file_that_cannot_be_made_is_a_settings_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(SettingsError, match=r"cannot create token file .*: Not a directory; set BMCP_ADDON_TOKEN"):
        ensure_token_file(str(blocker / "bmcp" / "addon.token"))


def test_read_token_file_refusals(tmp_path):
    path = tmp_path / "t"
    path.write_text("tok\n")
    path.chmod(0o640)
    with pytest.raises(SettingsError, match=r"has mode 0640, so group or others can read it: run chmod 600"):
        read_token_file(str(path))
    path.chmod(0o400)
    assert read_token_file(str(path)) == "tok"
    path.chmod(0o600)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(SettingsError, match="is not UTF-8 text"):
        read_token_file(str(path))
    path.write_text("x" * 5000)
    with pytest.raises(SettingsError, match="larger than 4096 bytes"):
        read_token_file(str(path))


def test_an_explicit_token_file_may_be_a_symlink(tmp_path):
    # Docker and Kubernetes mount secrets as symlinks; the file behind it is judged.
    real = tmp_path / "real"
    real.write_text("mounted")
    real.chmod(0o600)
    (tmp_path / "link").symlink_to(real)
    assert AddonSettings.from_env(token_file=str(tmp_path / "link"), environ={}).token == "mounted"
    real.chmod(0o644)
    with pytest.raises(SettingsError, match="has mode 0644"):
        AddonSettings.from_env(token_file=str(tmp_path / "link"), environ={})


def test_token_flag_wins_and_both_flags_are_refused(tmp_path):
    path = tmp_path / "t"
    path.write_text("from-file")
    path.chmod(0o600)
    env = {"BMCP_ADDON_TOKEN": "from-env"}
    assert AddonSettings.from_env(token_file=str(path), environ=env).token == "from-file"
    assert AddonSettings.from_env(environ=env).token == "from-env"
    with pytest.raises(SettingsError, match="either --token or --token-file"):
        AddonSettings.from_env(token="t", token_file=str(path), environ=env)


# -- private_files -------------------------------------------------------------------


def test_make_private_dirs_sets_0700_whatever_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        private_files.make_private_dirs(str(tmp_path / "a" / "b" / "c"))
    finally:
        os.umask(previous)
    for folder in ("a", "a/b", "a/b/c"):
        assert mode_of(tmp_path / folder) == 0o700


def fake_blender_write(path):
    """What Blender does when it saves: write `path@`, then rename it onto `path`."""
    with open(path + "@", "w") as stream:
        stream.write("new")
    os.replace(path + "@", path)
    return "done"


def test_blender_writes_replaces_a_planted_symlink_instead_of_writing_through_it(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "out.blend").symlink_to(victim)
    previous = os.umask(0)
    try:
        assert private_files.blender_writes(str(tmp_path / "out.blend"), fake_blender_write) == "done"
    finally:
        os.umask(previous)
    assert victim.read_text() == "keep"
    out = tmp_path / "out.blend"
    assert not out.is_symlink() and out.read_text() == "new"
    assert mode_of(out) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["out.blend", "victim"]


def test_blender_writes_leaves_nothing_when_the_write_fails(tmp_path):
    def failing(path):
        fake_blender_write(path)
        raise RuntimeError("Blender said no")

    with pytest.raises(RuntimeError):
        private_files.blender_writes(str(tmp_path / "x.png"), failing)
    assert os.listdir(tmp_path) == []


def test_side_files_keep_their_names_and_are_private(tmp_path):
    def exporter(path):
        stem = os.path.splitext(path)[0]
        with open(path, "w") as main, open(stem + ".mtl", "w") as side:
            main.write(f"mtllib {os.path.basename(stem)}.mtl\n")
            side.write("newmtl x\n")

    previous = os.umask(0)
    try:
        written = private_files.blender_writes_with_side_files(str(tmp_path / "m.obj"), exporter)
    finally:
        os.umask(previous)
    assert written == [str(tmp_path / "m.obj"), str(tmp_path / "m.mtl")]
    assert (tmp_path / "m.obj").read_text() == "mtllib m.mtl\n"
    assert [mode_of(path) for path in written] == [0o600, 0o600]
    assert sorted(os.listdir(tmp_path)) == ["m.mtl", "m.obj"]  # the staging folder is gone


def test_copy_private_file(tmp_path):
    (tmp_path / "a").write_text("blend")
    (tmp_path / "a").chmod(0o644)
    private_files.copy_private_file(str(tmp_path / "a"), str(tmp_path / "b"))
    assert (tmp_path / "b").read_text() == "blend" and mode_of(tmp_path / "b") == 0o600
    (tmp_path / "link").symlink_to(tmp_path / "a")
    with pytest.raises(OSError):
        private_files.copy_private_file(str(tmp_path / "link"), str(tmp_path / "c"))
    assert not (tmp_path / "c").exists()


def test_temporary_names_are_unique_and_hidden(tmp_path):
    names = {private_files.temporary_name(str(tmp_path / "x.blend")) for _ in range(10)}
    assert len(names) == 10
    assert all(re.fullmatch(r"\.x\.[0-9a-f]{16}\.tmp\.blend", os.path.basename(name)) for name in names)
