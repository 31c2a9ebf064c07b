"""The Kubernetes manifests of deploy/k8s: rendering them with `kubectl kustomize`, validating every
object offline, and the rules a deployable manifest must keep (probes, security, secrets, images,
one KEDA ScaledObject per handler group).

Native objects are validated against the Kubernetes OpenAPI schemas shipped by the
`kubernetes-validate` package (strict: unknown fields are errors). KEDA's kinds are custom
resources without a schema there; ``KEDA_SCHEMAS`` describes the fields these manifests use
(keda.sh/v1alpha1, https://keda.sh/docs/latest/reference/scaledobject-spec/), closed to any other.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S_DIR = ROOT / "deploy" / "k8s"
TARGETS = {
    "base": K8S_DIR,
    "local": K8S_DIR / "overlays" / "local",
    "production": K8S_DIR / "overlays" / "production",
}
KUBERNETES_VERSION = "1.32"
SECRET_NAME = "lxera-pipeline-secrets"
HTTP_PORT = 8080
RUN_AS_USER = 10001
PENDING_WORK_QUERY = re.compile(r"^select pipeline\.pending_work\('([a-z_]+)'\)$")
# Environment variables that carry credentials: never a literal value in a manifest.
SECRET_ENV = re.compile(r"(DATABASE_URL|_KEY|PASSWORD|TOKEN|SECRET)$")

Obj = dict[str, Any]

_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        "namespace": {"type": "string"},
        "labels": _STRING_MAP,
        "annotations": _STRING_MAP,
    },
    "additionalProperties": False,
}
_INT_STRING = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}
KEDA_SCHEMAS: dict[str, Obj] = {
    "ScaledObject": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "keda.sh/v1alpha1"},
            "kind": {"const": "ScaledObject"},
            "metadata": _METADATA,
            "spec": {
                "type": "object",
                "required": ["scaleTargetRef", "triggers"],
                "properties": {
                    "scaleTargetRef": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string"},
                            "kind": {"type": "string"},
                            "apiVersion": {"type": "string"},
                        },
                        "additionalProperties": False,
                    },
                    "minReplicaCount": {"type": "integer", "minimum": 0},
                    "maxReplicaCount": {"type": "integer", "minimum": 1},
                    "pollingInterval": {"type": "integer", "minimum": 1},
                    "cooldownPeriod": {"type": "integer", "minimum": 0},
                    "triggers": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["type", "metadata"],
                            "properties": {
                                "type": {"type": "string"},
                                "name": {"type": "string"},
                                "metadata": {
                                    "type": "object",
                                    "required": ["query", "targetQueryValue"],
                                    "properties": {
                                        "query": {"type": "string"},
                                        "targetQueryValue": _INT_STRING,
                                        "activationTargetQueryValue": _INT_STRING,
                                    },
                                    "additionalProperties": False,
                                },
                                "authenticationRef": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "kind": {"enum": ["TriggerAuthentication"]},
                                    },
                                    "additionalProperties": False,
                                },
                            },
                            "additionalProperties": False,
                        },
                    },
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    "TriggerAuthentication": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "keda.sh/v1alpha1"},
            "kind": {"const": "TriggerAuthentication"},
            "metadata": _METADATA,
            "spec": {
                "type": "object",
                "required": ["secretTargetRef"],
                "properties": {
                    "secretTargetRef": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["parameter", "name", "key"],
                            "properties": {
                                "parameter": {"enum": ["connection", "password"]},
                                "name": {"type": "string"},
                                "key": {"type": "string"},
                            },
                            "additionalProperties": False,
                        },
                    }
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
}


def kubectl() -> str | None:
    return shutil.which("kubectl")


def render(target: Path) -> list[Obj]:
    """`kubectl kustomize <target>` as a list of objects (offline: no cluster is contacted)."""
    binary = kubectl()
    if binary is None:
        raise RuntimeError("kubectl is not installed")
    result = subprocess.run(
        [binary, "kustomize", str(target)], capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {target} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def schema_errors(obj: Obj) -> list[str]:
    """Validation errors of one object against its schema (empty when valid)."""
    import kubernetes_validate
    from kubernetes_validate.utils import SchemaNotFoundError

    kind = str(obj.get("kind"))
    name = f"{kind}/{obj.get('metadata', {}).get('name')}"
    if kind in KEDA_SCHEMAS:
        validator = jsonschema.Draft202012Validator(KEDA_SCHEMAS[kind])
        return [f"{name}: {error.message}" for error in validator.iter_errors(obj)]
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except SchemaNotFoundError:
        return [f"{name}: no schema for {obj.get('apiVersion')} {kind}"]
    except kubernetes_validate.ValidationError as exc:
        return [f"{name}: {exc.message} at {'/'.join(map(str, exc.path))}"]
    return []


def of_kind(docs: list[Obj], kind: str) -> list[Obj]:
    return [doc for doc in docs if doc.get("kind") == kind]


def _env(container: Obj) -> dict[str, Obj]:
    return {str(item["name"]): item for item in container.get("env", [])}


def _config(docs: list[Obj]) -> dict[str, str]:
    config: dict[str, str] = {}
    for cm in of_kind(docs, "ConfigMap"):
        config.update({str(k): str(v) for k, v in (cm.get("data") or {}).items()})
    return config


def _setting(container: Obj, config: dict[str, str], name: str) -> str | None:
    """A daemon setting as the container gets it: its command-line option (`run --http-port`)
    wins over its env, which wins over the ConfigMap (the precedence of settings.py)."""
    args = [str(a) for a in container.get("args", [])]
    option = "--" + name.removeprefix("LXERA_").lower().replace("_", "-")
    for index, arg in enumerate(args):
        if arg == option and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    item = _env(container).get(name)
    if item is not None and "value" in item:
        return str(item["value"])
    return config.get(name)


def handler_group(container: Obj) -> str | None:
    args = [str(a) for a in container.get("args", [])]
    if args[:1] == ["run"] and "--handlers" in args:
        return args[args.index("--handlers") + 1]
    return None


def _image_problems(where: str, image: str) -> list[str]:
    if "@sha256:" in image:
        return []
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    if not tag:
        return [f"{where}: image {image!r} is not pinned (no tag, no digest)"]
    if tag == "latest":
        return [f"{where}: image {image!r} uses :latest"]
    return []


def _container_problems(where: str, container: Obj) -> list[str]:
    problems = _image_problems(where, str(container.get("image", "")))
    sc = container.get("securityContext") or {}
    if sc.get("readOnlyRootFilesystem") is not True:
        problems.append(f"{where}: readOnlyRootFilesystem is not true")
    if sc.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{where}: allowPrivilegeEscalation is not false")
    if "ALL" not in (sc.get("capabilities") or {}).get("drop", []):
        problems.append(f"{where}: capabilities do not drop ALL")
    resources = container.get("resources") or {}
    for part in ("requests", "limits"):
        for res in ("cpu", "memory"):
            if res not in (resources.get(part) or {}):
                problems.append(f"{where}: no {part}.{res}")
    env = _env(container)
    database = env.get("DATABASE_URL")
    ref = ((database or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
    from_secret = any("secretRef" in src for src in container.get("envFrom", []))
    if not (ref.get("name") and ref.get("optional") is not True) and not from_secret:
        problems.append(f"{where}: DATABASE_URL does not come from a Secret")
    for name, item in env.items():
        if SECRET_ENV.search(name) and "value" in item:
            problems.append(f"{where}: {name} is a literal value, not a secret reference")
    return problems


def _probe_problems(where: str, container: Obj) -> list[str]:
    problems = []
    ports = {p.get("name"): p.get("containerPort") for p in container.get("ports", [])}
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = (container.get(probe) or {}).get("httpGet") or {}
        port = get.get("port")
        port = ports.get(port, port) if isinstance(port, str) else port
        if get.get("path") != path or port != HTTP_PORT:
            problems.append(f"{where}: {probe} is not GET {path} on port {HTTP_PORT}")
    return problems


def _volume_problems(where: str, pod: Obj, container: Obj, config: dict[str, str]) -> list[str]:
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {str(m["mountPath"]): m["name"] for m in container.get("volumeMounts", [])}
    problems = []
    media_root = _setting(container, config, "LXERA_STORAGE_DIR")
    for path in ("/tmp", media_root):
        if path is None:
            problems.append(f"{where}: LXERA_STORAGE_DIR (the media root) is not set")
            continue
        mount = next((m for p, m in mounts.items() if path == p or path.startswith(p + "/")), None)
        volume = volumes.get(mount or "", {})
        if not ("emptyDir" in volume or "persistentVolumeClaim" in volume):
            problems.append(f"{where}: {path} is not on a writable volume")
    return problems


def _deployment_problems(dep: Obj, config: dict[str, str]) -> list[str]:
    name = dep["metadata"]["name"]
    pod = dep["spec"]["template"]["spec"]
    problems = []
    psc = pod.get("securityContext") or {}
    if psc.get("runAsNonRoot") is not True or psc.get("runAsUser") != RUN_AS_USER:
        problems.append(f"{name}: pod does not run as non-root uid {RUN_AS_USER}")
    containers = pod.get("containers", [])
    for container in [*pod.get("initContainers", []), *containers]:
        problems += _container_problems(f"{name}/{container.get('name')}", container)
    daemons = [c for c in containers if handler_group(c)]
    if len(daemons) != 1:
        return [*problems, f"{name}: no container runs `lxera-pipeline run --handlers GROUP`"]
    daemon = daemons[0]
    where = f"{name}/{daemon.get('name')}"
    problems += _probe_problems(where, daemon)
    problems += _volume_problems(where, pod, daemon, config)
    grace = float(_setting(daemon, config, "LXERA_SHUTDOWN_GRACE_SECONDS") or 30.0)
    if not pod.get("terminationGracePeriodSeconds", 30) > grace:
        problems.append(f"{name}: terminationGracePeriodSeconds is not longer than {grace:g}s")
    if _setting(daemon, config, "LXERA_HTTP_PORT") != str(HTTP_PORT):
        problems.append(f"{name}: LXERA_HTTP_PORT is not {HTTP_PORT}")
    return problems


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _scaling_problems(docs: list[Obj], deployments: list[Obj]) -> list[str]:
    problems = []
    scaled = {so["spec"]["scaleTargetRef"]["name"]: so for so in of_kind(docs, "ScaledObject")}
    auths = {a["metadata"]["name"] for a in of_kind(docs, "TriggerAuthentication")}
    for dep in deployments:
        name = dep["metadata"]["name"]
        groups = {handler_group(c) for c in dep["spec"]["template"]["spec"]["containers"]}
        so = scaled.get(name)
        if so is None:
            problems.append(f"{name}: no ScaledObject")
            continue
        triggers = [t for t in so["spec"]["triggers"] if t.get("type") == "postgresql"]
        queries = {PENDING_WORK_QUERY.match(t["metadata"].get("query", "")) for t in triggers}
        if {m.group(1) if m else None for m in queries} != groups - {None}:
            problems.append(f"{name}: the postgresql trigger does not count its group's work")
        for trigger in triggers:
            ref = (trigger.get("authenticationRef") or {}).get("name")
            if ref not in auths:
                problems.append(f"{name}: trigger authentication {ref!r} is not defined")
        labels = dep["spec"]["template"]["metadata"].get("labels", {})
        pdbs = of_kind(docs, "PodDisruptionBudget")
        if not any(_selects(p["spec"]["selector"].get("matchLabels", {}), labels) for p in pdbs):
            problems.append(f"{name}: no PodDisruptionBudget selects its pods")
        services = of_kind(docs, "Service")
        if not any(_selects(s["spec"].get("selector", {}), labels) for s in services):
            problems.append(f"{name}: no Service selects its pods")
    return problems


def manifest_problems(docs: list[Obj]) -> list[str]:
    """Everything a rendered deployment must hold; an empty list when it does."""
    problems = []
    for obj in docs:
        problems += schema_errors(obj)
        if obj.get("kind") == "Secret" and (obj.get("data") or obj.get("stringData")):
            problems.append(f"Secret/{obj['metadata']['name']}: literal secret values")
    config = _config(docs)
    deployments = of_kind(docs, "Deployment")
    for dep in deployments:
        problems += _deployment_problems(dep, config)
    for job in of_kind(docs, "Job"):
        pod = job["spec"]["template"]["spec"]
        for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
            problems += _container_problems(f"{job['metadata']['name']}", container)
    return problems + _scaling_problems(docs, deployments)


def keda_queries(docs: list[Obj]) -> dict[str, str]:
    """Deployment name -> the SQL of its ScaledObject's postgresql trigger."""
    return {
        so["spec"]["scaleTargetRef"]["name"]: trigger["metadata"]["query"]
        for so in of_kind(docs, "ScaledObject")
        for trigger in so["spec"]["triggers"]
        if trigger["type"] == "postgresql"
    }
