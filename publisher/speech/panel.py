"""A panel of real voices, built at test time so who speaks when is known: lines of
four voices installed by scripts/setup.sh (a LibriVox reader from
pocketsphinx-testdata, Asterisk's prompt voice, linphone's hello, moonshine-voice's
two_cities.wav reader), taken in turns with chosen pauses under a room noise. Also
pyannote's two-speaker sample call with its reference turns (sample.rttm)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..audio.tools import tool
from ..fsutil import package_file
from .samples import join, librivox, pauses, with_room_noise

# asterisk-core-sounds-en-wav's own folder; "en" is a link to it only where the
# asterisk-core-sounds-en package is installed too
ASTERISK = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
LINPHONE = Path("/usr/share/sounds/linphone/hello16000.wav")  # linphone-common
PROMPTS = ("tt-allbusy", "vm-review", "queue-periodic-announce", "vm-opts", "vm-instructions")
HELLO = ((0.0, 4.4), (4.4, 10.6))  # its lines, cut at its pauses (seconds)
CITIES = ((0.8, 8.55), (8.55, 13.2), (13.2, 17.2), (17.2, 24.35), (24.35, 28.7), (28.7, 32.56))
# who speaks each turn, in order: the moderator (prompts) asks, the others answer
SCRIPT = "mrmchcrmcrhmcrcm"
GAPS = (0.8, 0.5, 1.0, 0.3, 0.7, 0.4, 1.2, 0.6, 0.35, 0.9, 0.5, 0.8, 0.3, 1.0, 0.6)
NOISE_DB = -45.0  # the room: a steady noise this loud (dBFS RMS) under everything


@dataclass(frozen=True)
class Turn:
    """A known turn: a voice speaking alone from start to end (seconds)."""

    start: float
    end: float
    voice: str


def _cut(source: Path, span: tuple[float, float], out: Path) -> Path:
    a, b = (f"{t:.3f}" for t in span)
    cmd = [tool("ffmpeg"), "-nostdin", "-v", "error", "-y", "-i", str(source),
           "-ss", a, "-to", b, "-ac", "1", "-ar", "16000", str(out)]  # fmt: skip
    subprocess.run(cmd, check=True)
    return out


def lines(tmp: Path) -> dict[str, list[Path]] | None:
    """Each voice's lines (m: moderator, r: reader, c: cities reader, h: hello), as
    files; None where one of the sources is not installed."""
    cities = package_file("moonshine_voice", "assets", "two_cities.wav")
    cities = cities if cities and cities.exists() else None
    prompts = [ASTERISK / f"{p}.wav" for p in PROMPTS]
    reader = [c.path for c in librivox()]
    if cities is None or not LINPHONE.exists() or not reader:
        return None
    if not all(p.exists() for p in prompts):
        return None
    return {
        "m": prompts,
        "r": reader,
        "c": [_cut(cities, s, tmp / f"cities{i}.wav") for i, s in enumerate(CITIES)],
        "h": [_cut(LINPHONE, s, tmp / f"hello{i}.wav") for i, s in enumerate(HELLO)],
    }


def build_panel(tmp: Path) -> tuple[Path, list[Turn]] | None:
    """(the panel's audio, 16 kHz mono WAV; its turns), built in `tmp`; None where the
    voices are not installed (scripts/setup.sh test)."""
    found = lines(tmp)
    if found is None:
        return None
    used = {v: 0 for v in found}
    clips = []
    for voice in SCRIPT:
        clips.append(found[voice][used[voice] % len(found[voice])])
        used[voice] += 1
    gaps = list(GAPS)
    quiet = pauses(clips, gaps)
    turns = [Turn(quiet[i][1], quiet[i + 1][0], v) for i, v in enumerate(SCRIPT)]
    joined = join(clips, gaps, tmp / "panel-clean.wav")
    return with_room_noise(joined, tmp / "panel.wav", db=NOISE_DB), turns


def pyannote_sample() -> tuple[Path, list[Turn]] | None:
    """pyannote-audio's sample call (30 s, two speakers) and its turns (overlapping
    where both speak); None where the wheel is not installed."""
    wav = package_file("pyannote.audio", "sample", "sample.wav")
    rttm = package_file("pyannote.audio", "sample", "sample.rttm")
    if not (wav and wav.exists() and rttm and rttm.exists()):
        return None
    turns = []
    for row in rttm.read_text().split("\n"):
        f = row.split()
        if len(f) > 7 and f[0] == "SPEAKER":
            turns.append(Turn(float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return wav, turns
