"""The OpenAPI document's parts that the views share: the key's security scheme, the headers of
the lost-update and one-time-key rules, and the problem answers each operation can give (every
status an operation can answer is listed, so a client, and schemathesis, can rely on the list)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api.problems import MEDIA_TYPE
from api.serializers import Problem


class ServiceKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ServiceKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a key an admin made for a service account, with one scope.",
        }


PROBLEM_WORDS = {
    400: "The request is not valid, or the rules refuse it: `detail` says why, `errors` names each field.",
    401: "No valid API key and not signed in.",
    403: "The key's scope or the account's role does not allow this, or the rules say this person may not.",
    404: "Not found, or outside what this key or person may see.",
    409: "Not possible in the escalation's state (or the committee paper is waiting to be checked).",
    412: "The escalation changed after the version sent as If-Match: `changes` says what, `current_version` the "
    "version now.",
    415: "The body must be JSON (Content-Type: application/json).",
    428: "If-Match is required: send the ETag of the escalation as you read it.",
    429: "Too many requests from this key: try again after Retry-After seconds.",
}

RETRY_AFTER = OpenApiParameter(
    "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429], description="Seconds to wait."
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The escalation\'s version, quoted ("7"): send it as If-Match with a change.',
)
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="`true` when this Idempotency-Key was used before: the answer is that change's, nothing new was done.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    pattern=r'^"[0-9]{1,9}"$',
    description='The ETag of the escalation as you read it ("7"). A stale one gets 412 with what changed.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    pattern=r"^[!-~]{1,64}$",
    description="A one-time key (say a UUID): the same change sent again with it is made once, and answered as the "
    "first time.",
)


def answers(ok: dict, *codes: int) -> dict:
    """``ok`` (status -> serializer) with the problem answers ``codes``, and 401, 403 and 429, which
    any operation can give."""
    out = dict(ok)
    for code in sorted({401, 403, 429, *codes}):
        out[(code, MEDIA_TYPE)] = OpenApiResponse(Problem, description=PROBLEM_WORDS[code])
    return out
