"""Every file an op writes stays under the files root, with code execution on or off,
and every folder the addon makes is 0700 and every file it writes 0600, whatever the umask."""

import os
import stat

import pytest

from conftest import clean_env, error_of, headless_command
from wire_clients import FramedClient

# op, the param naming the file, the other params, the suffix the op adds
WRITERS = [
    ("render.preview", "filepath", {"max_size": 16}, ""),
    ("file.save", "path", {}, ".blend"),
    ("file.export", "path", {"format": "obj"}, ".obj"),
]


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def with_umask_000(command):
    """The command run under umask 000: modes must not depend on the umask."""
    return ["sh", "-c", 'umask 000 && exec "$@"', "sh", *command]


@pytest.fixture(scope="module", params=["1", "0"], ids=["code-on", "code-off"])
def layout(request, tmp_path_factory):
    """Folders of one Blender: the files root (not made yet), BMCP_DATA, and one outside both."""
    base = tmp_path_factory.mktemp(f"confined-code{request.param}")
    (base / "outside").mkdir()
    return {"allow_code": request.param, "base": base, "root": base / "files", "data": base / "data",
            "outside": base / "outside"}


@pytest.fixture(scope="module")
def addon(launch_blender, layout):
    env = clean_env(BMCP_FILES_ROOT=str(layout["root"]), BMCP_DATA=str(layout["data"]),
                    BMCP_ALLOW_CODE=layout["allow_code"])
    blender = launch_blender(with_umask_000(headless_command("--port", "0")), env)
    yield blender
    blender.stop()


@pytest.fixture
def client(addon):
    with FramedClient(addon.address) as connection:
        assert connection.hello()["type"] == "hello"
        yield connection


def assert_nothing_escaped(layout):
    assert os.listdir(layout["outside"]) == []
    assert sorted(os.listdir(layout["base"])) in (["outside"], ["files", "outside"], ["data", "files", "outside"])


def hidden_files(root):
    return [os.path.join(folder, name) for folder, dirs, files in os.walk(root) for name in dirs + files
            if name.startswith(".")]


def test_what_the_addon_writes_is_private(client, layout):
    root = layout["root"]
    assert not root.exists()
    saved = client.call("file.save", {"path": "deep/er/scene"})["path"]
    assert saved == str(root / "deep" / "er" / "scene.blend")
    for folder in (root, root / "deep", root / "deep" / "er"):
        assert mode_of(folder) == 0o700, folder
    assert mode_of(saved) == 0o600
    client.call("file.save", {"path": "deep/er/scene"})  # over an existing file
    assert sorted(os.listdir(root / "deep" / "er")) == ["scene.blend"]  # no .blend1, no temporary
    exported = client.call("file.export", {"path": "exports/model", "format": "obj"})
    assert [os.path.basename(f["path"]) for f in exported["files"]] == ["model.obj", "model.mtl"]
    assert "mtllib model.mtl" in (root / "exports" / "model.obj").read_text()
    preview = client.call("render.preview", {"filepath": str(root / "renders" / "p.png"), "max_size": 16})
    for path in (root / "exports" / "model.obj", root / "exports" / "model.mtl", preview["filepath"]):
        assert mode_of(path) == 0o600, path
    for folder in (root / "exports", root / "renders"):
        assert mode_of(folder) == 0o700, folder
    assert hidden_files(root) == []  # every temporary file and staging folder is gone


def test_checkpoints_are_private(client, layout):
    session_dir = layout["data"] / "sessions" / "s-private"
    session = {"id": "s-private", "dir": str(session_dir)}
    assert client.request("object.rename", {"name": "Camera", "new_name": "Box"}, session=session)["type"] == "reply"
    answer = client.request("session.checkpoint", session=session)
    path = answer["result"]["path"]
    for folder in (layout["data"], layout["data"] / "sessions", session_dir, session_dir / "checkpoints"):
        assert mode_of(folder) == 0o700, folder
    assert mode_of(path) == 0o600
    assert os.listdir(session_dir / "checkpoints") == [os.path.basename(path)]
    client.request("session.release", session=session)


@pytest.mark.parametrize("op, param, extra, suffix", WRITERS)
@pytest.mark.parametrize("escape", ["dotdot", "absolute", "symlink"])
def test_no_write_leaves_the_files_root(client, layout, op, param, extra, suffix, escape):
    root = layout["root"]
    if not root.exists():
        client.call("file.save", {"path": "first"})  # the addon makes the root
    link = root / "link"
    if not link.is_symlink():
        link.symlink_to(layout["outside"])
    path = {
        "dotdot": "../escape.png",
        "absolute": str(layout["outside"] / "absolute.png"),
        "symlink": "link/through.png",
    }[escape]
    error = error_of(client.request(op, {param: path, **extra}))
    assert error["code"] == "path_not_allowed"
    assert error["message"] == (
        f"{op}: '{path}{'' if path.endswith(suffix) else suffix}' is outside the allowed folder "
        f"{root} (set BMCP_FILES_ROOT to change it)"
    )
    assert_nothing_escaped(layout)


def test_code_switch_is_as_configured(client, layout):
    answer = client.request("code.execute", {"code": "print(1)"})
    assert (answer["type"] == "reply") == (layout["allow_code"] == "1"), answer
