"""deploy/k8s renders (base and both overlays), every object validates against the Kubernetes
schemas offline, and the rules of tests/support/k8s.py hold; each rule is shown to catch its
violation on a copy of the rendered manifests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from tests.support.k8s import (
    TARGETS,
    Obj,
    handler_group,
    keda_queries,
    kubectl,
    manifest_problems,
    of_kind,
    render,
)

from lxera_pipeline.handlers.registry import BUILTIN_MODULES, load_builtin_handlers, registry

pytestmark = pytest.mark.skipif(
    kubectl() is None, reason="kubectl is not installed: `kubectl kustomize` renders deploy/k8s"
)


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Obj]]:
    return {name: render(path) for name, path in TARGETS.items()}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_object_is_valid_and_deployable(rendered: dict[str, list[Obj]], target: str) -> None:
    docs = rendered[target]
    kinds = {doc["kind"] for doc in docs}
    assert {"Deployment", "Service", "PodDisruptionBudget", "ScaledObject"} <= kinds
    assert manifest_problems(docs) == []


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_one_deployment_and_one_keda_query_per_handler_group(
    rendered: dict[str, list[Obj]], target: str
) -> None:
    load_builtin_handlers()
    docs = rendered[target]
    groups = {
        handler_group(c): dep["metadata"]["name"]
        for dep in of_kind(docs, "Deployment")
        for c in dep["spec"]["template"]["spec"]["containers"]
    }
    builtin = {s.group for s in registry if s.module.startswith(BUILTIN_MODULES)}
    assert set(groups) == builtin == {"content", "media"}
    queries = keda_queries(docs)
    for group, deployment in groups.items():
        assert queries[deployment] == f"select pipeline.pending_work('{group}')"


def test_overlays_differ_where_they_should(rendered: dict[str, list[Obj]]) -> None:
    def images(docs: list[Obj]) -> set[str]:
        return {
            c["image"]
            for dep in of_kind(docs, "Deployment")
            for c in dep["spec"]["template"]["spec"]["containers"]
        }

    assert images(rendered["local"]) == {"lxera-pipeline:0.1.0"}
    assert images(rendered["production"]) == {"ghcr.io/lxera/lxera-pipeline:0.1.0"}
    media = next(
        so for so in of_kind(rendered["local"], "ScaledObject") if "media" in so["metadata"]["name"]
    )
    assert media["spec"]["maxReplicaCount"] == 1  # the emptyDir work files are per pod
    prod_media = next(
        d for d in of_kind(rendered["production"], "Deployment") if "media" in d["metadata"]["name"]
    )
    work = next(v for v in prod_media["spec"]["template"]["spec"]["volumes"] if v["name"] == "work")
    assert work == {
        "name": "work",
        "persistentVolumeClaim": {"claimName": "lxera-pipeline-media-work"},
    }
    namespaces = {
        d["metadata"].get("namespace") for d in rendered["production"] if d["kind"] != "Namespace"
    }
    assert namespaces == {"lxera-pipeline"}


def _daemon(docs: list[Obj], group: str = "media") -> dict[str, Any]:
    dep = next(d for d in of_kind(docs, "Deployment") if d["metadata"]["name"].endswith(group))
    container: dict[str, Any] = dep["spec"]["template"]["spec"]["containers"][0]
    return container


def _pod(docs: list[Obj]) -> dict[str, Any]:
    dep = next(d for d in of_kind(docs, "Deployment") if d["metadata"]["name"].endswith("media"))
    pod: dict[str, Any] = dep["spec"]["template"]["spec"]
    return pod


def _env(docs: list[Obj], name: str) -> dict[str, Any]:
    return next(e for e in _daemon(docs)["env"] if e["name"] == name)


def _literal_database_url(docs: list[Obj]) -> None:
    env = _env(docs, "DATABASE_URL")
    env.pop("valueFrom")
    env["value"] = "postgresql://u:p@db/x"


MUTATIONS: dict[str, tuple[Callable[[list[Obj]], None], str]] = {
    "no liveness probe": (lambda d: _daemon(d).pop("livenessProbe"), "livenessProbe"),
    "readiness on /healthz": (
        lambda d: _daemon(d)["readinessProbe"]["httpGet"].update(path="/healthz"),
        "readinessProbe is not GET /readyz",
    ),
    "root allowed": (
        lambda d: _pod(d)["securityContext"].pop("runAsNonRoot"),
        "does not run as non-root",
    ),
    "writable root fs": (
        lambda d: _daemon(d)["securityContext"].update(readOnlyRootFilesystem=False),
        "readOnlyRootFilesystem",
    ),
    "privilege escalation": (
        lambda d: _daemon(d)["securityContext"].pop("allowPrivilegeEscalation"),
        "allowPrivilegeEscalation",
    ),
    "no media volume": (
        lambda d: _daemon(d)["volumeMounts"].pop(),
        "/var/lib/lxera-pipeline/storage is not on a writable volume",
    ),
    "literal DATABASE_URL": (_literal_database_url, "DATABASE_URL does not come from a Secret"),
    "literal key": (
        lambda d: _daemon(d)["env"].append({"name": "LXERA_LLM_API_KEY", "value": "sk-123"}),
        "LXERA_LLM_API_KEY is a literal value",
    ),
    "latest image": (
        lambda d: _daemon(d).update(image="ghcr.io/lxera/lxera-pipeline:latest"),
        "uses :latest",
    ),
    "untagged image": (
        lambda d: _daemon(d).update(image="ghcr.io/lxera/lxera-pipeline"),
        "is not pinned",
    ),
    "short termination grace": (
        lambda d: _pod(d).update(terminationGracePeriodSeconds=60),
        "terminationGracePeriodSeconds is not longer than 120s",
    ),
    "grace raised on the command line": (
        lambda d: _daemon(d)["args"].extend(["--shutdown-grace-seconds", "600"]),
        "terminationGracePeriodSeconds is not longer than 600s",
    ),
    "HTTP port moved on the command line": (
        lambda d: _daemon(d)["args"].append("--http-port=9090"),
        "LXERA_HTTP_PORT is not 8080",
    ),
    "no limits": (lambda d: _daemon(d)["resources"].pop("limits"), "no limits.cpu"),
    "wrong group counted": (
        lambda d: of_kind(d, "ScaledObject")[-1]["spec"]["triggers"][0]["metadata"].update(
            query="select pipeline.pending_work('content')"
        ),
        "does not count its group's work",
    ),
    "no PDB": (
        lambda d: d.remove(of_kind(d, "PodDisruptionBudget")[-1]),
        "no PodDisruptionBudget",
    ),
    "unknown field": (
        lambda d: _daemon(d).update(livenesProbe={"httpGet": {"path": "/healthz", "port": 8080}}),
        "livenesProbe",
    ),
    "bad KEDA field": (
        lambda d: of_kind(d, "ScaledObject")[0]["spec"].update(maxReplicas=3),
        "maxReplicas",
    ),
    "literal Secret": (
        lambda d: d.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "lxera-pipeline-secrets"},
                "stringData": {"DATABASE_URL": "postgresql://u:p@db/x"},
            }
        ),
        "literal secret values",
    ),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_broken_manifest_is_caught(rendered: dict[str, list[Obj]], mutation: str) -> None:
    docs = copy.deepcopy(rendered["production"])
    mutate, expected = MUTATIONS[mutation]
    mutate(docs)
    problems = manifest_problems(docs)
    assert any(expected in problem for problem in problems), problems
