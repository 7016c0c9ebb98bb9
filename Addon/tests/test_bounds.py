"""The addon's bounds: captured output, message size, hello deadline, connection cap and the
per-connection job queue. Each is a setting; each refusal names its setting."""

from wire_clients import FramedClient


def greeted(address, token=None):
    connection = FramedClient(address)
    assert connection.hello(token=token)["type"] == "hello"
    return connection


# -- captured output (BMCP_MAX_OUTPUT_BYTES) ------------------------------------------


def test_a_huge_print_is_cut_to_the_output_cap_and_the_connection_goes_on(addon):
    with greeted(addon.address) as client:
        result = client.call("code.execute", {"code": "print('x' * 20_000_000)\nprint('after')"})
        dropped = 20_000_001 + len("after\n") - 1024 * 1024
        assert result["output_dropped_bytes"] == dropped
        kept, _, tail = result["result"].rpartition("\n… ")
        assert kept == "x" * (1024 * 1024)
        assert tail == f"{dropped:,} bytes of output dropped (BMCP_MAX_OUTPUT_BYTES=1048576)\n"
        assert client.call("code.execute", {"code": "print('next')"}) == {
            "executed": True, "result": "next\n", "stderr": ""}


def test_stderr_is_capped_too_and_a_failing_script_reports_the_drop(addon):
    with greeted(addon.address) as client:
        answer = client.request("code.execute", {"code": "import sys\nsys.stderr.write('e' * 3_000_000)\n1/0"})
        error = answer["error"]
        assert error["code"] == "code_failed"
        assert error["output_dropped_bytes"] == 3_000_000 - 1024 * 1024
        assert error["stderr"].startswith("e" * (1024 * 1024) + "\n… ")
