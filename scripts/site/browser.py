"""Headless Chromium for the site check: a fresh profile for each run, no way off the machine, and
what its network log shows leaving it.

Host names other than 127.0.0.1 resolve to nothing, so the browser's own background requests
(it makes some, whatever the flags) fail before any packet is sent; the network log then shows
every request the page made, every TCP connection and every datagram.
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit


class CheckError(Exception):
    """The site failed a check; the message says which and why."""


CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
    # Every host name but the local one resolves to nothing: no request can leave by name.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)  # fmt: skip
CHROMIUM_TIMEOUT_S = 120
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Each page is looked at, and its screenshot saved, at each of these window sizes: a desktop, and a phone.
VIEWPORTS = {"": (1280, 2400), "-phone": (390, 2400)}


def remote(url: str) -> bool:
    """True for a URL that would reach another machine; relative and local URLs are fine."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) and parts.hostname not in LOCAL_HOSTS


def network_problems(netlog: Path) -> list[str]:
    """What Chromium's network log shows leaving the machine, or the page fetching from elsewhere."""
    try:
        log = json.loads(netlog.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"no readable network log ({error})"]
    kinds = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    problems, page_requests, udp = [], 0, {}
    for event in log["events"]:
        kind, params = kinds.get(event["type"]), event.get("params") or {}
        if kind == "URL_REQUEST_START_JOB" and "url" in params:
            # Requests for the page carry its origin; the browser's own background requests do not.
            if "127.0.0.1" in f"{params.get('initiator', '')} {params.get('network_isolation_key', '')}":
                page_requests += 1
                if remote(params["url"]):
                    problems.append(f"the page requested {params['url']}")
        elif kind == "TCP_CONNECT_ATTEMPT" and "address" in params and not _loopback(params["address"]):
            problems.append(f"a TCP connection to {params['address']}")
        elif kind == "UDP_CONNECT" and "address" in params:
            udp[event["source"]["id"]] = params["address"]
        elif kind == "UDP_BYTES_SENT" and not _loopback(udp.get(event["source"]["id"], "unknown")):
            problems.append(f"a datagram to {udp.get(event['source']['id'], 'an unknown address')}")
    if not page_requests:
        problems.append("the network log holds no request for the page, so it proves nothing")
    return problems


def _loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def chromium(arguments: list[str], work: Path, size: tuple[int, int] = VIEWPORTS[""]) -> str:
    """Run Chromium with a fresh profile and home inside `work`; its whole process group goes when it is done."""
    home = Path(tempfile.mkdtemp(prefix="chromium-", dir=work))
    environment = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home), "XDG_CACHE_HOME": str(home)}
    window = f"--window-size={size[0]},{size[1]}"
    command = ["chromium", *CHROMIUM_FLAGS, window, f"--user-data-dir={home / 'profile'}", *arguments]
    try:
        process = subprocess.Popen(
            command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
    except OSError as error:
        raise CheckError(f"chromium did not start: {error}") from None
    try:
        output, errors = process.communicate(timeout=CHROMIUM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise CheckError(f"chromium did not finish within {CHROMIUM_TIMEOUT_S} s") from None
    finally:
        # Also whatever helper it left behind, such as its crash handler.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    if process.returncode != 0:
        raise CheckError(f"chromium exited with code {process.returncode}: {errors.strip()[-2000:]}")
    return output
