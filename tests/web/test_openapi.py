"""The REST API against its own OpenAPI document (``/api/openapi.json``), with Schemathesis:
requests generated from the document (valid ones and, for each operation, invalid ones),
sent with an editor's and an admin's API token to a workspace with a map and a comment
thread in it. No request may make a server error, and every answer must be one the
document describes (status, media type and body).

Generation is derandomised and bounded (:data:`EXAMPLES` per operation and kind of request:
valid, invalid, on any workspace, with a real body), so that a run is repeatable and takes
about ten seconds per database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from journeymap.web import store
from journeymap.web.db import Member, User

if TYPE_CHECKING:
    from conftest import Team

#: examples per operation and kind of request
EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


#: a map file as a script would send it
NEW_MAP = (
    "title: Returns\nstatus: draft\nstages:\n  - id: ask\n    name: Ask for a return\n"
    "  - id: refund\n    name: Refund\n"
)


def _real_data(team: Team) -> dict[str, Any]:
    """A map with two versions and a comment thread (with a reply), a spare member, and API
    tokens for the editor and the admin: the values of the path parameters, and bodies
    that a script would send."""
    slug = team.new_map(template="", title="Checkout").rsplit("/", 1)[-1]
    with team.app.state.sessions() as db:
        ws = store.workspace(db, "cx")
        row = store.get_map(db, ws, slug)
        users = {
            role: db.scalars(sa.select(User).where(User.email == team.emails[role])).one()
            for role in ("editor", "admin")
        }
        first = store.add_comment(db, row, users["editor"], "Is the first stage right?")
        store.add_comment(db, row, users["admin"], "Yes.", thread=first.id)
        v1 = store.version(db, row).text
        store.save_map(
            db, row, v1.replace("name: Before", "name: Browse"), base=1, author=users["editor"]
        )
        spare = store.create_user(db, "spare@example.com", "Spare", team.password)
        db.add(Member(workspace_id=ws.id, user_id=spare.id, role="viewer"))
        db.commit()
        tokens = [store.create_api_token(db, users[role], "schemathesis") for role in users]
        db.commit()
    return {
        "path": {"ws": "cx", "slug": slug, "user_id": spare.id},
        "tokens": tokens,
        "bodies": {
            "POST /api/v1/w/{ws}/maps": [{"text": NEW_MAP, "message": "from a script"}],
            "PUT /api/v1/w/{ws}/maps/{slug}": [
                # the same stage renamed again on version 1: a conflict (409)
                {"text": v1.replace("name: Before", "name: Pay"), "base": 1},
                # another field changed on version 1: merged with version 2
                {"text": v1.replace("status: draft", "status: approved"), "base": 1},
            ],
            "POST /api/v1/w/{ws}/maps/{slug}/comments": [
                {"body": "A reply", "thread": first.id},
                {"body": "On the stage", "anchor": "stage:before"},
            ],
            "PUT /api/v1/w/{ws}/members/{user_id}": [{"role": "commenter"}],
        },
    }


def test_the_api_keeps_to_its_openapi_document(team: Team) -> None:
    data = _real_data(team)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", team.app)
    failures: list[str] = []
    labels: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # the document itself is wrong
            failures.append(f"invalid operation: {result.err()}")
            continue
        operation = result.ok()
        labels.append(operation.label)
        names = {p.name for p in operation.path_parameters}
        real = {k: v for k, v in data["path"].items() if k in names}
        strategies = [
            # valid and invalid requests on the real workspace, map and member
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real),
            operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=real),
            # any workspace, map or member at all
            operation.as_strategy(GenerationMode.POSITIVE),
        ]
        strategies += [
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real, body=body)
            for body in data["bodies"].get(operation.label, [])
        ]

        @settings(
            max_examples=EXAMPLES * len(strategies),
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies), token=st.sampled_from(data["tokens"]))
        def check(case: Any, token: str) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures
            failures.append(f"{operation.label}:\n{exc}")
    assert sorted(labels) == sorted(
        f"{method.upper()} {path}"
        for path, methods in team.app.openapi()["paths"].items()
        for method in methods
    )
    assert set(data["bodies"]) <= set(labels)
    assert not failures, "\n\n".join(failures)
