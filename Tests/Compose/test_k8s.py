"""deploy/k8s/ (docs/DEPLOY.md): the Kubernetes manifests are valid for the API
(kubernetes-validate, strict) and wired by the same rules as the compose file: real
executables and flags, only BMCP_* variables the executable reads, binders on 0.0.0.0 and
everyone else on tcp://<that Service>:<port>, the data volume at BMCP_DATA everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import test_compose as rules

K8S = rules.REPO / "deploy" / "k8s"


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def workloads(documents) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] in ("Deployment", "StatefulSet")}


def containers(documents):
    for name, workload in workloads(documents).items():
        for container in workload["spec"]["template"]["spec"]["containers"]:
            yield name, workload, container


def env_of(container) -> dict[str, str]:
    return {item["name"]: str(item.get("value", "")) for item in container.get("env") or []}


def test_every_manifest_is_valid_for_the_kubernetes_api(documents):
    import kubernetes_validate
    for doc in documents:
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    assert listed == {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}, listed


def test_the_parts_are_the_compose_services(documents):
    kinds = {name: doc["kind"] for name, doc in workloads(documents).items()}
    assert kinds == {"session-broker": "Deployment", "log-writer": "Deployment", "prompt-service": "Deployment",
                     "mcp-front": "Deployment", "blender-worker": "StatefulSet"}, kinds
    work = workloads(documents)
    assert work["mcp-front"]["spec"]["replicas"] > 1, "mcp-front runs replicas behind its Service"
    assert work["session-broker"]["spec"]["strategy"]["type"] == "Recreate", "two brokers must never share the registry"
    services = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "Service"}
    for name in ("session-broker", "log-writer", "prompt-service", "mcp-front"):
        assert services[name]["spec"]["selector"] == work[name]["spec"]["template"]["metadata"]["labels"], name
    assert services["mcp-front"]["spec"].get("type", "ClusterIP") == "ClusterIP", "never exposed beyond the cluster by default"


def test_executables_flags_and_variables_are_real(documents):
    problems = []
    for name, _, container in containers(documents):
        argv = container["command"] + container.get("args", [])
        exe = Path(argv[0]).name
        if exe == rules.WORKER_SCRIPT.name:
            readable = rules.env_in_help(rules.exe_help("blender-bridge")) | rules.addon_env() | rules.worker_script_env()
        else:
            assert exe in rules.products(), f"{name} runs {exe}, not a product of Package.swift"
            readable = rules.env_in_help(rules.exe_help(exe))
            known = rules.flags_in(rules.exe_help(exe))
            problems += [f"{name}: {exe} has no {flag}" for flag in rules.option_flags(argv[1:]) if flag not in known]
        problems += [f"{name} sets {key}, which {exe} does not read" for key in env_of(container)
                     if key.startswith("BMCP_") and key not in readable]
        for probe in ("readinessProbe", "livenessProbe"):
            command = (container.get(probe) or {}).get("exec", {}).get("command")
            if command and command[0] == "bmcp":
                known = rules.flags_in(rules.exe_help("bmcp", "call"))
                problems += [f"{name} {probe}: bmcp call has no {flag}" for flag in rules.option_flags(command[2:]) if flag not in known]
    assert not problems, "\n".join(problems)


def test_binders_and_connectors_agree(documents):
    by_name = {name: env_of(container) for name, _, container in containers(documents)}
    problems, bound = [], {}
    for variable, binder in rules.BINDERS.items():
        host, port = rules.endpoint(by_name[binder][variable])
        if host != "0.0.0.0":
            problems.append(f"{binder} binds {variable} on {host}")
        bound[variable] = f"tcp://{binder}:{port}"
    for name, env in by_name.items():
        for variable, want in bound.items():
            if name != rules.BINDERS[variable] and variable in env and env[variable] != want:
                problems.append(f"{name} has {variable}={env[variable]}; want {want}")
    assert not problems, "\n".join(problems)


def test_the_data_volume_is_one_claim_at_the_same_path(documents):
    claims = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "PersistentVolumeClaim"}
    assert list(claims) == ["blender-mcp-data"] and "ReadWriteMany" in claims["blender-mcp-data"]["spec"]["accessModes"]
    for name, workload, container in containers(documents):
        volumes = {v["name"]: v for v in workload["spec"]["template"]["spec"].get("volumes", [])}
        mounts = {m["mountPath"]: volumes[m["name"]] for m in container.get("volumeMounts", [])}
        data = env_of(container).get("BMCP_DATA")
        if data:
            assert mounts[data]["persistentVolumeClaim"]["claimName"] == "blender-mcp-data", name
        if "BMCP_KEYS" in env_of(container):
            assert "/data" in mounts, f"{name} reads its keys from the data volume"
