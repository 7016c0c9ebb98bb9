"""Runs user Python with captured output and a time limit.

The limit is enforced by a watchdog thread that, once the deadline has passed,
raises CodeTimeout inside the running code with PyThreadState_SetAsyncExc.
CPython delivers such an exception at its next "eval breaker" check, which it
makes on every backward jump and call, so even `while True: pass` on one line
stops (a line tracer does not: CPython 3.11 emits no line event for a loop that
jumps back onto its own line). Tracing would also slow every line of the user's
code; the watchdog costs nothing until the deadline. Where the C API is not
reachable through ctypes, a line tracer is the fallback.

A single long call into C (time.sleep(600), one huge bpy operator) cannot be
interrupted either way; the limit hits when it returns to Python.
"""

import contextlib
import ctypes
import io
import queue
import sys
import threading
import time
import traceback

from .settings import DEFAULT_MAX_OUTPUT_BYTES

# After the first injection the watchdog repeats it this often: a bare `except:` in the
# user's code can swallow one CodeTimeout, not all of them.
_REPEAT_S = 0.05


class CodeTimeout(BaseException):
    """BaseException, so user code's `except Exception:` cannot swallow it."""


class CodeResult:
    def __init__(self, stdout, stderr, error=None, timed_out=False, dropped_bytes=0):
        self.stdout = stdout
        self.stderr = stderr
        self.error = error  # the exception user code raised, if any
        self.timed_out = timed_out
        self.dropped_bytes = dropped_bytes  # output past the cap, stdout and stderr together


class CappedOutput(io.TextIOBase):
    """A text stream that keeps the first `limit` bytes (UTF-8) written to it and counts the rest.

    Everything captured is held in memory and sent in one reply, so without a cap one
    print('x' * 20_000_000) makes a reply larger than any message the link may carry.
    """

    def __init__(self, limit, setting):
        super().__init__()
        self._limit = limit
        self._setting = setting  # named in the line that reports the drop
        self._parts = []
        self._room = limit
        self.dropped = 0

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self.dropped:
            self.dropped += _utf8_length(text)  # the output keeps its head, not bits of its tail
            return len(text)
        data = text.encode("utf-8", "surrogatepass")
        if len(data) <= self._room:
            self._parts.append(text)
            self._room -= len(data)
            return len(text)
        # Cut on a character boundary: 'ignore' drops a partial UTF-8 sequence at the end.
        kept = data[: self._room].decode("utf-8", "ignore")
        kept_bytes = len(kept.encode("utf-8"))
        self._parts.append(kept)
        self._room = 0
        self.dropped = len(data) - kept_bytes
        return len(text)

    def getvalue(self):
        text = "".join(self._parts)
        if self.dropped:
            text += f"\n… {self.dropped:,} bytes of output dropped ({self._setting}={self._limit})\n"
        return text


def _utf8_length(text):
    # Counted, not kept: dropping must not cost a copy of what is dropped, chunk by chunk.
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _async_exc_api():
    try:
        api = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (AttributeError, OSError):
        return None
    api.restype = ctypes.c_int

    def set_async_exc(thread_id, exception):
        api(ctypes.c_ulong(thread_id), ctypes.py_object(exception))

    return set_async_exc


_SET_ASYNC_EXC = _async_exc_api()


class _Taken(BaseException):
    """Takes the place of a CodeTimeout raised but not yet delivered, and is caught at once."""


def _take_pending_exception():
    """Drops an exception raised in this thread and not yet delivered, leaving none pending.

    Not by PyThreadState_SetAsyncExc(id, NULL): in CPython 3.11 that clears the thread's
    exception but leaves the interpreter's eval breaker set (only a delivery resets it), and a
    traced thread (coverage.py, a debugger: any sys.settrace) then re-checks the breaker at its
    next function entry for ever: the watchdog and the main thread both hung there. Replacing
    the pending exception with one of our own and letting it arrive resets both."""
    try:
        _SET_ASYNC_EXC(threading.get_ident(), _Taken)
        while True:
            pass  # delivered at this loop's first backward jump, an eval-breaker check
    except _Taken:
        pass


class _Watchdog:
    """Raises CodeTimeout in `thread_id` from `deadline` on, until told to stop.

    The watched thread stops it with `stopping.put(None)` first thing when the code is done: one
    C call, which a CodeTimeout arriving cannot skip. After it at most one more comes (an
    injection under way), and `settle()` waits for it or takes it; should it land before
    settle's own `try`, it is still inside run_code's `except CodeTimeout`."""

    def __init__(self, thread_id, deadline):
        self._thread_id = thread_id
        self._deadline = deadline
        # A C queue, not a threading.Event: Event.set() is Python code, which a CodeTimeout
        # arriving on its way in would skip, and the watchdog would then never stop.
        self.stopping = queue.SimpleQueue()
        self.fired = False
        self._thread = threading.Thread(target=self._watch, name="bmcp-code-watchdog", daemon=True)

    def start(self):
        self._thread.start()

    def _watch(self):
        wait = max(0.0, self._deadline - time.monotonic())
        while True:
            try:
                self.stopping.get(timeout=wait)
                return
            except queue.Empty:
                pass
            self.fired = True
            _SET_ASYNC_EXC(self._thread_id, CodeTimeout)
            wait = _REPEAT_S

    def settle(self):
        """After `stopping.put`: waits for the watchdog to end and takes a CodeTimeout it raised
        that has not arrived yet. Afterwards none is pending or coming."""
        try:
            self._thread.join()  # an injection under way completes; after it the watchdog ends
            if self.fired:
                _take_pending_exception()
        except CodeTimeout:
            # The last one (the watchdog starts no other after `stopping`) arrived here, after the
            # code had returned: its result stands, and nothing is pending any more.
            self._thread.join()


@contextlib.contextmanager
def _line_tracer(deadline):
    def on_line(frame, event, arg):
        if time.monotonic() > deadline:
            raise CodeTimeout()
        return on_line

    previous = sys.gettrace()  # a debugger's tracer, put back afterwards
    sys.settrace(on_line)
    try:
        yield
    finally:
        sys.settrace(previous)


def run_code(code, namespace, timeout_s, max_output=DEFAULT_MAX_OUTPUT_BYTES, output_setting="BMCP_MAX_OUTPUT_BYTES"):
    """Compile and run `code`; never raises for anything the code does. stdout and stderr
    each keep their first `max_output` bytes."""
    stdout, stderr = CappedOutput(max_output, output_setting), CappedOutput(max_output, output_setting)
    deadline = time.monotonic() + timeout_s
    error = None
    timed_out = False
    watchdog = None
    try:
        compiled = compile(code, "<code.execute>", "exec")
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            if _SET_ASYNC_EXC is not None:
                watchdog = _Watchdog(threading.get_ident(), deadline)
                watchdog.start()
                try:
                    exec(compiled, namespace)
                finally:
                    watchdog.stopping.put(None)  # first, and one C call: see _Watchdog
                    watchdog.settle()
            else:
                with _line_tracer(deadline):
                    exec(compiled, namespace)
    except CodeTimeout:
        timed_out = True
    except (Exception, SystemExit) as exc:
        # SystemExit too: a script calling sys.exit() must not stop the server.
        error = exc
    return CodeResult(stdout.getvalue(), stderr.getvalue(), error, timed_out, stdout.dropped + stderr.dropped)


def user_traceback(exc):
    """The traceback from the user's code down, without this module's frames."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))
