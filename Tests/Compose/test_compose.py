"""compose/docker-compose.yml agrees with the real executables and wires the system correctly.

    .venv/bin/python -m pytest Tests/Compose -q

Needs `docker-compose` (Debian: apt-get install -y docker-compose; Compose v2's
`docker compose` works too) to normalise the file, PyYAML (Tests/requirements.txt) to read
the result, and the built executables in .build/debug (or BMCP_BIN_DIR) to read their
`--help`: flags and the `(env BMCP_...;` variables each one reads. No Docker engine needed.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COMPOSE_DIR = REPO / "compose"
COMPOSE_FILE = COMPOSE_DIR / "docker-compose.yml"
WORKER_SCRIPT = COMPOSE_DIR / "blender-worker.sh"
GATEWAY_SCRIPT = COMPOSE_DIR / "gateway.sh"
HEALTH_SCRIPT = COMPOSE_DIR / "healthcheck.sh"
SWIFT_DOCKERFILE = COMPOSE_DIR / "swift.Dockerfile"
WORKER_DOCKERFILE = COMPOSE_DIR / "blender-worker.Dockerfile"
ADDON = REPO / "Addon"

# The services the system needs, by the executable each one runs.
SERVICE_EXECUTABLES = {
    "session-broker": "session-broker",
    "log-writer": "log-writer",
    "prompt-service": "prompt-service",
    "mcp-front": "mcp-front",
    "blender-bridge": "blender-worker.sh",  # Blender + blender-bridge in one container
    "mcp-gateway": "gateway.sh",  # nginx, round robin over the mcp-front replicas
}
GATEWAY_SERVICE = "mcp-gateway"
WORKER_SERVICE = "blender-bridge"
DATA_SERVICES = ("session-broker", "log-writer", WORKER_SERVICE)

# Endpoint settings and the service that binds each; everyone else connects to it.
BINDERS = {
    "BMCP_BROKER_CLIENTS": "session-broker",
    "BMCP_BROKER_WORKERS": "session-broker",
    "BMCP_EVENTS_IN": "session-broker",
    "BMCP_EVENTS_OUT": "session-broker",
    "BMCP_PROMPTS": "prompt-service",
    "BMCP_LOGS": "log-writer",
}
MCP_HTTP_PORT = 8765
APT_HINT = "apt-get update && apt-get install -y docker-compose"


# ---------------------------------------------------------------------------- helpers


def bin_dir() -> Path:
    return Path(os.environ.get("BMCP_BIN_DIR", REPO / ".build" / "debug"))


_help_failures: dict[tuple[str, ...], str] = {}


def run_help(argv: list[str], what: str) -> str:
    """Output of `argv` (a --help call), retried for up to ~20 s: another build may be
    replacing the binary at this moment. A final failure is remembered, so the other tests
    asking for the same help fail at once."""
    key = tuple(argv)
    if key not in _help_failures:
        last = ""
        for attempt in range(8):
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                if done.returncode == 0 and "USAGE" in done.stdout.upper():
                    return done.stdout
                last = f"exit {done.returncode}: {done.stdout}{done.stderr}"
            except OSError as error:  # missing, or half-written (ENOEXEC) during a rebuild
                last = str(error)
            time.sleep(2.5)
        _help_failures[key] = (f"cannot read {what}: {' '.join(argv)} -> {last.strip()[:500]}\n"
                               f"Build the executables (`swift build`) or point BMCP_BIN_DIR at them.")
    pytest.fail(_help_failures[key], pytrace=False)


def flat(text: str) -> str:
    """--help wraps lines anywhere, also inside '(env\\n BMCP_X;'."""
    return " ".join(text.split())


def flags_in(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text))


def env_in_help(text: str) -> set[str]:
    return set(re.findall(r"\(env (BMCP_[A-Z0-9_]+)", flat(text)))


@functools.cache
def exe_help(exe: str, *subcommand: str) -> str:
    path = bin_dir() / exe
    return run_help([str(path), *subcommand, "--help"], f"`{exe} {' '.join(subcommand)} --help`".replace("  ", " "))


@functools.cache
def serve_py_flags() -> set[str]:
    # serve.py parses what follows "--" and imports bpy only after that, so plain Python
    # can print its argparse help.
    done = subprocess.run([sys.executable, str(ADDON / "serve.py"), "--", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"Addon/serve.py -- --help failed: {done.stderr}"
    return flags_in(done.stdout)


@functools.cache
def addon_env() -> set[str]:
    """What the addon reads: Addon/bmcp_addon/settings.py and the README's table."""
    settings = (ADDON / "bmcp_addon" / "settings.py").read_text()
    names = set(re.findall(r'"(BMCP_[A-Z0-9_]+)"', settings))
    readme = (ADDON / "README.md").read_text()
    for row in readme.splitlines():
        if row.startswith("|"):
            names |= set(re.findall(r"`(BMCP_[A-Z0-9_]+)`", row))
    names.discard("BMCP_ADDON_READY")  # a line it prints, not a setting
    assert {"BMCP_ADDON_HOST", "BMCP_ADDON_PORT", "BMCP_DATA"} <= names, names
    return names


def worker_script_env() -> set[str]:
    return set(re.findall(r"\$\{(BMCP_[A-Z0-9_]+)", WORKER_SCRIPT.read_text()))


def script_command_lines(program: str) -> list[str]:
    """Lines of blender-worker.sh that run `program` (continuations joined)."""
    text = WORKER_SCRIPT.read_text().replace("\\\n", " ")
    pattern = re.compile(rf'^\s*(?:exec\s+)?"?{re.escape(program)}"?\s')
    return [line for line in text.splitlines() if pattern.match(line)]


@functools.cache
def products() -> set[str]:
    manifest = (REPO / "Package.swift").read_text()
    return set(re.findall(r'\.executable\(\s*name:\s*"([^"]+)"', manifest))


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    pytest.fail(f"docker-compose is not installed; it validates compose/docker-compose.yml. "
                f"Install it: {APT_HINT}", pytrace=False)


def clean_env() -> dict[str, str]:
    """The caller's BMCP_* / MCP_HTTP_PORT / COMPOSE_* must not change what the file says."""
    return {key: value for key, value in os.environ.items()
            if not key.startswith(("BMCP_", "COMPOSE_")) and key != "MCP_HTTP_PORT"}


def run_config(*extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([*compose_command(), "-f", str(COMPOSE_FILE), "config", *extra],
                          capture_output=True, text=True, cwd=REPO, env=clean_env(), timeout=120)


@pytest.fixture(scope="module")
def config() -> dict:
    done = run_config()
    assert done.returncode == 0, f"`docker-compose -f compose/docker-compose.yml config` failed:\n{done.stderr}"
    try:
        import yaml
    except ImportError:
        pytest.fail("PyYAML is missing: .venv/bin/python -m pip install -r Tests/requirements.txt", pytrace=False)
    return yaml.safe_load(done.stdout)


def argv(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        import shlex
        return shlex.split(value)
    return [str(part) for part in value]


def service_argv(service: dict) -> list[str]:
    return argv(service.get("entrypoint")) + argv(service.get("command"))


def option_flags(args: list[str]) -> list[str]:
    return [arg.split("=", 1)[0] for arg in args if arg.startswith("--")]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def mounts(service: dict) -> list[dict]:
    """Volumes in long form, whichever form `config` printed."""
    result = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            parts = volume.split(":")
            if len(parts) == 1:
                result.append({"type": "volume", "source": None, "target": parts[0]})
                continue
            source, target = parts[0], parts[1]
            kind = "bind" if source.startswith((".", "/", "~")) else "volume"
            result.append({"type": kind, "source": source, "target": target})
        else:
            result.append(volume)
    return result


def endpoint(value: str) -> tuple[str, int]:
    match = re.fullmatch(r"tcp://(\[[^\]]+\]|[^:/]+):(\d+)", value)
    assert match, f"expected tcp://HOST:PORT, got {value!r}"
    return match.group(1), int(match.group(2))


def published(port) -> tuple[str | None, int]:
    """(host port or None, container port) of one `ports` entry."""
    if isinstance(port, dict):
        host = port.get("published")
        return (str(host) if host not in (None, "") else None), int(port["target"])
    text = str(port).split("/")[0]
    parts = text.rsplit(":", 2)
    if len(parts) == 1:
        return None, int(parts[0])
    return parts[-2] or None, int(parts[-1])


def executable_of(name: str, service: dict) -> str:
    args = service_argv(service)
    assert args, f"service {name} has no command/entrypoint: it must name its executable"
    return os.path.basename(args[0])


# ---------------------------------------------------------------------------- (a) valid


def test_compose_config_is_valid():
    done = run_config("-q")
    assert done.returncode == 0, f"`docker-compose -f compose/docker-compose.yml config` failed:\n{done.stderr}"


# ---------------------------------------------------------------------------- (b) executables


def test_every_service_runs_a_real_executable(config):
    services = config["services"]
    assert set(services) == set(SERVICE_EXECUTABLES), (
        f"services {sorted(services)}; want one per executable: {sorted(SERVICE_EXECUTABLES)}")
    known = products() | {"blender", WORKER_SCRIPT.name, GATEWAY_SCRIPT.name}
    for name, service in services.items():
        exe = executable_of(name, service)
        assert exe in known, f"service {name} runs {exe!r}, which is not a product in Package.swift, blender or {WORKER_SCRIPT.name}"
        assert exe == SERVICE_EXECUTABLES[name], f"service {name} runs {exe!r}, want {SERVICE_EXECUTABLES[name]!r}"
    # Every service executable has a service (blender-bridge through the worker script).
    assert script_command_lines("blender-bridge"), f"{WORKER_SCRIPT.name} never starts blender-bridge"
    assert script_command_lines("$blender_bin") or script_command_lines("blender"), f"{WORKER_SCRIPT.name} never starts Blender"
    run = {SERVICE_EXECUTABLES[name] for name in services} | {"blender-bridge"}
    assert products() - {"bmcp"} <= run, f"executables without a service: {sorted(products() - {'bmcp'} - run)}"


def test_the_worker_script_is_shipped_and_runnable(config):
    assert os.access(WORKER_SCRIPT, os.X_OK), f"{WORKER_SCRIPT} must be executable"
    subprocess.run(["bash", "-n", str(WORKER_SCRIPT)], check=True)
    dockerfile = WORKER_DOCKERFILE.read_text()
    assert re.search(r"^COPY .*compose/blender-worker\.sh /opt/bmcp/bin/", dockerfile, re.M), \
        "blender-worker.Dockerfile must copy compose/blender-worker.sh onto the PATH (/opt/bmcp/bin)"
    assert re.search(r"^COPY Addon/serve\.py /opt/bmcp/Addon/", dockerfile, re.M)
    assert re.search(r"^COPY Addon/bmcp_addon /opt/bmcp/Addon/bmcp_addon", dockerfile, re.M)
    assert "BMCP_ADDON_DIR=/opt/bmcp/Addon" in dockerfile
    assert re.search(r"apt-get .*install .*\bblender\b", dockerfile), "the worker image needs Debian's blender"
    assert re.search(r"^COPY --from=build .*/out/blender-bridge", dockerfile, re.M)
    # The health check looks for the marker the script drops at BMCP_ADDON_READY.
    check = argv(config["services"][WORKER_SERVICE]["healthcheck"]["test"])
    assert check == ["CMD", "healthcheck.sh", "worker"], check
    marker = re.search(r'ready_file="\$\{BMCP_WORKER_READY_FILE:-([^}]+)\}"', WORKER_SCRIPT.read_text()).group(1)
    assert f"BMCP_WORKER_READY_FILE:-{marker}" in HEALTH_SCRIPT.read_text(), \
        f"the worker health check should test the READY marker {marker}"
    # The addon listens inside the container only, and the bridge connects there.
    blender = script_command_lines("$blender_bin")
    assert blender and "--host 127.0.0.1" in blender[0], blender
    assert "--addon-host 127.0.0.1" in script_command_lines("blender-bridge")[0]


def test_the_images_carry_every_executable_and_resource_bundle():
    swift, worker = SWIFT_DOCKERFILE.read_text(), WORKER_DOCKERFILE.read_text()

    def build_stage(text: str) -> str:
        start = text.index("ARG SWIFT_IMAGE=")
        end = text.index("FROM build-${BINARIES} AS build", start)
        return text[start:end]

    assert build_stage(swift) == build_stage(worker), (
        "the build stages of swift.Dockerfile and blender-worker.Dockerfile differ; keep them "
        "identical so BuildKit builds the Swift code once")
    loop = re.search(r"for exe in ([^;]+);", swift).group(1).split()
    assert set(loop) == products(), f"swift.Dockerfile copies {sorted(loop)}, Package.swift has {sorted(products())}"
    assert '"$bin"/*.resources /out/' in swift, "the SwiftPM resource bundles must sit next to the executables"
    # The bundle prompt-service needs exists under that naming in a real build.
    assert (bin_dir() / "blender-mcp_PromptServiceCore.resources").is_dir(), (
        f"no blender-mcp_PromptServiceCore.resources in {bin_dir()}: did the package or target name change?")
    for text in (swift, worker):
        assert re.search(r"^ARG SWIFT_IMAGE=swift:6\.1-bookworm$", text, re.M), "the Swift image is a build argument"
        assert re.search(r"^ARG BASE_IMAGE=debian:bookworm-slim$", text, re.M), "the base image is a build argument"
        assert re.search(r"^FROM \$\{BASE_IMAGE\} AS runtime$", text, re.M)
        assert "--static-swift-stdlib" in text, "the runtime image has no Swift runtime: link it in"
        assert re.search(r"^COPY compose/prebuilt/ /out/$", text, re.M), "BINARIES=host takes compose/prebuilt/"
    assert (REPO / "compose" / "prebuilt" / "README.md").is_file(), "compose/prebuilt/ must exist in every checkout"


# ---------------------------------------------------------------------------- (c) flags


def test_every_flag_is_one_the_executable_has(config):
    problems = []
    for name, service in config["services"].items():
        exe = executable_of(name, service)
        args = service_argv(service)[1:]
        if exe == GATEWAY_SCRIPT.name:
            assert not args, f"{name}: gateway.sh takes no arguments (its settings are BMCP_GATEWAY_*), got {args}"
            continue
        if exe == WORKER_SCRIPT.name:
            # Extra arguments go to blender-bridge, as do the flags the script passes it.
            known = flags_in(exe_help("blender-bridge"))
            used = option_flags(args)
            for line in script_command_lines("blender-bridge"):
                used += option_flags(line.split())
            problems += [f"{name}: blender-bridge has no {flag}" for flag in used if flag not in known]
            for line in script_command_lines("$blender_bin"):
                script_args = line.split(" -- ", 1)[1].split() if " -- " in line else []
                problems += [f"{name}: Addon/serve.py has no {flag}"
                             for flag in option_flags(script_args) if flag not in serve_py_flags()]
            continue
        known = flags_in(exe_help(exe))
        for flag in option_flags(args):
            if exe == "mcp-front" and flag == "--http":
                continue  # test_mcp_front_serves_streamable_http says it clearly
            if flag not in known:
                problems.append(f"{name}: `{exe} --help` has no {flag}")
    assert not problems, "\n".join(problems)


def test_health_checks_use_real_flags(config):
    problems = []
    for name, service in config["services"].items():
        check = service.get("healthcheck")
        assert check and check.get("test"), f"service {name} has no healthcheck"
        test = argv(check["test"])
        assert test[0] in ("CMD", "CMD-SHELL"), test
        # Podman's compatible API splits arguments on spaces: one word each, or a script.
        assert not any(" " in part for part in test[1:]), f"{name}: a health check argument with spaces: {test}"
        if test[1] == HEALTH_SCRIPT.name:
            done = subprocess.run(["bash", "-n", str(HEALTH_SCRIPT)])
            assert done.returncode == 0 and os.access(HEALTH_SCRIPT, os.X_OK)
        if test[0] == "CMD" and os.path.basename(test[1]) == "bmcp":
            assert test[2] == "call", test
            known = flags_in(exe_help("bmcp", "call"))
            problems += [f"{name} healthcheck: `bmcp call --help` has no {flag}"
                         for flag in option_flags(test[3:]) if flag not in known]
    assert not problems, "\n".join(problems)


def test_mcp_front_serves_streamable_http(config):
    front = config["services"]["mcp-front"]
    args = service_argv(front)
    assert "--http" in args, f"mcp-front must run with --http 0.0.0.0:{MCP_HTTP_PORT}; command is {args}"
    value = args[args.index("--http") + 1]
    assert value == f"0.0.0.0:{MCP_HTTP_PORT}", f"--http {value}: listen on all container interfaces, port {MCP_HTTP_PORT}"
    if "--http" not in flags_in(exe_help("mcp-front")):
        pytest.fail(
            f"mcp-front lacks --http: `{bin_dir() / 'mcp-front'} --help` has no --http flag, but "
            f"compose runs `mcp-front --http 0.0.0.0:{MCP_HTTP_PORT}` to serve MCP over Streamable HTTP "
            f"at http://localhost:{MCP_HTTP_PORT}/mcp. Add the flag to mcp-front (with BMCP_HTTP).",
            pytrace=False)


def test_mcp_front_scales_behind_the_gateway(config, tmp_path):
    services = config["services"]
    front, gateway = services["mcp-front"], services[GATEWAY_SERVICE]
    assert not front.get("ports"), f"mcp-front publishes {front['ports']}: replicas can't share a host port; the gateway publishes"
    assert "container_name" not in front and "hostname" not in front, "a fixed name breaks --scale mcp-front=N"
    ports = [published(port) for port in gateway.get("ports") or []]
    assert any(target == MCP_HTTP_PORT and host for host, target in ports), f"the gateway must publish {MCP_HTTP_PORT}: {gateway.get('ports')}"
    env = environment(gateway)
    assert env.get("BMCP_GATEWAY_UPSTREAM") == f"mcp-front:{MCP_HTTP_PORT}", env
    assert "mcp-front" in (gateway.get("depends_on") or {}), "the gateway starts after mcp-front is healthy"
    # The configuration it writes is one Debian's nginx accepts, resolving replicas per request.
    conf = tmp_path / "gateway.conf"
    done = subprocess.run([str(GATEWAY_SCRIPT)], capture_output=True, text=True, timeout=30,
                          env={"PATH": os.environ["PATH"], "BMCP_GATEWAY_PRINT": "1", "BMCP_GATEWAY_CONF": str(conf), **env})
    assert done.returncode == 0, done.stderr
    text = conf.read_text()
    assert f"set $replicas mcp-front:{MCP_HTTP_PORT};" in text and "proxy_pass http://$replicas;" in text and "resolver " in text
    assert "proxy_buffering off;" in text, "SSE must not be buffered"
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert os.path.exists(nginx), "nginx is missing: apt-get install -y nginx (it checks the gateway's configuration)"
    checked = subprocess.run([nginx, "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    dockerfile = (COMPOSE_DIR / "gateway.Dockerfile").read_text()
    assert re.search(r"^ARG BASE_IMAGE=", dockerfile, re.M) and "compose/gateway.sh /usr/local/bin/gateway.sh" in dockerfile and "compose/healthcheck.sh" in dockerfile


# ---------------------------------------------------------------------------- (d) environment


def readable_env(name: str, service: dict) -> set[str]:
    exe = executable_of(name, service)
    if exe == WORKER_SCRIPT.name:
        return env_in_help(exe_help("blender-bridge")) | addon_env() | worker_script_env()
    if exe == GATEWAY_SCRIPT.name:
        return set(re.findall(r"\$\{(BMCP_[A-Z0-9_]+)", GATEWAY_SCRIPT.read_text()))
    return env_in_help(exe_help(exe))


def test_every_bmcp_variable_is_read_by_the_service(config):
    problems = []
    for name, service in config["services"].items():
        readable = readable_env(name, service)
        assert readable, f"found no (env BMCP_...) in the help of {name}'s executable"
        for key in environment(service):
            if key.startswith("BMCP_") and key not in readable:
                problems.append(f"{name} sets {key}, which its executable does not read (it reads {sorted(readable)})")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------- (e) endpoints


def test_binders_bind_all_interfaces_and_clients_connect_to_them(config):
    services = config["services"]
    problems = []
    bound: dict[str, int] = {}
    for variable, binder in BINDERS.items():
        value = environment(services[binder]).get(variable)
        if value is None:
            problems.append(f"{binder} binds {variable} but does not set it (it would bind 127.0.0.1)")
            continue
        host, port = endpoint(value)
        if host not in ("0.0.0.0", "*"):
            problems.append(f"{binder} binds {variable}={value}: use tcp://0.0.0.0:{port} so other containers reach it")
        bound[variable] = port
    for name, service in services.items():
        env = environment(service)
        for variable in sorted(readable_env(name, service) & set(BINDERS)):
            binder = BINDERS[variable]
            if name == binder or variable not in bound:
                continue
            want = f"tcp://{binder}:{bound[variable]}"
            if variable not in env:
                problems.append(f"{name} does not set {variable}: it would use 127.0.0.1, its own container; want {want}")
            elif env[variable] != want:
                problems.append(f"{name} has {variable}={env[variable]}, but {binder} binds port {bound[variable]}; want {want}")
    assert not problems, "\n".join(problems)


def test_health_checks_probe_the_service_own_port(config):
    services = config["services"]
    for name, service in services.items():
        test = argv(service["healthcheck"]["test"])
        if "--broker-clients" not in test:
            continue
        host, port = endpoint(test[test.index("--broker-clients") + 1])
        own = {endpoint(value)[1] for key, value in environment(service).items()
               if key in BINDERS and BINDERS[key] == name}
        assert host == "127.0.0.1" and port in own, f"{name}'s health check asks port {port}; it binds {sorted(own)}"


# ---------------------------------------------------------------------------- (f) data volume


def test_data_volume_is_shared_at_the_same_path(config):
    services = config["services"]
    seen = {}
    for name in DATA_SERVICES:
        data = environment(services[name]).get("BMCP_DATA")
        assert data, f"{name} must set BMCP_DATA"
        matching = [mount for mount in mounts(services[name]) if mount.get("target") == data]
        assert matching, f"{name}: nothing is mounted at BMCP_DATA={data}"
        mount = matching[0]
        assert mount.get("type") == "volume" and mount.get("source"), f"{name}: {data} must be a named volume, got {mount}"
        seen[name] = (mount["source"], data)
    assert len(set(seen.values())) == 1, f"the data volume must be the same volume at the same path everywhere: {seen}"
    source = next(iter(seen.values()))[0]
    assert source in (config.get("volumes") or {}), f"volume {source} is not declared at the top level"


# ---------------------------------------------------------------------------- (g) scaling


def test_the_blender_worker_can_be_scaled(config):
    worker = config["services"][WORKER_SERVICE]
    assert "container_name" not in worker, "a fixed container_name breaks --scale blender-bridge=N"
    assert "hostname" not in worker, "a fixed hostname would give every scaled worker the same bridge name"
    fixed = [port for port in worker.get("ports") or [] if published(port)[0]]
    assert not fixed, f"published host ports break --scale blender-bridge=N: {fixed}"


def test_every_service_restarts_and_stops_gracefully(config):
    for name, service in config["services"].items():
        assert service.get("restart") == "unless-stopped", f"{name}: restart should be unless-stopped"
        assert service.get("stop_grace_period"), f"{name}: set stop_grace_period"
