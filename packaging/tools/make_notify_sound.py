"""Write ``resources/sounds/notify.wav``: a short, soft two-tone chirp.

Run from the repository root (``python packaging/tools/make_notify_sound.py``). Only
the standard library is used, so the committed sound can always be regenerated and
reviewed: 0.2 s, mono, 16-bit, 44.1 kHz, a rising sine sweep with a smooth envelope
(no clicks at the start or end) at about a third of full scale.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 44_100
DURATION = 0.2
START_HZ = 880.0
END_HZ = 1320.0
PEAK = 0.35  # fraction of full scale: audible, not startling
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "resources" / "sounds" / "notify.wav"


def samples() -> list[int]:
    """The chirp as signed 16-bit samples."""
    count = int(RATE * DURATION)
    out: list[int] = []
    phase = 0.0
    for n in range(count):
        t = n / count
        freq = START_HZ + (END_HZ - START_HZ) * t
        phase += 2 * math.pi * freq / RATE
        envelope = math.sin(math.pi * t) ** 2  # zero at both ends: no click
        out.append(round(32767 * PEAK * envelope * math.sin(phase)))
    return out


def write(path: Path) -> None:
    """Write the chirp as a PCM WAV file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(struct.pack("<h", s) for s in samples())
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(data)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    write(target)
    print(f"wrote {target}")
