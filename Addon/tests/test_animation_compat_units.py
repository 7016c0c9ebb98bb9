"""Unit tests of animation_compat (pure Python, no Blender)."""

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bmcp_addon import animation_compat as compat  # noqa: E402


@pytest.mark.parametrize(
    "version, legacy, layers, expected",
    [
        ((3, 4, 1), True, False, "legacy"),
        ((4, 2, 0), True, False, "legacy"),
        ((4, 3, 2), True, False, "legacy"),
        # 4.4 keeps action.fcurves as a first-slot proxy, but the slot's channelbag is the truth.
        ((4, 4, 0), True, True, "channelbag"),
        ((4, 5, 1), True, True, "channelbag"),
        # 5.0: action.fcurves is gone.
        ((5, 0, 0), False, True, "channelbag"),
        ((5, 1, 0), False, True, "channelbag"),
        ((3, 6, 0), False, False, "none"),
        # A build with layers before 4.4 (experimental) still reads the legacy list first.
        ((4, 3, 0), True, True, "legacy"),
        ((4, 3, 0), False, True, "channelbag"),
    ],
)
def test_fcurve_access(version, legacy, layers, expected):
    assert compat.fcurve_access(version, legacy, layers) == expected


@pytest.mark.parametrize(
    "subtype, unit, angle",
    [("EULER", "ROTATION", True), ("ANGLE", "ROTATION", True), ("NONE", "ROTATION", True),
     ("TRANSLATION", "LENGTH", False), ("XYZ", "NONE", False), ("QUATERNION", "NONE", False),
     ("FACTOR", "NONE", False)],
)
def test_is_angle(subtype, unit, angle):
    assert compat.is_angle(subtype, unit) is angle


def test_degree_conversion_round_trips():
    assert compat.to_radians(180) == pytest.approx(math.pi)
    assert compat.to_radians([0, 90, 360]) == pytest.approx([0, math.pi / 2, 2 * math.pi])
    assert compat.to_degrees([math.pi]) == pytest.approx([180])


@pytest.mark.parametrize(
    "path, expected",
    [
        ("location", ("", "location", False)),
        ('modifiers["Bevel"].width', ('modifiers["Bevel"]', "width", False)),
        ('constraints["Follow Path"].offset_factor', ('constraints["Follow Path"]', "offset_factor", False)),
        ('["speed"]', ("", "speed", True)),
        ('pose.bones["arm"]["twist"]', ('pose.bones["arm"]', "twist", True)),
        ('key_blocks["Key 1"].value', ('key_blocks["Key 1"]', "value", False)),
        ('["say \\"hi\\""]', ("", 'say "hi"', True)),
        ("location[0]", None),
        ("", None),
        ("1abc", None),
    ],
)
def test_split_data_path(path, expected):
    assert compat.split_data_path(path) == expected


@pytest.mark.parametrize(
    "path, expected",
    [("data.energy", ("data", "energy")), ("data.shape_keys.key_blocks", ("data", "shape_keys.key_blocks")),
     ("location", None), ('modifiers["A.b"].width', None), ("data.", None)],
)
def test_first_step(path, expected):
    assert compat.first_step(path) == expected


@pytest.mark.parametrize(
    "fps, pair",
    [(24, (24, 1.0)), (25.0, (25, 1.0)), (29.97, (30, 1.001)), (23.976, (24, 1.001)), (59.94, (60, 1.001)),
     (12.5, (25, 2.0)), (1, (1, 1.0))],
)
def test_fps_pair(fps, pair):
    whole, base = compat.fps_pair(fps)
    assert (whole, base) == (pair[0], pytest.approx(pair[1]))


def test_fps_pair_of_an_odd_rate_is_still_exact():
    whole, base = compat.fps_pair(1 / 3)
    assert whole / base == pytest.approx(1 / 3)


def test_easing_applies_only_to_dynamic_interpolations():
    assert not compat.easing_applies("LINEAR")
    assert not compat.easing_applies("BEZIER")
    assert not compat.easing_applies("CONSTANT")
    assert compat.easing_applies("BOUNCE")
    assert set(compat.INTERPOLATIONS[3:]) == {i for i in compat.INTERPOLATIONS if compat.easing_applies(i)}


def test_turntable_angles():
    assert compat.turntable_angles(0.5, 2) == pytest.approx((0.5, 0.5 + 4 * math.pi))
    assert compat.turntable_angles(0.0, -1) == pytest.approx((0.0, -2 * math.pi))


def test_frames_match_tolerates_float_noise():
    assert compat.frames_match(24.0, 24.0000001)
    assert not compat.frames_match(24.0, 24.5)
