"""Session checkpoints in a real headless Blender (sessions.py): written on request, after the
debounce (and announced), pruned to BMCP_CHECKPOINT_KEEP; session.restore from the newest
checkpoint that opens; and the errors a session context can meet on the way."""

import os

import pytest

from conftest import clean_env, error_of, headless_command
from wire_clients import FramedClient

# Long enough that no debounced checkpoint lands in the middle of a test of the others.
QUIET_DEBOUNCE = "600"


@pytest.fixture(scope="module")
def blender(launch_blender):
    env = clean_env(BMCP_CHECKPOINT_DEBOUNCE=QUIET_DEBOUNCE, BMCP_CHECKPOINT_KEEP="2")
    process = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0"), env)
    yield process
    process.stop()


@pytest.fixture
def client(blender):
    with FramedClient(blender.address) as connection:
        connection.hello()
        yield connection
        connection.request("session.release")  # the next test starts with no session resident


def context(tmp_path, session_id, **extra):
    return {"id": session_id, "dir": str(tmp_path / "sessions" / session_id), **extra}


def reply(client, op, params=None, session=None):
    answer = client.request(op, params, session=session)
    assert answer["type"] == "reply", answer
    return answer


def add_marker(client, session, name):
    code = f"bpy.ops.object.empty_add()\nbpy.context.object.name = {name!r}"
    return reply(client, "code.execute", {"code": code}, session)


def object_names(client, session):
    return {o["name"] for o in reply(client, "scene.snapshot", None, session)["result"]["objects"]}


def write_unreadable_checkpoint(session, name):
    folder = os.path.join(session["dir"], "checkpoints")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as handle:
        handle.write(b"not a blend file")
    return path


def test_a_checkpoint_is_written_when_the_scene_changed_and_old_ones_are_pruned(client, tmp_path):
    session = context(tmp_path, "s-saved")
    add_marker(client, session, "First")
    first = reply(client, "session.checkpoint", None, session)["result"]
    assert first["saved"] is True and os.path.isfile(first["path"])
    assert os.path.dirname(first["path"]) == os.path.join(session["dir"], "checkpoints")
    # Nothing changed since: the same checkpoint, nothing written.
    assert reply(client, "session.checkpoint", None, session)["result"] == {"path": first["path"], "saved": False}
    for name in ("Second", "Third"):
        add_marker(client, session, name)
        latest = reply(client, "session.checkpoint", None, session)["result"]
        assert latest["saved"] is True
    kept = sorted(os.listdir(os.path.join(session["dir"], "checkpoints")))
    assert len(kept) == 2 and os.path.basename(first["path"]) not in kept  # BMCP_CHECKPOINT_KEEP=2
    assert reply(client, "session.status", None, session)["result"]["last_checkpoint"] == latest["path"]


def test_a_checkpoint_is_named_after_the_last_journal_entry_it_holds(client, tmp_path):
    session = context(tmp_path, "s-journal")
    add_marker(client, {**session, "journal_seq": 7}, "Journalled")
    path = reply(client, "session.checkpoint", None, session)["result"]["path"]
    assert path.endswith("-j7.blend"), path


def test_restore_takes_the_newest_checkpoint_that_opens(client, tmp_path):
    session = context(tmp_path, "s-restored")
    add_marker(client, {**session, "journal_seq": 3}, "Kept")
    saved = reply(client, "session.checkpoint", None, session)["result"]["path"]
    reply(client, "session.release", None, session)
    broken = write_unreadable_checkpoint(session, "29991231T235959999Z-999999-j9.blend")  # sorts newest

    restored = reply(client, "session.restore", None, session)["result"]
    assert restored["restored_from"] == saved and restored["journal_seq"] == 3 and restored["resident"] is False
    assert [skip["file"] for skip in restored["skipped"]] == [broken] and restored["skipped"][0]["error"]
    assert "Kept" in object_names(client, session)
    # Already resident: it stays as it is.
    again = reply(client, "session.restore", None, session)["result"]
    assert again == {"restored_from": None, "journal_seq": 3, "skipped": [], "resident": True}


def test_restore_without_a_checkpoint_starts_from_the_template(client, tmp_path):
    session = context(tmp_path, "s-new")
    restored = reply(client, "session.restore", None, session)["result"]
    assert (restored["restored_from"], restored["journal_seq"], restored["skipped"]) == (None, 0, [])
    assert object_names(client, session) == {"Camera", "Sun"}


def test_restore_needs_a_session_context(client):
    error = error_of(client.request("session.restore"))
    assert error["code"] == "bad_session" and "needs a session context" in error["message"]


def test_a_checkpoint_expected_but_missing_is_an_error(client, tmp_path):
    session = context(tmp_path, "s-expected", expect_checkpoint=True)
    error = error_of(client.request("scene.info", session=session))
    assert error["code"] == "checkpoint_missing" and "holds no .blend file" in error["message"]


def test_an_unreadable_checkpoint_is_refused_and_the_resident_session_stays(client, tmp_path):
    resident = context(tmp_path, "s-resident")
    add_marker(client, resident, "Resident")
    broken_session = context(tmp_path, "s-broken")
    broken = write_unreadable_checkpoint(broken_session, "20260101T000000000Z-000001-j0.blend")
    client.send({"type": "request", "id": "switch", "op": "scene.info", "session": broken_session})
    # Switching away saves the changed resident first, a checkpoint its connection did not ask for.
    announced = client.receive()
    assert (announced["type"], announced["name"], announced["session"]) == ("event", "session.checkpointed", "s-resident")
    error = error_of(client.receive())
    assert error["code"] == "checkpoint_corrupt" and error["file"] == broken
    status = reply(client, "session.status")["result"]
    assert status["resident"] == "s-resident"


def test_a_resident_session_named_with_another_dir_is_refused(client, tmp_path):
    session = context(tmp_path, "s-moved")
    reply(client, "scene.info", None, session)
    moved = {**session, "dir": str(tmp_path / "elsewhere" / "s-moved")}
    error = error_of(client.request("scene.info", session=moved))
    assert error["code"] == "bad_session" and "is resident with dir" in error["message"]


def test_a_checkpoint_that_cannot_be_written_is_an_error_and_the_changes_stay(client, tmp_path):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the session's folder would go")
    session = {"id": "s-unwritable", "dir": str(blocker / "s-unwritable")}
    add_marker(client, session, "Unsaved")
    error = error_of(client.request("session.checkpoint", session=session))
    assert error["code"] == "checkpoint_failed" and "s-unwritable" in error["message"]
    assert reply(client, "session.status", None, session)["result"]["dirty"] is True
    blocker.unlink()  # the release at the end can save it now
    assert reply(client, "session.release", None, session)["result"]["checkpoint"]


def test_without_a_resident_session_checkpoint_is_an_error(client):
    assert error_of(client.request("session.checkpoint"))["code"] == "no_session"


def test_the_debounced_checkpoint_is_written_between_commands_and_announced(launch_blender, tmp_path):
    blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0"),
                             clean_env(BMCP_CHECKPOINT_DEBOUNCE="0.2"))
    try:
        with FramedClient(blender.address) as connection:
            connection.hello()
            session = context(tmp_path, "s-debounced")
            add_marker(connection, session, "Debounced")
            event = connection.receive()  # nothing asked: the addon saves after 0.2 s and says so
            assert event["type"] == "event" and event["name"] == "session.checkpointed", event
            assert event["session"] == "s-debounced" and os.path.isfile(event["path"])
            status = reply(connection, "session.status", None, session)["result"]
            assert (status["dirty"], status["last_checkpoint"]) == (False, event["path"])
    finally:
        blender.stop()
