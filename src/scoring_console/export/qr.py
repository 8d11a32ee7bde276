"""QR codes of receipts, as PNG bytes (segno: small, pure Python, no dependencies)."""

from __future__ import annotations

import io

import segno


def qr_png(payload: str, scale: int = 6) -> bytes:
    """A PNG of ``payload`` as a QR code (error correction M, a quiet zone of 4 modules)."""
    code = segno.make_qr(payload, error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
