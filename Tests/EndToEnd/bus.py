"""Talks to the session-broker the way mcp-front does, from Python: a ZeroMQ DEALER on the
broker's clients socket speaking the v2 envelope, with many requests in flight. Used where the
MCP client would be the bottleneck (bursts of thousands of commands) and by the benchmarks."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field

import zmq


class BusClient:
    """One client of the broker (one `source`, as one mcp-front process would be)."""

    def __init__(self, endpoint: str, source: str, context: zmq.Context | None = None, keys=None):
        """`keys`: a keys folder (Path) for a tcp:// endpoint, which needs CURVE."""
        self.source = source
        self.socket = (context or zmq.Context.instance()).socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        if keys is not None:
            self.socket.curve_serverkey = (keys / "server.pub").read_text().strip().encode()
            self.socket.curve_publickey = (keys / "client.pub").read_text().strip().encode()
            self.socket.curve_secretkey = (keys / "client.key").read_text().strip().encode()
        self.socket.connect(endpoint)
        self._ids = itertools.count(1)

    def send(self, op: str, session: str | None = None, params: dict | None = None, request_id: str | None = None) -> str:
        request_id = request_id or f"{self.source}-{next(self._ids)}"
        envelope = {"v": 2, "id": request_id, "kind": "request", "op": op, "params": params or {}, "source": self.source}
        if session is not None:
            envelope["session"] = session
        self.socket.send(json.dumps(envelope).encode())
        return request_id

    def receive(self, timeout: float = 30) -> dict:
        if not self.socket.poll(int(timeout * 1000)):
            raise TimeoutError(f"{self.source}: no answer from the broker within {timeout} s")
        return json.loads(self.socket.recv())

    def call(self, op: str, session: str | None = None, params: dict | None = None, timeout: float = 30) -> dict:
        """One request, its answer; raises on an error answer."""
        request_id = self.send(op, session, params)
        while True:
            answer = self.receive(timeout)
            if answer.get("id") != request_id:
                continue  # a late answer to something sent earlier
            if answer.get("kind") != "reply":
                raise RuntimeError(f"{op} failed: {answer.get('error')}")
            return answer.get("result")

    def close(self):
        self.socket.close(0)


@dataclass
class Plan:
    """One client's share of a burst: which sessions, how many commands each, sent in runs of
    `run` consecutive commands of one session (one Blender holds one session's scene at a time,
    so interleaving sessions command by command would measure scene swaps, not the bus)."""

    client: BusClient
    sessions: list[str]
    per_session: int
    run: int = 100
    window: int = 16
    op: str = "scene.info"
    # Filled in while it runs.
    sent_at: dict[str, float] = field(default_factory=dict)
    answered_at: dict[str, float] = field(default_factory=dict)
    # Per session, request ids in the order their answers came (= completion order).
    completed: dict[str, list[str]] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def schedule(self):
        counts = {session: 0 for session in self.sessions}
        while any(count < self.per_session for count in counts.values()):
            for session in self.sessions:
                for _ in range(min(self.run, self.per_session - counts[session])):
                    yield session, f"{session}:{counts[session]:06d}"
                    counts[session] += 1


def burst(plans: list[Plan], on_progress=None, timeout: float = 120) -> float:
    """Runs every plan at once, each keeping `window` requests in flight; returns the seconds it
    took. `on_progress(done)` is called after each answer (e.g. to kill a service mid-burst)."""
    poller = zmq.Poller()
    queues = {}
    in_flight = {}
    by_socket = {}
    for plan in plans:
        poller.register(plan.client.socket, zmq.POLLIN)
        queues[id(plan)] = plan.schedule()
        in_flight[id(plan)] = {}
        by_socket[plan.client.socket] = plan
        for session in plan.sessions:
            plan.completed.setdefault(session, [])

    def top_up(plan):
        flying = in_flight[id(plan)]
        while len(flying) < plan.window:
            step = next(queues[id(plan)], None)
            if step is None:
                return
            session, request_id = step
            plan.sent_at[request_id] = time.time()
            plan.client.send(plan.op, session=session, request_id=request_id)
            flying[request_id] = session

    start = time.monotonic()
    for plan in plans:
        top_up(plan)
    done = 0
    while any(in_flight[id(plan)] for plan in plans):
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"burst not finished after {timeout} s ({done} answers)")
        for socket, _ in poller.poll(1000):
            plan = by_socket[socket]
            while True:
                try:
                    answer = json.loads(socket.recv(zmq.NOBLOCK))
                except zmq.Again:
                    break
                session = in_flight[id(plan)].pop(answer.get("id"), None)
                if session is None:
                    continue
                plan.answered_at[answer["id"]] = time.time()
                if answer.get("kind") == "reply":
                    plan.completed[session].append(answer["id"])
                else:
                    plan.errors.append(answer)
                done += 1
                if on_progress:
                    on_progress(done)
            top_up(plan)
    return time.monotonic() - start
