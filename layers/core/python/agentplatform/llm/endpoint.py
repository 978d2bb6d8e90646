"""Outbound URL policy for user-chosen endpoints (credential ``base_url``, ``ollama_host``).

A private, loopback or link-local address is refused unless its host is listed in
``TRUST_ENDPOINTS_FOR_REQUESTS`` (hostnames, ``host:port`` or URLs), so a graph cannot
make the platform probe its own network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlparse

from agentplatform.config import get_settings


def _trusted_hosts() -> set[str]:
    hosts: set[str] = set()
    for entry in get_settings().trust_endpoints_for_requests:
        parsed = urlparse(entry if "://" in entry else f"//{entry}")
        if parsed.hostname:
            hosts.add(parsed.hostname.lower())
            if parsed.port:
                hosts.add(f"{parsed.hostname.lower()}:{parsed.port}")
    return hosts


def _blocked(ip: str) -> bool:
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    return (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_reserved
        or addr.is_multicast
        or addr.is_unspecified
    )


async def check_endpoint(url: str) -> None:
    """Raise ValueError when ``url`` points at a blocked address and is not trusted."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if parsed.scheme not in ("http", "https") or not host:
        raise ValueError(f"Invalid endpoint URL: {url}")
    trusted = _trusted_hosts()
    if host in trusted or (parsed.port and f"{host}:{parsed.port}" in trusted):
        return
    try:
        infos = await asyncio.to_thread(socket.getaddrinfo, host, parsed.port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValueError(f"Unable to resolve endpoint host {host}") from exc
    for info in infos:
        ip = str(info[4][0])
        if _blocked(ip):
            raise ValueError(
                f"Access to blocked or private IP address {ip} for hostname {host} is not allowed."
            )
