"""Keeps file.* ops inside one allowed folder (pure Python, unit-tested).

A path is resolved (relative paths against the root, then `..` and symlinks)
before it is compared, so neither `../../etc` nor a symlink pointing out of
the root escapes it.
"""

import os

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


def with_suffix(path, suffix):
    """`path` ending in `suffix` (case-insensitive), appending it if missing."""
    return path if path.lower().endswith(suffix) else path + suffix
