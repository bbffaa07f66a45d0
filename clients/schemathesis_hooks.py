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

"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

PROTECTED_USER_ID = os.environ["CHECK_CLIENTS_PROTECTED_USER_ID"]
STAND_IN_USER_ID = int(os.environ["CHECK_CLIENTS_STAND_IN_USER_ID"])
USER_ITEM_PATH = "/api/v1/admin/users/{id}"


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    if case.operation.path != USER_ITEM_PATH or case.method.upper() not in {"PATCH", "DELETE"}:
        return
    parameters = case.path_parameters
    if parameters is not None and str(parameters.get("id")) == PROTECTED_USER_ID:
        parameters["id"] = STAND_IN_USER_ID
