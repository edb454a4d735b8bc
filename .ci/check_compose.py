#!/usr/bin/env python3
"""Checks Compose files without a Docker engine (and without the compose plugin).

    python3 .ci/check_compose.py docker-compose.yml docker/compose.existing-server.yml

This is no substitute for `docker compose config` (which .ci/docker-check runs as well when the
plugin is installed): it parses the YAML and checks what this project's files rely on, so that a
typo or a dangling reference fails CI on a machine without Docker:

- only known top-level and service keys (a misspelt `depends_on` is an error, not ignored);
- build contexts and Dockerfiles exist; bind-mounted files exist; named volumes are declared;
- `depends_on` names services, with a known condition; `service_healthy` only on a service
  that has a health check (in the file or in its Dockerfile);
- every published port names a host address (these files publish on loopback only);
- every CARTEIRO_* variable is one Carteiro knows (the settings table of src/config/sources.rs).
Exit status 1 with one line per problem.
"""

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent

TOP_LEVEL = {"name", "services", "volumes", "networks", "configs", "secrets"}
SERVICE_KEYS = {
    "build", "image", "environment", "env_file", "ports", "expose", "volumes", "depends_on",
    "read_only", "cap_drop", "cap_add", "security_opt", "stop_grace_period", "stop_signal",
    "restart", "healthcheck", "extra_hosts", "command", "entrypoint", "networks", "user",
    "tmpfs", "labels", "init", "container_name", "hostname", "working_dir", "profiles",
}
BUILD_KEYS = {"context", "dockerfile", "args", "target", "labels", "cache_from"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
DURATION = re.compile(r"^(\d+(\.\d+)?(us|ms|s|m|h))+$")
PORT = re.compile(r"^(?P<ip>\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d+(-\d+)?:\d+(-\d+)?(/(tcp|udp))?$")


def known_env():
    """The CARTEIRO_* names src/config/sources.rs declares: the `settings!` table and the
    other variables Carteiro reads (its test module left out)."""
    path = ROOT / "src" / "config" / "sources.rs"
    code = path.read_text().split("#[cfg(test)]")[0]
    code = "\n".join(l for l in code.splitlines() if not l.lstrip().startswith("//"))
    names = set(re.findall(r'"(CARTEIRO_[A-Z0-9_]+)"', code))
    if "CARTEIRO_IMAP_URL" not in names or "CARTEIRO_CONFIG" not in names:
        raise SystemExit(f"check_compose: the settings table was not found in {path}")
    return names


def dockerfile_has_healthcheck(path):
    lines = [l.strip() for l in path.read_text().splitlines()]
    return any(l.upper().startswith("HEALTHCHECK ") and "NONE" not in l.upper() for l in lines)


def check(path, env_names):
    problems = []
    say = lambda msg: problems.append(f"{path}: {msg}")
    base = path.parent
    doc = yaml.safe_load(path.read_text())
    if not isinstance(doc, dict):
        return [f"{path}: not a mapping"]
    for key in doc:
        if key not in TOP_LEVEL and not key.startswith("x-"):
            say(f"unknown top-level key {key!r}")
    services = doc.get("services") or {}
    if not services:
        say("no services")
    volumes = set((doc.get("volumes") or {}).keys())
    healthy = {}
    for name, svc in services.items():
        svc = svc or {}
        for key in svc:
            if key not in SERVICE_KEYS:
                say(f"service {name}: unknown key {key!r}")
        if "build" not in svc and "image" not in svc:
            say(f"service {name}: neither build nor image")
        has_health = bool(svc.get("healthcheck")) and not svc["healthcheck"].get("disable")
        build = svc.get("build")
        if build is not None:
            if isinstance(build, str):
                build = {"context": build}
            for key in build:
                if key not in BUILD_KEYS:
                    say(f"service {name}: unknown build key {key!r}")
            context = (base / build.get("context", ".")).resolve()
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            if not context.is_dir():
                say(f"service {name}: build context {context} does not exist")
            elif not dockerfile.is_file():
                say(f"service {name}: Dockerfile {dockerfile} does not exist")
            elif dockerfile_has_healthcheck(dockerfile):
                has_health = True
        healthy[name] = has_health
        for mount in svc.get("volumes") or []:
            if not isinstance(mount, str):
                say(f"service {name}: write volume {mount!r} in the short form")
                continue
            source = mount.split(":")[0]
            if source.startswith((".", "/")):
                if not (base / source).exists():
                    say(f"service {name}: bind mount source {source} does not exist")
            elif source not in volumes:
                say(f"service {name}: volume {source!r} is not declared under volumes:")
        for port in svc.get("ports") or []:
            if not isinstance(port, str) or not PORT.match(port):
                say(f"service {name}: port {port!r} must be quoted \"IP:host:container\" "
                    "(published on a named address, loopback here)")
        env = svc.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
        for key, value in env.items():
            if key.startswith("CARTEIRO_") and key not in env_names:
                say(f"service {name}: Carteiro does not know {key}")
            if value is not None and not isinstance(value, (str, int, float)):
                say(f"service {name}: {key} must be a scalar")
            if isinstance(value, bool):
                say(f"service {name}: {key} is a YAML boolean; quote it (\"true\")")
        grace = svc.get("stop_grace_period")
        if grace is not None and not DURATION.match(str(grace)):
            say(f"service {name}: stop_grace_period {grace!r} is not a duration such as 100s")
    for name, svc in services.items():
        deps = (svc or {}).get("depends_on") or {}
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        for dep, how in deps.items():
            if dep not in services:
                say(f"service {name}: depends on unknown service {dep!r}")
                continue
            condition = (how or {}).get("condition", "service_started")
            if condition not in CONDITIONS:
                say(f"service {name}: unknown depends_on condition {condition!r}")
            if condition == "service_healthy" and not healthy.get(dep):
                say(f"service {name}: waits for {dep} to be healthy, but {dep} has no health check")
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    env_names = known_env()
    problems = []
    for arg in argv[1:]:
        problems += check(pathlib.Path(arg), env_names)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"check_compose: {', '.join(argv[1:])}: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
