"""Unit tests of camera_light_compat, the camera_light toolset's version guards (no Blender)."""

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bmcp_addon import camera_light_compat as compat  # noqa: E402


@pytest.mark.parametrize(
    "version, expected",
    [((3, 4, 1), "BLENDER_EEVEE"), ((4, 1, 0), "BLENDER_EEVEE"), ((4, 2, 0), "BLENDER_EEVEE_NEXT"),
     ((4, 5, 3), "BLENDER_EEVEE_NEXT"), ((5, 0, 0), "BLENDER_EEVEE"), ((5, 1, 0), "BLENDER_EEVEE")],
)
def test_eevee_id_by_version_when_blender_lists_nothing(version, expected):
    assert compat.eevee_engine_id(version) == expected


def test_eevee_id_prefers_what_blender_offers():
    # A 4.2-4.5 Blender lists EEVEE_NEXT; a 5.0 one lists only BLENDER_EEVEE.
    assert compat.eevee_engine_id((5, 0, 0), ["BLENDER_EEVEE_NEXT", "CYCLES"]) == "BLENDER_EEVEE_NEXT"
    assert compat.eevee_engine_id((4, 2, 0), ["BLENDER_EEVEE", "CYCLES"]) == "BLENDER_EEVEE"


def test_engine_id_for_every_engine_and_a_missing_one():
    offered = ("BLENDER_EEVEE", "BLENDER_WORKBENCH", "CYCLES")
    assert compat.engine_id((3, 4, 1), "eevee", offered) == "BLENDER_EEVEE"
    assert compat.engine_id((3, 4, 1), "workbench", offered) == "BLENDER_WORKBENCH"
    assert compat.engine_id((3, 4, 1), "cycles", offered) == "CYCLES"
    assert compat.engine_id((4, 3, 0), "eevee", ()) == "BLENDER_EEVEE_NEXT"
    assert compat.engine_id((3, 4, 1), "cycles", ("BLENDER_EEVEE", "BLENDER_WORKBENCH")) is None
    with pytest.raises(ValueError, match="unknown engine 'luxcore'"):
        compat.engine_id((3, 4, 1), "luxcore")


def test_engine_names_map_back():
    assert compat.engine_name("BLENDER_EEVEE_NEXT") == "eevee"
    assert compat.engine_name("BLENDER_EEVEE") == "eevee"
    assert compat.engine_name("CYCLES") == "cycles"
    assert compat.engine_name("OCTANE") == "OCTANE"


def test_enum_items_are_read_from_blenders_refusal():
    message = ("bpy_struct: item.attr = val: enum \"zzz\" not found in ('Standard', 'Filmic', "
               "'Filmic Log', 'Raw', 'False Color')")
    assert compat.enum_items_from_error(message) == ("Standard", "Filmic", "Filmic Log", "Raw", "False Color")
    assert compat.enum_items_from_error("something else") == ()


def test_look_names_of_3x_and_4x_both_match():
    looks_3x = ("None", "Very High Contrast", "High Contrast", "Medium Contrast")
    looks_4x = ("None", "AgX - Punchy", "AgX - High Contrast", "AgX - Base Contrast")
    assert compat.look_identifier(looks_3x, "Filmic", "High Contrast") == "High Contrast"
    assert compat.look_identifier(looks_4x, "AgX", "High Contrast") == "AgX - High Contrast"
    assert compat.look_identifier(looks_4x, "AgX", "agx - punchy") == "AgX - Punchy"
    assert compat.look_identifier(looks_3x, "Filmic", "Filmic - High Contrast") == "High Contrast"
    assert compat.look_identifier(looks_4x, "AgX", "none") == "None"
    assert compat.look_identifier(looks_3x, "Filmic", "Punchy") is None


def test_world_use_nodes_is_needed_before_5():
    assert compat.world_needs_use_nodes((3, 4, 1))
    assert compat.world_needs_use_nodes((4, 5, 0))
    assert not compat.world_needs_use_nodes((5, 0, 0))


def test_world_node_types_are_the_stable_ids():
    assert compat.BACKGROUND_NODE == "ShaderNodeBackground"
    assert compat.ENVIRONMENT_NODE == "ShaderNodeTexEnvironment"
    assert compat.WORLD_OUTPUT_NODE == "ShaderNodeOutputWorld"


@pytest.mark.parametrize(
    "azimuth, elevation, expected",
    [(0, 0, (0, 1, 0)), (90, 0, (1, 0, 0)), (180, 45, (0, -math.sqrt(0.5), math.sqrt(0.5))), (30, 90, (0, 0, 1))],
)
def test_sun_direction(azimuth, elevation, expected):
    assert compat.sun_direction(azimuth, elevation) == pytest.approx(expected, abs=1e-9)


def test_three_point_offsets_put_key_and_fill_in_front_and_rim_behind():
    offsets = compat.three_point_offsets(5.0, 3.0)
    assert set(offsets) == {"Key", "Fill", "Rim"}
    for role in ("Key", "Fill"):
        x, y, _ = offsets[role]
        assert math.hypot(x, y) == pytest.approx(5.0) and y < 0
    assert offsets["Key"][0] > 0 > offsets["Fill"][0]
    assert offsets["Rim"][1] == pytest.approx(5.0)
