"""SSRF protection of the outbound HTTP client (agentplatform.net.safe_http)."""

from __future__ import annotations

import asyncio

import pytest

from agentplatform.config import get_settings
from agentplatform.net import safe_http
from agentplatform.net.safe_http import BlockedRequestError, SafeHttpClient, check_url, is_blocked_ip
from tests.support.http_server import echo_route, json_route, loopback_server, redirect_route


@pytest.fixture
def trust(monkeypatch):
    """Set TRUST_ENDPOINTS_FOR_REQUESTS for one test (settings are cached per process)."""

    def apply(*entries: str) -> None:
        monkeypatch.setenv("TRUST_ENDPOINTS_FOR_REQUESTS", ",".join(entries))
        get_settings.cache_clear()

    yield apply
    monkeypatch.delenv("TRUST_ENDPOINTS_FOR_REQUESTS", raising=False)
    get_settings.cache_clear()


@pytest.fixture
def fake_dns(monkeypatch):
    """Answer DNS from a table; an unknown name fails the test loudly."""
    table: dict[str, list[str]] = {}

    async def resolve(host: str, port: int) -> list[str]:
        assert host in table, f"unexpected DNS lookup of {host}"
        return table[host]

    monkeypatch.setattr(safe_http, "resolve_addresses", resolve)
    return table


def fetch(url: str, **kwargs):
    async def go():
        async with SafeHttpClient() as client:
            return await client.request("GET", url, **kwargs)

    return asyncio.run(go())


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "10.255.255.254",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",
        "2002:a00:1::1",
    ],
)
def test_private_and_special_addresses_are_blocked(address):
    assert is_blocked_ip(address)


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "64:ff9b::808:808"]
)
def test_public_addresses_are_allowed(address):
    assert not is_blocked_ip(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8080/admin",
        "http://10.0.0.1/",
        "http://10.20.30.40:9000/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::1]:8080/",
        "http://[fd00:ec2::254]/",
    ],
)
def test_literal_private_urls_are_refused_before_connecting(url, fake_dns):
    with pytest.raises(BlockedRequestError, match="blocked or private IP address"):
        fetch(url)


def test_dns_name_resolving_to_private_address_is_refused(fake_dns):
    fake_dns["internal.example.com"] = ["10.1.2.3"]
    with pytest.raises(BlockedRequestError, match=r"10\.1\.2\.3 for hostname internal\.example\.com"):
        fetch("http://internal.example.com/")


def test_dns_name_with_any_private_answer_is_refused(fake_dns):
    fake_dns["mixed.example.com"] = ["93.184.215.14", "127.0.0.1"]
    with pytest.raises(BlockedRequestError, match=r"127\.0\.0\.1"):
        fetch("https://mixed.example.com/")


def test_dns_name_resolving_to_metadata_address_over_ipv6_is_refused(fake_dns):
    fake_dns["meta.example.com"] = ["fd00:ec2::254"]
    with pytest.raises(BlockedRequestError):
        fetch("http://meta.example.com/")


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/", "http:///nohost"]
)
def test_only_http_and_https_with_a_host(url):
    with pytest.raises(BlockedRequestError):
        fetch(url)


def test_public_name_is_pinned_to_the_checked_address(fake_dns):
    fake_dns["api.example.com"] = ["93.184.215.14"]
    target = asyncio.run(check_url("https://api.example.com:8443/v1?q=1"))
    assert target.url == "https://93.184.215.14:8443/v1?q=1"
    assert target.host_header == "api.example.com:8443"
    assert target.sni_hostname == "api.example.com"


def test_ipv6_answer_is_bracketed_when_pinned(fake_dns):
    fake_dns["v6.example.com"] = ["2606:4700:4700::1111"]
    target = asyncio.run(check_url("http://v6.example.com/"))
    assert target.url == "http://[2606:4700:4700::1111]/"
    assert target.host_header == "v6.example.com"
    assert target.sni_hostname is None


def test_trusted_loopback_server_is_reachable(trust):
    with loopback_server({"/ok": json_route(200, {"hello": "world"})}) as server:
        trust(f"127.0.0.1:{server.port}")
        response = fetch(f"{server.base_url}/ok")
    assert response.status_code == 200
    assert response.json() == {"hello": "world"}
    assert response.headers["content-type"] == "application/json"


def test_trust_with_a_port_does_not_cover_other_ports(trust):
    trust("127.0.0.1:1")
    with pytest.raises(BlockedRequestError, match=r"127\.0\.0\.1"):
        fetch("http://127.0.0.1:2/")


def test_trust_as_url_and_bare_host(trust):
    trust("http://localhost:8000", "internal.service")
    assert safe_http.is_trusted("localhost", 8000)
    assert not safe_http.is_trusted("localhost", 8001)
    assert safe_http.is_trusted("INTERNAL.service", 443)
    assert not safe_http.is_trusted("other.service", 443)


def test_untrusted_loopback_server_is_refused():
    with loopback_server({"/ok": json_route(200, {})}) as server:
        with pytest.raises(BlockedRequestError):
            fetch(f"{server.base_url}/ok")
        assert server.requests == []


def test_redirect_into_private_address_is_refused(trust):
    with loopback_server({"/go": redirect_route("http://10.0.0.5/internal")}) as server:
        trust(f"127.0.0.1:{server.port}")
        with pytest.raises(BlockedRequestError, match=r"10\.0\.0\.5"):
            fetch(f"{server.base_url}/go")
        assert [r.path for r in server.requests] == ["/go"]


def test_redirect_to_name_resolving_to_private_address_is_refused(trust, fake_dns):
    fake_dns["sneaky.example.com"] = ["169.254.169.254"]
    with loopback_server({"/go": redirect_route("http://sneaky.example.com/latest/meta-data/")}) as server:
        trust(f"127.0.0.1:{server.port}")
        with pytest.raises(BlockedRequestError, match=r"169\.254\.169\.254"):
            fetch(f"{server.base_url}/go")


def test_redirect_to_untrusted_port_of_trusted_host_is_refused(trust):
    with (
        loopback_server({}) as untrusted,
        loopback_server({"/go": redirect_route(f"{untrusted.base_url}/")}) as server,
    ):
        trust(f"127.0.0.1:{server.port}")
        with pytest.raises(BlockedRequestError):
            fetch(f"{server.base_url}/go")
        assert untrusted.requests == []


def test_redirect_within_trusted_server_is_followed(trust):
    routes = {"/start": redirect_route("/final", status=301), "/final": json_route(200, {"done": True})}
    with loopback_server(routes) as server:
        trust(f"127.0.0.1:{server.port}")
        response = fetch(f"{server.base_url}/start")
    assert response.status_code == 200
    assert response.json() == {"done": True}
    assert response.history == [f"{server.base_url}/start"]
    assert response.url == f"{server.base_url}/final"


def test_redirect_loop_stops(trust):
    with loopback_server({"/loop": redirect_route("/loop")}) as server:
        trust(f"127.0.0.1:{server.port}")
        with pytest.raises(BlockedRequestError, match="Too many redirects"):
            fetch(f"{server.base_url}/loop")


def test_credentials_are_not_forwarded_to_another_host(trust):
    with loopback_server({"/echo": echo_route()}) as other:
        routes = {"/go": redirect_route(f"http://localhost:{other.port}/echo", status=307)}
        with loopback_server(routes) as server:
            trust(f"127.0.0.1:{server.port}", f"localhost:{other.port}")
            response = fetch(
                f"{server.base_url}/go",
                headers={"Authorization": "Bearer secret", "X-Api-Key": "k", "X-Plain": "p"},
                sensitive_headers={"X-Api-Key"},
            )
    seen = response.json()["headers"]
    assert "authorization" not in seen
    assert "x-api-key" not in seen
    assert seen["x-plain"] == "p"


def test_response_body_limit(trust):
    with loopback_server({"/big": json_route(200, "x" * 5000)}) as server:
        trust(f"127.0.0.1:{server.port}")
        with pytest.raises(BlockedRequestError, match="larger than 100 bytes"):
            fetch(f"{server.base_url}/big", max_body_bytes=100)


@pytest.fixture
def overrides(monkeypatch):
    """Set OUTBOUND_HOST_OVERRIDES for one test."""

    def apply(value: str) -> None:
        monkeypatch.setenv("OUTBOUND_HOST_OVERRIDES", value)
        get_settings.cache_clear()

    yield apply
    monkeypatch.delenv("OUTBOUND_HOST_OVERRIDES", raising=False)
    get_settings.cache_clear()


def test_overridden_host_goes_to_its_origin_with_path_query_and_host_kept(overrides):
    with loopback_server({"/search": echo_route()}) as server:
        overrides(f"s.jina.ai={server.base_url},api.openai.com={server.base_url}")
        response = fetch("https://s.jina.ai/search?q=agents&n=2")
    assert response.status_code == 200
    assert response.json()["headers"]["host"] == "s.jina.ai"
    assert [r.path for r in server.requests] == ["/search?q=agents&n=2"]


def test_override_covers_only_its_host(overrides):
    with loopback_server({"/ok": json_route(200, {})}) as server:
        overrides(f"s.jina.ai={server.base_url}")
        with pytest.raises(BlockedRequestError):
            fetch(f"{server.base_url}/ok")  # the origin itself is not trusted by the override
        assert server.requests == []


def test_redirects_on_an_overridden_host_stay_on_its_origin(overrides):
    routes = {"/old": redirect_route("/new"), "/new": json_route(200, {"moved": True})}
    with loopback_server(routes) as server:
        overrides(f"r.jina.ai={server.base_url}")
        response = fetch("https://r.jina.ai/old")
    assert response.json() == {"moved": True}
    assert response.url == "https://r.jina.ai/new"
    assert [r.path for r in server.requests] == ["/old", "/new"]


@pytest.mark.parametrize("value", ["s.jina.ai", "s.jina.ai=127.0.0.1:9100", "=http://127.0.0.1:1"])
def test_malformed_overrides_are_refused_at_startup(overrides, value):
    with pytest.raises(ValueError, match="OUTBOUND_HOST_OVERRIDES"):
        overrides(value)
        get_settings()


def _fetch_via(proxy: str, url: str):
    async def go():
        async with SafeHttpClient(proxy=proxy) as client:
            return await client.request("GET", url)

    return asyncio.run(go())


def test_a_proxy_carries_the_request_and_only_the_proxy_address_is_checked(overrides, fake_dns):
    import base64

    # A forward proxy receives the absolute URL; the target is resolved on its side.
    with loopback_server({"http://www.example.com/page": json_route(200, {"via": "proxy"})}) as server:
        overrides(f"proxy.test={server.base_url}")
        response = _fetch_via("http://user-rotate:p%40ss@proxy.test:80", "http://www.example.com/page")
    assert response.json() == {"via": "proxy"}
    (request,) = server.requests
    assert request.path == "http://www.example.com/page"
    expected = base64.b64encode(b"user-rotate:p@ss").decode()
    assert request.headers["Proxy-Authorization"] == f"Basic {expected}"
    assert fake_dns == {}  # no lookup of www.example.com on our side


def test_an_overridden_host_bypasses_the_proxy(overrides):
    with loopback_server({"/direct": json_route(200, {"via": "override"})}) as server:
        overrides(f"api.example.com={server.base_url}")
        response = _fetch_via("http://proxy.invalid:80", "https://api.example.com/direct")
    assert response.json() == {"via": "override"}


def test_a_proxy_on_a_private_address_is_refused():
    with pytest.raises(BlockedRequestError, match=r"10\.0\.0\.1"):
        _fetch_via("http://10.0.0.1:3128", "http://www.example.com/")
