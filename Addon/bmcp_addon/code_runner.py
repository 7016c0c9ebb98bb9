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

    # No argtypes: the exception goes as a py_object, and clearing needs NULL (plain None
    # here), which a py_object argument type would turn into Py_None.
    def set_async_exc(thread_id, exception):
        api(ctypes.c_ulong(thread_id), None if exception is None else ctypes.py_object(exception))

    return set_async_exc


_SET_ASYNC_EXC = _async_exc_api()


class _Watchdog:
    """Raises CodeTimeout in `thread_id` from `deadline` on, until `finish()`."""

    def __init__(self, thread_id, deadline):
        self._thread_id = thread_id
        self._deadline = deadline
        self._done = threading.Event()
        # Held while injecting, so finish() can wait out an injection under way.
        self._lock = threading.Lock()
        self.fired = False
        self._thread = threading.Thread(target=self._watch, name="bmcp-code-watchdog", daemon=True)

    def start(self):
        self._thread.start()

    def _watch(self):
        wait = max(0.0, self._deadline - time.monotonic())
        while not self._done.wait(wait):
            with self._lock:
                if self._done.is_set():
                    return
                self.fired = True
                _SET_ASYNC_EXC(self._thread_id, CodeTimeout)
            wait = _REPEAT_S

    def finish(self):
        """Stops the watchdog; afterwards no CodeTimeout is pending or coming."""
        while True:
            try:
                self._done.set()
                with self._lock:  # lets an injection under way complete
                    pass
                if self.fired:
                    _SET_ASYNC_EXC(self._thread_id, None)  # drop one not yet delivered
                break
            except CodeTimeout:
                continue  # delivered after the code had returned: its result stands
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
                    watchdog.finish()
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
