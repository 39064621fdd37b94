"""The office's refusals carry no HTTP status; the edge maps each to one, in one table."""
import json

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request

from lianxin import errors
from lianxin.http import ApiError, ApiWebServer, JsonHttpHandler, http_status


@pytest.mark.parametrize("refusal, status, code", [
    (errors.Refused("format must be json or csv"), 400, "bad_request"),
    (errors.Invalid("RouteIn is not valid"), 422, "invalid"),
    (errors.NotFound("no case 'C09999999'"), 404, "not_found"),
    (errors.Conflict("case C00000001 is closed"), 409, "conflict"),
    (errors.NotIdentified("send your staff token"), 401, "unauthorised"),
    (errors.NotAllowed("only its handlers and head act on it"), 403, "forbidden"),
    (errors.Unavailable("the accounts service is not answering"), 503, "unavailable"),
    (errors.TooManyTries("too many wrong links", 30), 429, "too_many_requests"),
])
def test_each_refusal_answers_its_status_in_the_common_format(refusal, status, code):
    assert not hasattr(type(refusal), "status")  # the domain knows no HTTP
    response = JsonHttpHandler("GET", "/x").response_from_exception(refusal)
    assert (response.status_code, json.loads(response.get_data())["error"]["code"]) == (status, code)
    assert json.loads(response.get_data())["error"]["message"] == refusal.said_in("zh")[0]  # no Accept-Language


def test_too_many_tries_says_when_to_come_back():
    response = JsonHttpHandler("GET", "/x").response_from_exception(errors.TooManyTries("too many", 42))
    assert response.headers["Retry-After"] == "42"


def test_a_refusal_not_yet_converted_keeps_the_status_it_names():
    class SignInRefused(ApiError):
        status, code = 401, "sign_in_refused"
    assert http_status(SignInRefused("wrong password")) == 401
    assert http_status(ApiError("bad")) == 400


def test_an_unknown_case_in_an_event_is_no_refusal():
    assert not issubclass(errors.UnknownCase, errors.Refused)  # it goes to the dead-letter queue, never to a client



def test_a_path_no_route_takes_is_refused_by_the_api_most_of_its_nearest_routes_belong_to():
    """Regression: /open311/v2/no/such/thing.json came back in the common format whenever nameko's set of
    providers happened to list intake's one plain-JSON route under /open311/v2/ (media) first."""
    class Open311Route(JsonHttpHandler):
        def refusal(self, request, exc):
            return "open311"

    routes = [Open311Route("GET", "/open311/v2/services.<string:fmt>"),
              Open311Route("GET", "/open311/v2/requests.<string:fmt>"),
              JsonHttpHandler("GET", "/open311/v2/media/<string:digest>"), JsonHttpHandler("GET", "/reports")]
    server = ApiWebServer()
    for order in (routes, routes[::-1]):
        server._providers = order
        assert server.refusal(Request.from_values("/open311/v2/no/such/thing.json"), NotFound()) == "open311"
        elsewhere = server.refusal(Request.from_values("/nowhere"), NotFound())
        assert elsewhere.status_code == 404 and json.loads(elsewhere.data)["error"]["code"] == "http_error"
