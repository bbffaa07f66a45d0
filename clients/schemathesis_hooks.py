"""schemathesis hooks for scripts/check-clients.sh (loaded through SCHEMATHESIS_HOOKS).

The run is authorized as one admin. Left alone, schemathesis soon creates a
second admin and then deletes, disables or demotes the first one (the server
rightly allows it once another admin exists, and `If-Match: *` is a valid
precondition); every operation after that is answered 401, which the checks
accept, so the rest of the run would prove nothing.

So a PATCH or DELETE of /api/v1/admin/users/{id} aimed at the admin the run is
logged in as is aimed at a stand-in user instead: an author account the script
creates for this before the run. The request is otherwise sent as generated
(body, If-Match and all) and checked as usual; only the target changes.
Nothing else is touched.

Uploads to the media library (POST /api/v1/admin/media) are judged by their
bytes: random bytes in `file`, which the schema allows (any binary), are
rightly refused with 415, as the document says. So a generated upload whose
`file` is bytes or text gets a real image's bytes (a 1×1 PNG) in it; every
other part is sent as generated, and a `file` of the wrong type is left as
it is (a negative case stays negative).
"""

from __future__ import annotations

import base64
import os
from typing import Any

import schemathesis

PROTECTED_USER_ID = os.environ["CHECK_CLIENTS_PROTECTED_USER_ID"]
STAND_IN_USER_ID = int(os.environ["CHECK_CLIENTS_STAND_IN_USER_ID"])
USER_ITEM_PATH = "/api/v1/admin/users/{id}"
UPLOAD_PATH = "/api/v1/admin/media"
ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    if case.operation.path == UPLOAD_PATH and case.method.upper() == "POST":
        mode = getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", None)
        positive = mode is None or str(getattr(mode, "value", mode)).lower() == "positive"
        if positive and isinstance(case.body, dict) and isinstance(case.body.get("file"), (bytes, str)):
            case.body["file"] = ONE_PIXEL_PNG
            # Other operations may show it: with alt text, they can.
            if not str(case.body.get("alt") or "").strip():
                case.body["alt"] = "A test pixel"
        return
    if case.operation.path != USER_ITEM_PATH or case.method.upper() not in {"PATCH", "DELETE"}:
        return
    parameters = case.path_parameters
    if parameters is not None and str(parameters.get("id")) == PROTECTED_USER_ID:
        parameters["id"] = STAND_IN_USER_ID
