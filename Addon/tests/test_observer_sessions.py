"""An observer's session context (`observe: true`, log-writer's snapshots) reads the resident
session only: it never loads a session, so a look queued behind session.release cannot bring
back a session that was just released or closed."""

from conftest import error_of


def context(tmp_path, session_id, **extra):
    return {"id": session_id, "dir": str(tmp_path / "sessions" / session_id), **extra}


def test_observer_does_not_load_a_session_that_is_not_resident(factory_client, tmp_path):
    look = factory_client.request("scene.info", session=context(tmp_path, "s-looked-at", observe=True))
    error = error_of(look)
    assert error["code"] == "session_not_loaded"
    assert "s-looked-at" in error["message"] and "observer" in error["message"]


def test_observer_reads_the_resident_session_and_not_a_released_one(factory_client, tmp_path):
    owner = context(tmp_path, "s-observed")
    made = factory_client.request("code.execute", {"code": "bpy.ops.mesh.primitive_cube_add(location=(5, 0, 0))"}, session=owner)
    assert made["type"] == "reply", made

    look = factory_client.request("scene.info", session={**owner, "observe": True})
    assert look["type"] == "reply", look

    released = factory_client.request("session.release", session=owner)
    assert released["type"] == "reply", released
    late_look = factory_client.request("scene.info", session={**owner, "observe": True})
    assert error_of(late_look)["code"] == "session_not_loaded"

    # The owner's next command loads the checkpoint the release wrote: the look loaded nothing.
    back = factory_client.request("scene.info", session={**owner, "expect_checkpoint": True})
    assert back["type"] == "reply", back
    assert back["session"]["activated"] is True and back["session"]["restored_from"], back["session"]


def test_observe_must_be_a_boolean(factory_client, tmp_path):
    answer = factory_client.request("scene.info", session=context(tmp_path, "s-typed", observe="yes"))
    error = error_of(answer)
    assert "observe must be a boolean" in error["message"], error
