"""Every distinct failure of a schemathesis run, from its NDJSON report.

    python schemathesis_summary.py REPORT.ndjson

schemathesis prints one example per operation and check; a single operation
can fail one check for several reasons (say, a 422 for an empty `name` and
another for an unknown slug). This lists each reason once, grouped by
operation, check and status, with how often it was seen and one request
that reproduces it (the Authorization header is left out: add your own).
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import sys
from collections import defaultdict
from typing import Any


def decode(body: Any) -> bytes | None:
    if isinstance(body, dict) and "$base64" in body:
        return base64.b64decode(body["$base64"])
    if isinstance(body, str):
        return body.encode()
    return None


def reason(status: int | None, content: bytes | None) -> str:
    """A short description of a response, with generated values blanked out."""
    if content is None:
        return f"HTTP {status}"
    try:
        problem = json.loads(content)
    except ValueError:
        return f"HTTP {status}: {content[:120]!r}"
    if not isinstance(problem, dict):
        return f"HTTP {status}: {str(problem)[:120]}"
    errors = problem.get("errors")
    if isinstance(errors, list) and errors:
        parts = sorted(
            {
                f"{e.get('field')}: {normalize(str(e.get('message')))}"
                for e in errors
                if isinstance(e, dict)
            }
        )
        return f"HTTP {status}: " + "; ".join(parts)
    detail = problem.get("detail")
    if detail is not None:
        return f"HTTP {status}: {normalize(str(detail))}"
    return f"HTTP {status}: {json.dumps(problem)[:160]}"


def normalize(message: str) -> str:
    message = re.sub(r'"(?:[^"\\]|\\.)*" is not a valid slug', "<value> is not a valid slug", message)
    message = re.sub(r"no such slug: .*", "no such slug: <value>", message)
    message = re.sub(r'is at "v\d+", not .*?;', 'is at "v<n>", not <if-match>;', message)
    message = re.sub(r"\d{4}-\d\d-\d\dT[0-9:.]+Z?", "<time>", message)
    return message[:200]


def curl(request: dict[str, Any]) -> str:
    parts = ["curl", "-X", request.get("method", "GET")]
    for name, values in (request.get("headers") or {}).items():
        if name.lower() == "authorization":
            parts += ["-H", "Authorization: Bearer $TOKEN"]
            continue
        for value in values if isinstance(values, list) else [values]:
            parts += ["-H", f"{name}: {value}" if value != "" else f"{name};"]
    body = decode(request.get("body"))
    if body is not None:
        text = body.decode("utf-8", "backslashreplace")
        parts += ["-d", text if len(text) <= 600 else text[:600] + "...(cut)"]
    parts.append(request.get("uri", "?"))
    return " ".join(p if p.startswith("$") else shlex.quote(p) for p in parts).replace(
        "'Authorization: Bearer $TOKEN'", '"Authorization: Bearer $TOKEN"'
    )


def main() -> int:
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    errors: list[str] = []
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    with open(sys.argv[1], encoding="utf-8") as report:
        for line in report:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if finished is None:
                if "NonFatalError" in event or "FatalError" in event:
                    errors.append(json.dumps(event)[:400])
                continue
            recorder = finished.get("recorder") or {}
            interactions = recorder.get("interactions") or {}
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") == "success":
                        continue
                    info = (check.get("failure_info") or {}).get("failure") or {}
                    operation = info.get("operation") or recorder.get("label", "?")
                    title = f"{info.get('code', '')} {check.get('name')} ({info.get('title', check.get('status'))})"
                    interaction = interactions.get(case_id) or {}
                    response = interaction.get("response") or {}
                    status = response.get("status_code")
                    why = reason(status, decode(response.get("content")))
                    if info.get("type") not in {"RejectedPositiveData", "AcceptedNegativeData"}:
                        why = f"{why} | {normalize(info.get('message', '').splitlines()[0] if info.get('message') else '')}"
                    key = (operation, title, why)
                    counts[key] += 1
                    if key not in groups:
                        groups[key] = {"request": interaction.get("request") or {}, "message": info.get("message", "")}
    if not groups and not errors:
        print("schemathesis: no failures in the report")
        return 0
    print(f"schemathesis: {len(groups)} distinct failure(s)")
    for operation, title, why in sorted(groups):
        group = groups[(operation, title, why)]
        print(f"\n- {operation}: {title}, seen {counts[(operation, title, why)]}x")
        print(f"    {why}")
        if group["request"]:
            print(f"    {curl(group['request'])}")
    for error in errors:
        print(f"\n- error: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
