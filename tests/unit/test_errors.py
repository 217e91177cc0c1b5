"""HTTP errors become one readable exception each; the key never leaks."""

import pytest

from chatui import errors as E

KEY = "sk-live-ABCDEFGH12345678"


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "words"),
    [
        (400, b'{"error":{"message":"Unsupported parameter: temperature","type":"invalid_request_error","param":"temperature","code":null}}', {}, E.BadRequest, "Unsupported parameter"),
        (401, b'{"error":{"message":"Incorrect API key","code":"invalid_api_key"}}', {}, E.AuthError, "key was rejected"),
        (403, b'{"error":{"message":"insufficient_user_quota"},"type":"error"}', {}, E.QuotaExceeded, "out of credit"),
        (404, b'{"error":{"message":"The model x does not exist","code":"model_not_found"}}', {}, E.NotFound, "does not know"),
        (503, b'{"error":{"message":"Incorrect model ID (tid: 2025abc)","type":"Aihubmix_api_error"},"type":"error"}', {}, E.NotFound, "no route"),
        (413, b"<html><title>413 Request Entity Too Large</title></html>", {}, E.TooLarge, "too large"),
        (429, b'{"error":{"message":"Rate limit","code":"rate_limit_exceeded"}}', {"retry-after": "7"}, E.RateLimited, "7 s"),
        (429, b'{"error":{"message":"You exceeded your current quota","type":"insufficient_quota"}}', {}, E.QuotaExceeded, "quota"),
        (502, b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>", {}, E.ServerError, "HTML error page"),
        (500, b"error code: 502", {}, E.ServerError, "HTTP 500"),
        (422, b'{"detail":[{"loc":["body","input"],"msg":"field required"}]}', {}, E.BadRequest, "field required"),
    ],
)
def test_status_mapping(status, body, headers, cls, words):
    err = E.error_for_status(status, body, headers, model="m", base_url="http://x/v1", secret=KEY)
    assert type(err) is cls
    assert words in str(err)


def test_request_id_from_header_and_aihubmix_tid():
    err = E.error_for_status(500, b"{}", {"x-request-id": "req_1"})
    assert err.request_id == "req_1"
    err = E.error_for_status(503, b'{"error":{"message":"no channel (tid: 2025XYZ)"}}', {})
    assert err.request_id == "2025XYZ"


def test_retry_after_ms_wins():
    err = E.error_for_status(429, b"{}", {"retry-after-ms": "250", "retry-after": "9"})
    assert err.retry_after == 0.25


def test_key_is_scrubbed_from_server_text():
    body = f'{{"error":{{"message":"Incorrect API key provided: {KEY}. Also {KEY[:8]}...{KEY[-8:]}"}}}}'.encode()
    err = E.error_for_status(401, body, {}, secret=KEY)
    text = str(err) + repr(err.to_dict())
    assert KEY not in text and KEY[-8:] not in text
