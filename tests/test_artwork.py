"""Cover art: 3000x3000 RGB JPEGs, drawn once per set of inputs."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from episode_factory import make_show
from PIL import Image

from publisher.artwork import embedded_cover, show_artwork, talk_artwork
from publisher.errors import ShowError
from publisher.model import Speaker, Talk


def make_talk(title: str = "Contributor Q&A Panel", year: int = 2018) -> Talk:
    return Talk(
        source=Path("seeds/panel.txt"),
        title=title,
        date=dt.date(year, 11, 14),
        playlist=f"KVM Forum {year}",
        description="A panel.",
        speakers=[Speaker("Christian Borntraeger"), Speaker("Peter Maydell")],
        moderator=Speaker("Stefan Hajnoczi"),
        cues=[],
        transcript=[],
        url="https://www.youtube.com/watch?v=q22lu6l1Cdk",
        video_id="q22lu6l1Cdk",
    )


def check_cover(path: Path) -> np.ndarray:
    assert path.stat().st_size < 1_000_000
    with Image.open(path) as img:
        assert img.format == "JPEG"
        assert img.mode == "RGB" and img.size == (3000, 3000)
        return np.asarray(img)


def test_generated_show_art_has_text_and_is_drawn_once(tmp_path):
    show = make_show(tmp_path)
    path = show_artwork(show, tmp_path / "art" / "show.jpg")
    pixels = check_cover(path)
    white = (pixels.min(axis=2) > 235).mean()
    assert 0.01 < white < 0.5  # the title is drawn, in white
    stamp = path.stat().st_mtime_ns
    show_artwork(show, path)
    assert path.stat().st_mtime_ns == stamp  # same inputs: not redrawn
    show_artwork(dataclasses.replace(show, title="Another Forum"), path)
    assert not np.array_equal(check_cover(path), pixels)


def test_talk_art_differs_per_talk_and_redraws_on_change(tmp_path):
    show = make_show(tmp_path)
    a = check_cover(talk_artwork(make_talk(), show, tmp_path / "a.jpg"))
    b = check_cover(talk_artwork(make_talk("Storage Q&A Panel", 2019), show, tmp_path / "b.jpg"))
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 5
    path = tmp_path / "a.jpg"
    stamp = path.stat().st_mtime_ns
    talk_artwork(make_talk(), show, path)
    assert path.stat().st_mtime_ns == stamp
    talk = make_talk()
    talk.speakers.append(Speaker("Cornelia Huck"))
    talk_artwork(talk, show, path)
    assert path.stat().st_mtime_ns != stamp


def test_very_long_title_still_fits(tmp_path):
    talk = make_talk("Supporting nested virtualization on heterogeneous architectures " * 6)
    talk.speakers = [Speaker(f"Speaker Number {i} With A Long Name") for i in range(30)]
    pixels = check_cover(talk_artwork(talk, make_show(tmp_path), tmp_path / "long.jpg"))
    margin = pixels[:, :200].min(axis=2)
    assert (margin > 235).mean() < 0.001  # no text runs into the left margin or off the edge


def test_show_artwork_file_is_squared_flattened_and_used_for_talks(tmp_path):
    src = tmp_path / "feeds" / "logo.png"
    src.parent.mkdir(parents=True)
    logo = Image.new("RGBA", (1200, 800), (200, 20, 20, 255))
    logo.paste((0, 0, 0, 0), (0, 0, 1200, 100))  # a transparent band at the top
    logo.save(src)
    show = make_show(tmp_path, artwork=src)
    pixels = check_cover(show_artwork(show, tmp_path / "show.jpg"))
    assert np.allclose(pixels[1500, 1500], (200, 20, 20), atol=8)  # centre kept
    assert np.allclose(pixels[50, 1500], (255, 255, 255), atol=8)  # alpha flattened on white
    talk = check_cover(talk_artwork(make_talk(), show, tmp_path / "talk.jpg"))
    assert talk[2000, 2900, 0] > talk[2000, 2900, 1] + 20  # still reddish behind the text


def test_unreadable_show_artwork_is_a_show_error(tmp_path):
    show = make_show(tmp_path, artwork=tmp_path / "feeds" / "missing.png")
    with pytest.raises(ShowError, match="missing.png") as err:
        show_artwork(show, tmp_path / "show.jpg")
    assert str(show.path) in str(err.value)
    bad = tmp_path / "feeds" / "bad.png"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("not an image")
    with pytest.raises(ShowError, match="not an image"):
        talk_artwork(make_talk(), dataclasses.replace(show, artwork=bad), tmp_path / "t.jpg")
    assert not (tmp_path / "show.jpg").exists() and not (tmp_path / "t.jpg").exists()


def test_embedded_cover_is_a_small_copy(tmp_path):
    art = talk_artwork(make_talk(), make_show(tmp_path), tmp_path / "cover.jpg")
    small = embedded_cover(art)
    with Image.open(small) as img:
        assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (1400, 1400))
    assert small.stat().st_size < art.stat().st_size
    stamp = small.stat().st_mtime_ns
    assert embedded_cover(art) == small and small.stat().st_mtime_ns == stamp
