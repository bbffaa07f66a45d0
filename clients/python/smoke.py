"""A smoke test of the client openapi-python-client generates from the document.

    python smoke.py BASE_URL OPENAPI_JSON     (ADMIN_EMAIL, ADMIN_PASSWORD in the environment)

Run by scripts/check-clients.sh in the venv the generated package
`clinic_cms_client` is installed into. It checks that

- every operation of the document has its module in the package (a schema the
  generator cannot parse silently drops the operations using it);
- read-only calls through the generated functions get parsed models for their
  documented 2xx responses (not `None`, not an "unexpected status"), and that
  each model gives back, through `to_dict()`, the JSON the server sent
  (a lossy model drops or mangles fields a front end needs).

Nothing is written to the server. Every failure is listed; the exit status is
the number of failures (capped at 1).
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import pkgutil
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import clinic_cms_client
import clinic_cms_client.api
from clinic_cms_client import AuthenticatedClient, Client

SAMPLE_SLUG = "massage-benefits-for-back-pain-and-posture"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)
    print(f"  FAIL {message}")


def operation_modules() -> dict[str, ModuleType]:
    modules: dict[str, ModuleType] = {}
    for info in pkgutil.walk_packages(clinic_cms_client.api.__path__, "clinic_cms_client.api."):
        module = importlib.import_module(info.name)
        if hasattr(module, "sync_detailed"):
            modules[info.name.rsplit(".", 1)[1]] = module
    return modules


def same_json(sent: Any, rebuilt: Any, path: str = "$") -> list[str]:
    """Differences between the server's JSON and a model's `to_dict()`.

    Date-times compare by value (`...Z` and `...+00:00` are the same instant).
    """
    if isinstance(sent, dict) and isinstance(rebuilt, dict):
        out = []
        for key in sorted(set(sent) | set(rebuilt)):
            if key not in rebuilt:
                out.append(f"{path}.{key}: sent by the server, missing from the model")
            elif key not in sent:
                out.append(f"{path}.{key}: added by the model ({rebuilt[key]!r})")
            else:
                out.extend(same_json(sent[key], rebuilt[key], f"{path}.{key}"))
        return out
    if isinstance(sent, list) and isinstance(rebuilt, list):
        if len(sent) != len(rebuilt):
            return [f"{path}: {len(sent)} items sent, {len(rebuilt)} in the model"]
        out = []
        for i, (a, b) in enumerate(zip(sent, rebuilt)):
            out.extend(same_json(a, b, f"{path}[{i}]"))
        return out
    if isinstance(sent, str) and isinstance(rebuilt, str) and sent != rebuilt:
        try:
            if datetime.datetime.fromisoformat(sent) == datetime.datetime.fromisoformat(rebuilt):
                return []
        except ValueError:
            pass
    if sent != rebuilt or type(sent) is not type(rebuilt):
        return [f"{path}: sent {sent!r}, model gives {rebuilt!r}"]
    return []


def call(label: str, module: ModuleType | None, status: int, **kwargs: Any) -> Any:
    """Calls an operation; returns its parsed model, or None after recording why not."""
    if module is None:
        fail(f"{label}: the operation is missing from the generated client")
        return None
    try:
        response = module.sync_detailed(**kwargs)
    except Exception as error:  # noqa: BLE001 - report whatever the generated code raises
        message = " ".join(str(error).split())
        fail(f"{label}: the generated client raised {type(error).__name__}: {message[:200]}")
        return None
    if response.status_code != status:
        fail(f"{label}: HTTP {int(response.status_code)}, expected {status}: {response.content[:300]!r}")
        return None
    parsed = response.parsed
    if parsed is None or not hasattr(parsed, "to_dict"):
        fail(f"{label}: HTTP {status} was not parsed into a model (got {type(parsed).__name__})")
        return None
    if type(parsed).__name__ == "Problem":
        fail(f"{label}: HTTP {status} was parsed as a Problem")
        return None
    differences = same_json(json.loads(response.content), parsed.to_dict())
    for difference in differences[:20]:
        fail(f"{label}: to_dict() differs from the response: {difference}")
    if len(differences) > 20:
        fail(f"{label}: ... and {len(differences) - 20} more differences")
    print(f"  ok   {label}: {type(parsed).__name__}")
    return parsed


def expect(label: str, condition: Callable[[], bool], message: str) -> None:
    try:
        ok = condition()
    except Exception as error:  # noqa: BLE001
        fail(f"{label}: {message} ({type(error).__name__}: {error})")
        return
    if not ok:
        fail(f"{label}: {message}")


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: python smoke.py BASE_URL OPENAPI_JSON", file=sys.stderr)
        return 2
    base_url = sys.argv[1].rstrip("/")
    with open(sys.argv[2], encoding="utf-8") as f:
        document = json.load(f)
    email = os.environ["ADMIN_EMAIL"]
    password = os.environ["ADMIN_PASSWORD"]

    print("python client: every operation is generated")
    modules = operation_modules()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            operation_id = operation.get("operationId")
            if operation_id is None:
                fail(f"{method.upper()} {path}: no operationId")
            elif operation_id not in modules:
                fail(f"{method.upper()} {path} ({operation_id}): missing from the generated client")
    print(f"  {len(modules)} operation modules generated")

    def op(name: str) -> ModuleType | None:
        return modules.get(name)

    print("python client: reads parse into models that keep what the server sent")
    public = Client(base_url=base_url, raise_on_unexpected_status=True)

    articles = call("list_articles", op("list_articles"), 200, client=public)
    if articles is not None:
        expect("list_articles", lambda: len(articles.data) > 0, "no published article")

    article = call("find_article", op("find_article"), 200, client=public, slug=SAMPLE_SLUG)
    if article is not None:
        expect("find_article", lambda: len(article.data.massage_types) > 0, "massage_types is empty")
        expect("find_article", lambda: len(article.data.treatments) > 0, "treatments is empty")

    massage_types = call("list_massage_types", op("list_massage_types"), 200, client=public)
    if massage_types is not None:
        expect("list_massage_types", lambda: len(massage_types.data) > 0, "empty")
    treatments = call("list_treatments", op("list_treatments"), 200, client=public)
    if treatments is not None:
        expect("list_treatments", lambda: len(treatments.data) > 0, "empty")
    call("list_faqs", op("list_faqs"), 200, client=public)
    call("list_tags", op("list_tags"), 200, client=public)
    call("find_site", op("find_site"), 200, client=public)

    from clinic_cms_client.models import LoginRequest  # noqa: PLC0415 - generated name

    token_pair = call(
        "login", op("login"), 200, client=public, body=LoginRequest(email=email, password=password)
    )
    if token_pair is None:
        return 1
    admin = AuthenticatedClient(
        base_url=base_url, token=token_pair.data.access_token, raise_on_unexpected_status=True
    )
    call("me", op("me"), 200, client=admin)
    admin_articles = call("list_admin_articles", op("list_admin_articles"), 200, client=admin)
    if admin_articles is not None and len(admin_articles.data) > 0:
        call("find_admin_article", op("find_admin_article"), 200, client=admin, id=admin_articles.data[0].id)
    call("list_admin_massage_types", op("list_admin_massage_types"), 200, client=admin)
    call("list_users", op("list_users"), 200, client=admin)
    call("list_activity", op("list_activity"), 200, client=admin)
    call("find_admin_site", op("find_admin_site"), 200, client=admin)

    if failures:
        print(f"python client: {len(failures)} failure(s)")
        return 1
    print("python client: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
