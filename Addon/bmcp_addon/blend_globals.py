"""Rewrites the file path a .blend file remembers in its FileGlobal block (pure Python).

Why: Blender restores the path a file was saved *from* only when it reads a recovery file
(`wm.recover_auto_save`), and it writes that path only into its own autosaves. A checkpoint
of the user's scene is saved as a copy (the user's file is never written), so its FileGlobal
has no path; writing the user's path into the copy lets `recover_auto_save` reopen it with
the user's path, so Ctrl-S saves where it always did.

Only uncompressed files in the classic layout (header `BLENDER` + `_`/`-` + `v`/`V` + version,
blocks of code, length, old address, SDNA index, count) are handled; anything else raises
BlendLayoutError naming what it found, and the caller restores the scene without its path.
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


def set_remembered_path(blend_path, remembered):
    """Write `remembered` into the FileGlobal of the uncompressed .blend at `blend_path`."""
    with open(blend_path, "r+b") as handle:
        data = handle.read()
        header = data[:12]
        if not header.startswith(b"BLENDER") or header[7:8] not in (b"_", b"-") or header[8:9] not in (b"v", b"V"):
            raise BlendLayoutError(f"{blend_path}: unknown header {header[:17]!r} (compressed, or a newer layout)")
        pointer_size = 4 if header[7:8] == b"_" else 8
        endian = "<" if header[8:9] == b"v" else ">"
        head = struct.Struct(endian + "4si" + ("I" if pointer_size == 4 else "Q") + "ii")
        offset = 12
        glob = dna = None
        while offset + head.size <= len(data):
            code, length, _old, _sdna, _count = head.unpack_from(data, offset)
            body = offset + head.size
            if code == b"GLOB":
                glob = (body, length)
            elif code == b"DNA1":
                dna = data[body:body + length]
            elif code == b"ENDB":
                break
            offset = body + length
        if glob is None or dna is None:
            raise BlendLayoutError(f"{blend_path}: no GLOB or DNA1 block")
        field, size = path_field_offset(*_read_sdna(dna, endian), pointer_size)
        encoded = remembered.encode("utf-8")
        if len(encoded) >= size or field + size > glob[1]:
            raise BlendLayoutError(f"path of {len(encoded)} bytes does not fit FileGlobal's {size}")
        handle.seek(glob[0] + field)
        handle.write(encoded + b"\0" * (size - len(encoded)))
