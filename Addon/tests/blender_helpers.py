"""What the toolset tests share beside conftest's fixtures: a module's headless Blender with
its own files root, and reading values back from the scene by running Python in it."""

import json

import pytest

from conftest import clean_env, headless_command


def addon_with_files_root(root_name):
    """(files_root, addon, client) fixtures for a test module: one headless Blender for the
    module whose files root is a fresh temporary folder named after `root_name`. Assign them
    at module level: `files_root, addon, client = addon_with_files_root("nodes-files")`."""

    @pytest.fixture(scope="module")
    def files_root(tmp_path_factory):
        return tmp_path_factory.mktemp(root_name)

    @pytest.fixture(scope="module")
    def addon(launch_blender, files_root):
        process = launch_blender(headless_command("--port", "0"), clean_env(BMCP_FILES_ROOT=str(files_root)))
        yield process
        process.stop()

    @pytest.fixture
    def client(factory_client):
        return factory_client

    return files_root, addon, client


def printed(client, code):
    """What the code prints in Blender, stripped."""
    return client.call("code.execute", {"code": code})["result"].strip()


def printed_json(client, code):
    """What the code prints in Blender, parsed as JSON."""
    return json.loads(client.call("code.execute", {"code": code})["result"])


def expression_json(client, expression):
    """The value of a Python expression evaluated in Blender (through JSON)."""
    return printed_json(client, f"import json\nprint(json.dumps({expression}))")
