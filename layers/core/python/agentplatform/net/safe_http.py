"""Outbound HTTP for user-controlled URLs, with SSRF protection.

Graph authors choose the URLs blocks call, and the platform runs inside a VPC/Lambda
with a metadata endpoint, so every request is checked:

- only ``http``/``https``;
- the host is resolved and *every* address must be public (no private, loopback,
  link-local/metadata, CGNAT, multicast, reserved or unspecified addresses, in IPv4 or
  IPv6, including IPv4-mapped and 6to4 forms);
- the connection goes to the address that was checked (the URL is rewritten to the IP,
  with the original ``Host`` header and TLS SNI), so DNS cannot answer differently
  between the check and the connect;
- redirects are followed by hand and every hop is checked again; credentials headers
  are dropped when a redirect leaves the original host.

Hosts listed in ``TRUST_ENDPOINTS_FOR_REQUESTS`` skip the address check: ``host``
trusts every port of that host, ``host:port`` or a URL with a port only that port.

``OUTBOUND_HOST_OVERRIDES`` (``host=origin,...``) sends every request for a host to
another origin, path and query unchanged and the original ``Host`` header kept: for
egress proxies, regional endpoints, and pointing blocks at local stubs. An override is
configured by the operator, so its origin is trusted.

A client built with ``proxy=`` (a block's forward proxy, such as a residential proxy
service) sends requests through it: the target is then reached from the proxy's
network, not ours, so the proxy's own address is the one checked and pinned. An
overridden host still goes straight to its origin.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from agentplatform.config import get_settings

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_REDIRECTS = 10
DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024
# Headers that identify the caller; never forwarded to another host on a redirect.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})

# Spelled out (beyond ``ipaddress``'s flags) so the policy is reviewable in one place.
BLOCKED_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",
        "100::/64",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)


class BlockedRequestError(ValueError):
    """The URL or one of its redirects points somewhere the platform must not reach."""


@dataclass
class SafeResponse:
    status_code: int
    headers: dict[str, str]
    content: bytes
    url: str
    history: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.content.decode(self._charset() or "utf-8", errors="replace")

    def json(self) -> Any:
        import json

        return json.loads(self.content)

    def _charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip('"')
        return None


def is_blocked_ip(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    ip = ipaddress.ip_address(str(address).split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None and is_blocked_ip(embedded):
            return True
        if ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64 of an IPv4 address
            return is_blocked_ip(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if any(ip in net for net in BLOCKED_NETWORKS if net.version == ip.version):
        return True
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _trusted_entries() -> list[tuple[str, int | None]]:
    entries = []
    for raw in get_settings().trust_endpoints_for_requests:
        parsed = urlsplit(raw if "://" in raw else f"//{raw}")
        if parsed.hostname:
            entries.append((parsed.hostname.lower(), parsed.port))
    return entries


def is_trusted(host: str, port: int) -> bool:
    host = host.lower()
    return any(host == t_host and (t_port is None or t_port == port) for t_host, t_port in _trusted_entries())


def _override_for(host: str) -> tuple[str, str] | None:
    """``(scheme, netloc)`` of the origin that replaces ``host``, if one is configured."""
    origin = get_settings().outbound_host_overrides.get(host)
    if origin is None:
        return None
    parts = urlsplit(origin)
    return parts.scheme.lower(), parts.netloc


async def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to. Tests replace this to fake DNS answers."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BlockedRequestError(f"Unable to resolve host {host}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class _Target:
    """A checked hop: the URL to send, and the host identity to present."""

    url: str
    host_header: str | None
    sni_hostname: str | None
    host: str


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _checked_host(url: str) -> str:
    """The host of an http(s) URL, or ``BlockedRequestError``."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise BlockedRequestError(f"URL scheme {parts.scheme!r} is not allowed (use http or https)")
    host = (parts.hostname or "").lower()
    if not host:
        raise BlockedRequestError(f"URL has no host: {url}")
    return host


async def check_url(url: str) -> _Target:
    """Validate one hop and pin it to a checked address."""
    parts = urlsplit(url)
    host = _checked_host(url)
    try:
        port = parts.port or _default_port(parts.scheme.lower())
    except ValueError as exc:
        raise BlockedRequestError(f"Invalid port in URL: {url}") from exc
    override = _override_for(host)
    if override is not None:
        scheme, netloc = override
        host_header = parts.netloc.rpartition("@")[2]
        sni = host if scheme == "https" else None
        return _Target(urlunsplit(parts._replace(scheme=scheme, netloc=netloc)), host_header, sni, host)
    if is_trusted(host, port):
        return _Target(url, None, None, host)
    literal = _ip_literal(host)
    addresses = [str(literal)] if literal is not None else await resolve_addresses(host, port)
    if not addresses:
        raise BlockedRequestError(f"Host {host} has no addresses")
    for address in addresses:
        if is_blocked_ip(address):
            raise BlockedRequestError(
                f"Access to blocked or private IP address {address} for hostname {host} is not allowed."
            )
    if literal is not None:
        return _Target(url, None, None, host)
    pinned = addresses[0]
    netloc = f"[{pinned}]" if ":" in pinned else pinned
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    host_header = host if not parts.port else f"{host}:{parts.port}"
    sni = host if parts.scheme.lower() == "https" else None
    return _Target(urlunsplit(parts._replace(netloc=netloc)), host_header, sni, host)


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One verified TLS context per process: building it (loading the CA bundle) costs
    tens of milliseconds, far more than the request it would guard."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class SafeHttpClient:
    """An httpx client that only talks to checked addresses (see module docstring)."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        proxy: str | None = None,
    ):
        import httpx  # deferred: only blocks that make requests pay for it

        # trust_env=False: an environment proxy would defeat address pinning.
        self._client = httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls_context()
        )
        self._max_redirects = max_redirects
        self._timeout = timeout
        self._proxy_url = proxy
        self._proxied: Any = None  # built on first use, once the proxy's address is checked

    async def __aenter__(self) -> SafeHttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()
        if self._proxied is not None:
            await self._proxied.aclose()

    async def _route(self, url: str) -> tuple[Any, _Target]:
        """The client and checked hop for ``url``: through the proxy when there is one."""
        host = _checked_host(url)
        if self._proxy_url is None or _override_for(host) is not None:
            return self._client, await check_url(url)
        if self._proxied is None:
            self._proxied = await self._proxy_client(self._proxy_url)
        return self._proxied, _Target(url, None, None, host)

    async def _proxy_client(self, proxy_url: str) -> Any:
        import httpx

        parts = urlsplit(proxy_url)
        hop = await check_url(urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])))
        auth = (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
        return httpx.AsyncClient(
            proxy=httpx.Proxy(hop.url, auth=auth),
            timeout=self._timeout,
            follow_redirects=False,
            trust_env=False,
            verify=_tls_context(),
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        sensitive_headers: set[str] | frozenset[str] = frozenset(),
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> SafeResponse:
        method = method.upper()
        headers = dict(headers or {})
        first_host = (urlsplit(url).hostname or "").lower()
        dropped = {name.lower() for name in sensitive_headers} | CREDENTIAL_HEADERS
        history: list[str] = []
        body: dict[str, Any] = {"json": json, "data": data, "files": files}
        for _ in range(self._max_redirects + 1):
            client, target = await self._route(url)
            response = await self._send(client, method, target, headers, body, max_body_bytes)
            location = response.headers.get("location")
            if response.status_code not in (301, 302, 303, 307, 308) or not location:
                response.history = history
                response.url = url
                return response
            history.append(url)
            url = urljoin(url, location)
            if response.status_code in (301, 302, 303) and method != "HEAD":
                # As browsers do: the redirected request is a GET without the body.
                method = "GET" if response.status_code == 303 or method == "POST" else method
                if method == "GET":
                    body = {"json": None, "data": None, "files": None}
            if (urlsplit(url).hostname or "").lower() != first_host:
                headers = {k: v for k, v in headers.items() if k.lower() not in dropped}
        raise BlockedRequestError(f"Too many redirects (more than {self._max_redirects})")

    async def _send(
        self,
        client: Any,
        method: str,
        target: _Target,
        headers: dict[str, str],
        body: dict[str, Any],
        max_body_bytes: int,
    ) -> SafeResponse:
        send_headers = dict(headers)
        if target.host_header:
            send_headers = {k: v for k, v in send_headers.items() if k.lower() != "host"}
            send_headers["Host"] = target.host_header
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
        data = body["data"]
        raw = data if isinstance(data, str | bytes) else None  # a raw body, not form fields
        request = client.build_request(
            method,
            target.url,
            headers=send_headers,
            json=body["json"],
            data=None if raw is not None else data,
            content=raw,
            files=body["files"],
            extensions=extensions,
        )
        response = await client.send(request, stream=True)
        try:
            content = bytearray()
            async for chunk in response.aiter_bytes():
                content.extend(chunk)
                if len(content) > max_body_bytes:
                    raise BlockedRequestError(f"Response body is larger than {max_body_bytes} bytes")
        finally:
            await response.aclose()
        response_headers = {key.lower(): value for key, value in response.headers.items()}
        return SafeResponse(response.status_code, response_headers, bytes(content), target.url)
