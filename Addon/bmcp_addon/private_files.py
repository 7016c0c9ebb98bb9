"""Files and folders only their owner can read (pure Python, no bpy).

Scenes, renders and checkpoints can hold anything the user works on, so every
folder the addon creates is 0700 and every file it writes 0600, set explicitly
(a umask can only take bits away, and the user's may be 000). A file is
written under a unique temporary name in its target folder and renamed into
place, so nobody sees half a file under the real name and a name planted in
advance (a symlink, say) is replaced rather than written through.

Where Blender writes the file itself (save_as_mainfile, render, exporters),
`private_umask()` keeps its temporary files private until they are chmod-ed.
"""

import contextlib
import errno
import os
import secrets
import shutil
import stat
import tempfile
import threading

FOLDER_MODE = 0o700
FILE_MODE = 0o600
# Not on Windows, where these modes barely apply anyway.
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

_umask_lock = threading.Lock()


def make_private_dirs(path):
    """Create `path` and any missing parents, each one created here 0700.

    Folders that already exist are left as they are: they are the user's.
    """
    path = os.path.abspath(path)
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, FOLDER_MODE)
        except FileExistsError:
            if not os.path.isdir(folder):
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), folder) from None
            continue  # made by someone else meanwhile: theirs, not ours to chmod
        os.chmod(folder, FOLDER_MODE)


def temporary_name(final_path):
    """A fresh hidden `.<stem>.<random>.tmp<ext>` next to `final_path`. The extension
    stays last because some Blender writers (screenshots) append their format's own."""
    folder, name = os.path.split(final_path)
    stem, extension = os.path.splitext(name)
    return os.path.join(folder, f".{stem}.{secrets.token_hex(8)}.tmp{extension}")


def _new_private_file(path):
    """A descriptor of a new 0600 file `path` (never an existing one, never through a symlink)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW | O_CLOEXEC, FILE_MODE)
    os.chmod(path, FILE_MODE)  # the umask may have taken the owner's bits
    return descriptor


def create_private_file(path, data):
    """Write bytes to a new 0600 file `path`, durably."""
    with open(_new_private_file(path), "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def read_nofollow(path, limit=None):
    """(the bytes, at most `limit` of them; os.stat_result) of `path`, refusing a
    symlink (OSError ELOOP). The stat describes the file actually read; anything but
    a regular file is not read."""
    descriptor = os.open(path, os.O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):  # a folder cannot even be wrapped in a file object
        os.close(descriptor)
        return b"", info
    with os.fdopen(descriptor, "rb") as stream:
        return stream.read(-1 if limit is None else limit), info


def copy_private_file(source, destination):
    """Copy `source` (not through a symlink) to `destination` as a 0600 file, atomically."""
    temporary = temporary_name(destination)
    try:
        with open(os.open(source, os.O_RDONLY | O_NOFOLLOW | O_CLOEXEC), "rb") as reader:
            with open(_new_private_file(temporary), "wb") as writer:
                shutil.copyfileobj(reader, writer)
        os.replace(temporary, destination)
    except BaseException:
        remove_quietly(temporary)
        raise


def publish(temporary, final_path):
    """Make a file Blender wrote at `temporary` private and give it its real name."""
    os.chmod(temporary, FILE_MODE)
    os.replace(temporary, final_path)


def sync_to_disk(path):
    """fsync `path` and the folder that names it, so the file and its rename survive a machine
    crash (BMCP_DURABILITY=safe)."""
    for target, flags in ((path, os.O_RDONLY), (os.path.dirname(path) or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))):
        descriptor = os.open(target, flags | getattr(os, "O_NOFOLLOW", 0))
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def blender_writes(final_path, write):
    """Have `write(path)` (a Blender call) write one file that ends up at `final_path`,
    0600, or not at all; return what `write` returned.

    Blender writes under a unique temporary name in the same folder (so relative
    paths inside a .blend stay right), then the file is chmod-ed and renamed.
    """
    temporary = temporary_name(final_path)
    try:
        with private_umask():
            result = write(temporary)
        publish(temporary, final_path)
        return result
    finally:
        remove_quietly(temporary)


def blender_writes_with_side_files(final_path, write):
    """Like blender_writes, for writers that add files named after the main one (OBJ's
    .mtl, glTF's .bin): `write` gets `final_path`'s own name inside a fresh 0700 folder
    next to it, so the side files keep their names and references; every file written
    there is then made 0600 and moved beside `final_path`. Returns the final paths,
    the main file first (absent if the writer did not write it)."""
    folder, main = os.path.split(final_path)
    staging = tempfile.mkdtemp(prefix=f".{main}.", suffix=".tmp", dir=folder)
    try:
        with private_umask():
            write(os.path.join(staging, main))
        moved = []
        for name in sorted(os.listdir(staging), key=lambda name: (name != main, name)):
            source = os.path.join(staging, name)
            if os.path.isfile(source) and not os.path.islink(source):
                publish(source, os.path.join(folder, name))
                moved.append(os.path.join(folder, name))
        return moved
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def private_umask():
    """While Blender writes a file itself: its own temporary files (`name@`) are
    created owner-only too. The umask is per process; the network thread, the only
    other thread, creates no files."""
    with _umask_lock:
        previous = os.umask(0o077)
        try:
            yield
        finally:
            os.umask(previous)


def remove_quietly(path):
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
