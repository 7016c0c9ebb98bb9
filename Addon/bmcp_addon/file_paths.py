"""Keeps every path an op reads or writes (file.*, render.preview, render.viewport)
inside one allowed folder, the files root (pure Python, unit-tested). This holds
whether or not code execution is on: switching code off must leave no op that
writes anywhere.

A path is resolved (relative paths against the root, then `..` and symlinks)
before it is compared, so neither `../../etc` nor a symlink pointing out of
the root escapes it.
"""

import os

from .private_files import make_private_dirs
from .registry import OpError


def resolve_under_root(path, root, op_name):
    """The absolute real path `path` names, or path_not_allowed naming the root."""
    root = os.path.realpath(root)
    candidate = path if os.path.isabs(path) else os.path.join(root, path)
    resolved = os.path.realpath(candidate)
    if resolved != root and not resolved.startswith(root + os.sep):
        raise OpError(
            "path_not_allowed",
            f"{op_name}: '{path}' is outside the allowed folder {root} (set BMCP_FILES_ROOT to change it)",
            root=root,
        )
    return resolved


def writable_under_root(path, root, op_name):
    """resolve_under_root for a file about to be written: its folder is made (each
    folder made here 0700, the root too) and it must not name a folder."""
    resolved = resolve_under_root(path, root, op_name)
    if os.path.isdir(resolved):
        raise OpError("bad_params", f"{op_name}: '{path}' is a folder; name the file to write")
    make_private_dirs(os.path.dirname(resolved))
    return resolved


def with_suffix(path, suffix):
    """`path` ending in `suffix` (case-insensitive), appending it if missing."""
    return path if path.lower().endswith(suffix) else path + suffix
