"""Video with Debian's ffmpeg: Playwright's encoder runs it, and the WebM it writes plays."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from e2e.video import HOW_TO, driver_package, ensure_ffmpeg

CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.access(p, os.X_OK)), None
)
# A page that keeps changing, so the screencast sends frames; done after 40 animation frames.
ANIMATED = (
    "data:text/html,<title>film</title><body style='margin:0'><div id=b "
    "style='width:200px;height:200px;background:red'></div><script>"
    "let n=0;(function f(){n++;b.style.marginLeft=(n*7%25600)/40+'px';"
    "b.style.background=n%2?'red':'blue';if(n<40)requestAnimationFrame(f);"
    "else document.title='fini'})()</script>"
)


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private Playwright registry, so the developer's ~/.cache stays untouched."""
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    return tmp_path / "ms-playwright"


def ffmpeg_revision() -> str:
    browsers = json.loads((driver_package() / "browsers.json").read_text(encoding="utf-8"))
    return next(b["revision"] for b in browsers["browsers"] if b["name"] == "ffmpeg")


def test_ensure_ffmpeg_links_playwrights_path_to_the_system_ffmpeg(registry: Path) -> None:
    assert ensure_ffmpeg() is None

    link = registry / f"ffmpeg-{ffmpeg_revision()}" / "ffmpeg-linux"
    assert link.is_symlink()
    assert Path(os.readlink(link)) == Path(shutil.which("ffmpeg") or "")
    assert ensure_ffmpeg() is None  # a second call finds it ready


def test_ensure_ffmpeg_without_any_ffmpeg_says_how_to_get_it_in_french(
    registry: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    problem = ensure_ffmpeg()

    assert problem == HOW_TO
    assert "apt-get install ffmpeg" in problem and "playwright install ffmpeg" in problem
    assert not registry.exists()


def test_ensure_ffmpeg_replaces_a_dangling_link(registry: Path) -> None:
    link = registry / f"ffmpeg-{ffmpeg_revision()}" / "ffmpeg-linux"
    link.parent.mkdir(parents=True)
    link.symlink_to(registry / "gone" / "ffmpeg")

    assert ensure_ffmpeg() is None
    assert link.resolve() == Path(shutil.which("ffmpeg") or "").resolve()


def test_video_recorded_through_the_system_ffmpeg_plays(registry: Path, tmp_path: Path) -> None:
    assert CHROMIUM, "no Chromium: apt-get install chromium"
    assert ensure_ffmpeg() is None
    videos = tmp_path / "videos"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(
            record_video_dir=str(videos), record_video_size={"width": 640, "height": 360}
        )
        page = context.new_page()
        page.goto(ANIMATED)
        page.wait_for_function("document.title === 'fini'")
        context.close()  # the video is finished when its context closes
        path = Path(page.video.path())
        browser.close()

    assert path.suffix == ".webm" and path.stat().st_size > 0
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames:format=duration",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    info = json.loads(probe.stdout)
    stream = info["streams"][0]
    assert stream["codec_name"] in {"vp8", "vp9"}
    assert (stream["width"], stream["height"]) == (640, 360)
    assert int(stream["nb_read_frames"]) > 0
    assert float(info["format"]["duration"]) > 0
