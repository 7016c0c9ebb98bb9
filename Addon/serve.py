"""Headless entry point:

    blender -b --factory-startup --python Addon/serve.py -- --host 127.0.0.1 --port 9876 \
        [--token-file PATH] [--allow-v1]

or, with Blender as a Python module (PyPI's `bpy` wheel), the same flags with no "--":

    python Addon/serve.py --host 127.0.0.1 --port 9876

Flags override the BMCP_ADDON_HOST / BMCP_ADDON_PORT / BMCP_ADDON_TOKEN /
BMCP_ALLOW_V1 environment variables. Listening on anything but loopback needs
a token. Blocks until SIGTERM or SIGINT.
"""

import argparse
import os
import sys


def script_arguments(argv, script):
    """This script's own flags in `argv`. Under Blender, Blender keeps its options before "--"
    and ours come after it (argv[0] is Blender); run by a Python that imports the bpy module,
    argv[0] is this script and every flag after it is ours ("--" is still accepted)."""
    if "--" in argv:
        return argv[argv.index("--") + 1:]
    if argv and os.path.abspath(argv[0]) == os.path.abspath(script):
        return argv[1:]
    return []


def start_coverage(addon_root):
    """ADDON_COVERAGE_DIR=DIR (scripts/test.sh): measure the addon with coverage.py, one data file
    per Blender in DIR, combined after the run. ADDON_COVERAGE_LIB names where coverage.py is
    installed (Blender's own Python does not have it); it goes last on sys.path. Also called by
    Addon/tests/gui_start.py, so GUI Blenders are measured too."""
    folder = os.environ.get("ADDON_COVERAGE_DIR")
    if not folder:
        return None
    library = os.environ.get("ADDON_COVERAGE_LIB")
    if library and library not in sys.path:
        sys.path.append(library)
    import atexit
    import coverage

    # Importing coverage imports multiprocessing, which makes sys.modules["__mp_main__"] the
    # running script's module: under Blender a --python script's own, freed when the script
    # returns, so at exit addon_utils.disable_all() read it and Blender died of SIGSEGV.
    # Nothing here starts processes through multiprocessing: the alias can go.
    if sys.modules.get("__mp_main__") is sys.modules.get("__main__"):
        del sys.modules["__mp_main__"]

    measured = coverage.Coverage(data_file=os.path.join(folder, ".coverage"), data_suffix=True,
                                 source=[os.path.join(addon_root, "bmcp_addon")], concurrency=["thread"])
    measured.start()
    atexit.register(lambda: (measured.stop(), measured.save()))
    return measured


def main():
    parser = argparse.ArgumentParser(prog="blender -b --python Addon/serve.py --")
    parser.add_argument("--host", help="address to listen on (env BMCP_ADDON_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port, 0 picks a free one (env BMCP_ADDON_PORT, default 9876)")
    parser.add_argument(
        "--token",
        help="token clients must prove (env BMCP_ADDON_TOKEN); prefer the env or --token-file: "
        "every user on this machine can read a command line (ps)",
    )
    parser.add_argument(
        "--token-file",
        metavar="PATH",
        help="read the token from PATH, a file readable by its owner only (chmod 600)",
    )
    parser.add_argument(
        "--allow-v1",
        action="store_true",
        default=None,
        help="answer V1 clients (bare JSON, no token) from loopback peers (env BMCP_ALLOW_V1; default off)",
    )
    args = parser.parse_args(script_arguments(sys.argv, __file__))

    addon_root = os.path.dirname(os.path.abspath(__file__))
    measured = start_coverage(addon_root)
    if addon_root not in sys.path:
        sys.path.insert(0, addon_root)
    # First: Blender as a Python module (PyPI's bpy) makes bmesh, mathutils and the other
    # modules Blender has built in importable only once bpy is imported; Blender itself has them
    # from the start, so an addon module importing bmesh before bpy works there and not here.
    import bpy  # noqa: F401
    import bmcp_addon

    bmcp_addon.serve(
        host=args.host, port=args.port, token=args.token, token_file=args.token_file, allow_v1=args.allow_v1
    )
    if measured is not None:  # headless: serve returned at SIGTERM; saved now, not only at exit
        measured.stop()
        measured.save()


# Blender runs a --python script as __main__; gui_start.py imports this file for start_coverage.
if __name__ == "__main__":
    main()
