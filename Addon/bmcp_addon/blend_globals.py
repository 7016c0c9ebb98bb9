"""Rewrites the file path a .blend file remembers in its FileGlobal block (pure Python).

Why: Blender restores the path a file was saved *from* only when it reads a recovery file
(`wm.recover_auto_save`), and it writes that path only into its own autosaves. A checkpoint
of the user's scene is saved as a copy (the user's file is never written), so its FileGlobal
has no path; writing the user's path into the copy lets `recover_auto_save` reopen it with
the user's path, so Ctrl-S saves where it always did.

Only uncompressed files are handled, in either layout (blend_layout): the classic one that
Blender up to 4.5 writes (12-byte header `BLENDER` + `_`/`-` + `v`/`V` + version; blocks of
code, length, old address, SDNA index, count) and the one of Blender 5.0 on (17-byte header
`BLENDER17-01v0500`; blocks of code, SDNA index, old address, 64-bit length and count).
Anything else raises BlendLayoutError naming what it found, and the caller restores the scene
without its path.
"""

import struct


class BlendLayoutError(ValueError):
    """The file is not a .blend whose FileGlobal this module can rewrite."""


PATH_FIELDS = (b"filepath[1024]", b"filename[1024]")  # the name changed in Blender 3.x


def _align4(offset):
    return (offset + 3) & ~3


def _read_sdna(data, endian):
    """(names, types, lengths, structs) of a DNA1 block's body."""
    if data[:4] != b"SDNA" or data[4:8] != b"NAME":
        raise BlendLayoutError("DNA1 block does not start with SDNA/NAME")
    offset = 8

    def strings(offset):
        (count,) = struct.unpack_from(endian + "i", data, offset)
        offset += 4
        found = []
        for _ in range(count):
            end = data.index(b"\0", offset)
            found.append(data[offset:end])
            offset = end + 1
        return found, _align4(offset)

    names, offset = strings(offset)
    if data[offset:offset + 4] != b"TYPE":
        raise BlendLayoutError("SDNA has no TYPE section")
    types, offset = strings(offset + 4)
    if data[offset:offset + 4] != b"TLEN":
        raise BlendLayoutError("SDNA has no TLEN section")
    lengths = list(struct.unpack_from(endian + f"{len(types)}h", data, offset + 4))
    offset = _align4(offset + 4 + 2 * len(types))
    if data[offset:offset + 4] != b"STRC":
        raise BlendLayoutError("SDNA has no STRC section")
    (count,) = struct.unpack_from(endian + "i", data, offset + 4)
    offset += 8
    structs = []
    for _ in range(count):
        type_index, field_count = struct.unpack_from(endian + "hh", data, offset)
        offset += 4
        fields = struct.unpack_from(endian + f"{2 * field_count}h", data, offset)
        offset += 4 * field_count
        structs.append((type_index, [(fields[i], fields[i + 1]) for i in range(0, len(fields), 2)]))
    return names, types, lengths, structs


def _field_size(name, type_length, pointer_size):
    if name.startswith(b"*") or name.startswith(b"(*"):
        size = pointer_size
    else:
        size = type_length
    for dimension in name.split(b"[")[1:]:
        size *= int(dimension.rstrip(b"]"))
    return size


def path_field_offset(names, types, lengths, structs, pointer_size):
    for type_index, fields in structs:
        if types[type_index] != b"FileGlobal":
            continue
        offset = 0
        for field_type, field_name in fields:
            name = names[field_name]
            if name in PATH_FIELDS:
                return offset, 1024
            offset += _field_size(name, lengths[field_type], pointer_size)
        raise BlendLayoutError("FileGlobal has no filepath field")
    raise BlendLayoutError("the SDNA has no FileGlobal struct")


class BlendLayout:
    """How a .blend's blocks are laid out: where the first block starts, the pointer size, the
    byte order and the block header (unpacked to code, length, old, sdna, count)."""

    def __init__(self, header_size, pointer_size, endian, head_format, order):
        self.header_size = header_size
        self.pointer_size = pointer_size
        self.endian = endian
        self.head = struct.Struct(endian + head_format)
        self._order = order  # the index of code, length, old, sdna, count in the unpacked tuple

    def block_head(self, data, offset):
        """(code, length, old, sdna, count) of the block header at `offset`."""
        fields = self.head.unpack_from(data, offset)
        return tuple(fields[index] for index in self._order)


def blend_layout(header):
    """The BlendLayout of a file starting with the bytes `header` (17 or more are read).

    Up to Blender 4.5: `BLENDER` + pointer size (`_` 4, `-` 8) + byte order (`v` little, `V` big)
    + 3-digit version, then blocks of (code, int length, pointer old, int sdna, int count).
    From 5.0: `BLENDER` + 2-digit header size (17) + `-` (8-byte pointers) + 2-digit format
    version (01) + `v`/`V` + 4-digit version, then blocks of (code, int sdna, uint64 old,
    int64 length, int64 count)."""
    if not header.startswith(b"BLENDER"):
        raise BlendLayoutError(f"unknown header {header[:17]!r} (compressed, or not a .blend)")
    if header[7:8] in (b"_", b"-") and header[8:9] in (b"v", b"V") and header[9:12].isdigit():
        pointer_size = 4 if header[7:8] == b"_" else 8
        endian = "<" if header[8:9] == b"v" else ">"
        return BlendLayout(12, pointer_size, endian, "4si" + ("I" if pointer_size == 4 else "Q") + "ii", (0, 1, 2, 3, 4))
    if (header[7:9] == b"17" and header[9:10] == b"-" and header[10:12] == b"01" and header[12:13] in (b"v", b"V")
            and header[13:17].isdigit()):
        endian = "<" if header[12:13] == b"v" else ">"
        return BlendLayout(17, 8, endian, "4siQqq", (0, 3, 2, 1, 4))
    raise BlendLayoutError(f"unknown header {header[:17]!r} (a newer .blend layout)")


def set_remembered_path(blend_path, remembered):
    """Write `remembered` into the FileGlobal of the uncompressed .blend at `blend_path`."""
    with open(blend_path, "r+b") as handle:
        data = handle.read()
        try:
            layout = blend_layout(data[:17])
        except BlendLayoutError as exc:
            raise BlendLayoutError(f"{blend_path}: {exc}") from None
        offset = layout.header_size
        glob = dna = None
        while offset + layout.head.size <= len(data):
            code, length, _old, _sdna, _count = layout.block_head(data, offset)
            body = offset + layout.head.size
            if code == b"GLOB":
                glob = (body, length)
            elif code == b"DNA1":
                dna = data[body:body + length]
            elif code == b"ENDB":
                break
            offset = body + length
        if glob is None or dna is None:
            raise BlendLayoutError(f"{blend_path}: no GLOB or DNA1 block")
        field, size = path_field_offset(*_read_sdna(dna, layout.endian), layout.pointer_size)
        encoded = remembered.encode("utf-8")
        if len(encoded) >= size or field + size > glob[1]:
            raise BlendLayoutError(f"path of {len(encoded)} bytes does not fit FileGlobal's {size}")
        handle.seek(glob[0] + field)
        handle.write(encoded + b"\0" * (size - len(encoded)))
