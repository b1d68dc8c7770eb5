"""The three benchmark scenarios and the exact request each one sends.

The verification checks, the wrk script and the Python load generator all build their
requests from here, so the load is the request that was verified.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

UPLOAD_BOUNDARY = "benchmarkboundary7d93b1a2"
UPLOAD_CONTENT = b"benchmark upload: " + bytes(range(32, 127)) * 40 + b"\n"
API_BODY = {"name": "benchmark", "tags": ["a", "b"], "active": True, "score": 12.5}
API_USER = 42
API_RECORD = 1337


def multipart_body(field_name: str, filename: str, content: bytes, boundary: str = UPLOAD_BOUNDARY) -> bytes:
    """A multipart/form-data body holding one file field."""
    return (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def raw(self, host: str) -> bytes:
        """The request as bytes on the wire (HTTP/1.1, keep-alive)."""
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method in {"POST", "PUT", "PATCH"}:
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


SCENARIOS: dict[str, Request] = {
    "html": Request("GET", "/html"),
    "api": Request(
        "PUT",
        f"/api/users/{API_USER}/records/{API_RECORD}?query=test",
        {"Authorization": "Bearer benchmark-token", "Content-Type": "application/json"},
        json.dumps(API_BODY).encode(),
    ),
    "upload": Request(
        "POST",
        "/upload",
        {"Content-Type": f"multipart/form-data; boundary={UPLOAD_BOUNDARY}"},
        multipart_body("file", "upload.txt", UPLOAD_CONTENT),
    ),
}
