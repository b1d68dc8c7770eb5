"""The upload scenario: a multipart file stored on disk (SPEC.md, upload).

Its checks run last of all: a broken multipart body is the input that has stopped a server
for good (Microdot's parser loops forever), and the checks after it would learn nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from scripts.check.core import Context, check, expect, expect_client_error, expect_status, send
from scripts.scenarios import UPLOAD_CONTENT, multipart_body

LARGE_UPLOAD = 10 * 1024 * 1024  # SPEC.md: files up to 10 MiB are stored whole
# Shared temporary folders, where nothing of a run may appear: a framework's spooled files
# belong in the server's own TMPDIR, inside the run's folder.
SHARED_TMP_DIRS = (Path("/tmp"), Path("/dev/shm"), Path(tempfile.gettempdir()))


@check("upload")
def upload_stored(ctx: Context) -> None:
    ctx.shared_before = _shared_tmp_entries()  # the first upload check: see Context
    paths = []
    for _ in range(2):
        response = send(ctx, "upload")
        expect_status(response, {200}, "POST /upload")
        content_type = response.headers.get("content-type", "")
        expect(
            content_type.startswith("text/plain"), f"content-type should start with text/plain, got {content_type!r}"
        )
        paths.append(response.text.strip())
    expect(paths[0] != paths[1], f"two uploads answered the same path {paths[0]!r}: each needs a new file")
    for answered in paths:
        _expect_stored(ctx, answered, UPLOAD_CONTENT)


def _expect_stored(ctx: Context, answered: str, content: bytes) -> None:
    """The answered path is a new file in the upload directory, holding exactly the bytes sent."""
    if ctx.upload_dir is None:
        return
    stored = Path(answered).resolve()
    expect(stored.is_relative_to(ctx.upload_dir.resolve()), f"{answered!r} is not in the upload directory")
    expect(stored.is_file(), f"{answered!r} does not exist")
    size = stored.stat().st_size
    expect(size == len(content), f"{answered!r} holds {size} bytes, {len(content)} were sent")
    expect(stored.read_bytes() == content, f"{answered!r} does not hold the uploaded bytes")


@check("upload")
def upload_10_mib(ctx: Context) -> None:
    content = bytes(range(256)) * (LARGE_UPLOAD // 256)
    response = send(ctx, "upload", content=multipart_body("file", "large.bin", content))
    expect_status(response, {200}, "POST /upload with a 10 MiB file")
    _expect_stored(ctx, response.text.strip(), content)


@check("upload")
def upload_without_file_field(ctx: Context) -> None:
    body = multipart_body("other", "other.txt", b"not the file field")
    response = send(ctx, "upload", content=body)
    expect_status(response, {400}, "multipart body without a 'file' field")


@check("upload")
def upload_not_multipart(ctx: Context) -> None:
    response = send(ctx, "upload", headers={"Content-Type": "application/json"}, content=b'{"file": "x"}')
    expect_status(response, {400, 415}, "a JSON body instead of multipart")


@check("upload")
def upload_without_body(ctx: Context) -> None:
    response = send(ctx, "upload", headers={}, content=b"")
    expect_status(response, {400, 415}, "POST /upload with no body")


@check("upload")
def upload_broken_multipart(ctx: Context) -> None:
    response = send(ctx, "upload", content=b"--not-the-boundary\r\ngarbage without an end")
    expect_client_error(response, "broken multipart body")


@check("upload")
def upload_other_methods(ctx: Context) -> None:
    for method in ("GET", "PUT"):
        response = send(ctx, "upload", method=method, content=b"")
        expect_status(response, {404, 405}, f"{method} /upload")


@check("upload")
def upload_leaves_nothing_outside_the_run(ctx: Context) -> None:
    """Whatever a framework spools must go to the server's TMPDIR, inside the run's folder,
    which the harness removes with the run; the shared temporary folders get nothing."""
    new = sorted(str(path) for path in _shared_tmp_entries() - ctx.shared_before if path.exists())
    expect(not new, f"the uploads left {', '.join(new)[:300]} outside the run's folder")


def _shared_tmp_entries() -> set[Path]:
    entries = set()
    for folder in SHARED_TMP_DIRS:
        try:
            entries.update(folder.iterdir())
        except OSError:
            continue
    return entries
