"""Sending a spreadsheet the server wrote to a temporary file: streamed, never read whole."""

from __future__ import annotations

from typing import IO

from flask import Response, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_xlsx(file: IO[bytes], filename: str) -> Response:
    """The file as an attachment, sent in blocks; closed (and so deleted) once sent."""
    response = send_file(file, mimetype=XLSX, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
