"""A GUI addon announces itself while it serves, so `bmcp up --attach` (bare) finds it.

One JSON file per Blender process, `<run folder>/addons/<pid>.json`, 0600 in 0700 folders:
host, port, pid, blender_version, mode, blend_file, home_session, started. Rewritten when the
user's file changes (load/save), removed on unregister and at exit. A file whose pid is dead
(Blender crashed) is stale: `bmcp up` ignores and deletes it.

The run folder is the bus's: `BMCP_RUN`, else `$XDG_RUNTIME_DIR/bmcp`, else `/tmp/bmcp-<uid>`
(the same rule as Shared/ServiceKit/Settings.swift). A folder that is not ours alone is never
written into: an announcement there would tell other users where our Blender listens.

Pure Python apart from what the caller passes in.
"""

import json
import os
import stat
import time

from .private_files import create_private_file, make_private_dirs, publish, remove_quietly, temporary_name

ANNOUNCE_FOLDER = "addons"


class AnnounceError(OSError):
    """The announcement cannot be written; the message says where and why."""


def run_folder(environ=None):
    environ = os.environ if environ is None else environ
    if environ.get("BMCP_RUN"):
        return environ["BMCP_RUN"]
    if environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(environ["XDG_RUNTIME_DIR"], "bmcp")
    return f"/tmp/bmcp-{os.getuid()}"


def _check_private(folder):
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise AnnounceError(f"{folder} is not a plain folder (a symlink?); not announcing there")
    if info.st_uid != os.getuid():
        raise AnnounceError(f"{folder} belongs to uid {info.st_uid}, not to us; not announcing there")
    if info.st_mode & 0o077:
        raise AnnounceError(f"{folder} is open to others (mode {stat.S_IMODE(info.st_mode):o}); "
                            "make it 0700 or set BMCP_RUN to a private folder")


def announcement_path(environ=None, pid=None):
    return os.path.join(run_folder(environ), ANNOUNCE_FOLDER, f"{pid or os.getpid()}.json")


def write_announcement(fields, environ=None):
    """Write (or replace) this process's announcement; -> its path. Raises AnnounceError."""
    path = announcement_path(environ, fields.get("pid"))
    folder = os.path.dirname(path)
    try:
        make_private_dirs(folder)
        _check_private(os.path.dirname(folder))
        _check_private(folder)
        temporary = temporary_name(path)
        try:
            create_private_file(temporary, json.dumps(fields, sort_keys=True).encode())
            publish(temporary, path)
        finally:
            remove_quietly(temporary)
    except AnnounceError:
        raise
    except OSError as exc:
        raise AnnounceError(f"cannot write the addon's announcement {path}: {exc.strerror or exc}") from None
    return path


def remove_announcement(environ=None, pid=None):
    remove_quietly(announcement_path(environ, pid))


def announcement_fields(host, port, blender_version, mode, blend_file, home_session, pid=None):
    return {
        "host": host, "port": port, "pid": pid or os.getpid(), "blender_version": blender_version,
        "mode": mode, "blend_file": blend_file or None, "home_session": home_session, "started": time.time(),
    }


