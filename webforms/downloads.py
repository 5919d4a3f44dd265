"""Files the browser saves rather than shows."""

from __future__ import annotations

import json
from typing import Any

from flask import Response


def download(body: str | bytes, *, mimetype: str, filename: str) -> Response:
    """Return `body` as a file the browser saves under `filename`."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def json_download(data: Any, *, filename: str) -> Response:
    """Return JSON-ready `data` as a readable UTF-8 JSON file."""
    return download(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        filename=filename,
    )
