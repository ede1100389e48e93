"""What the browser tests share: Debian's Chromium and how to start it, a real `kamerzoek serve`, screenshots."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MISSING_BROWSER = f"no browser at {CHROMIUM}: install Debian's chromium: apt-get install chromium"
SCREENSHOT_WIDTH, SCREENSHOT_HEIGHT = 1200, 900
SCREENSHOT_LIMIT = 250_000  # bytes: small enough to commit
# Set KAMERZOEK_SCREENSHOTS=docs/screenshots to refresh the committed screenshots.
SCREENSHOTS_ENV = "KAMERZOEK_SCREENSHOTS"


ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from kamerzoek.cli import main; main()"]


def build_index(folder: Path) -> None:
    done = subprocess.run([*CLI, "index", "seeds/", "--index", str(folder), "--workers", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """`kamerzoek serve` in a child process, as a user runs it, on a free port on 127.0.0.1."""

    def __init__(self, index_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("wb")
        command = [*CLI, "serve", "--index", str(index_dir), "--host", "127.0.0.1",
                   "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                        cwd=ROOT,
                                        env={**os.environ, "PYTHONWARNINGS": "ignore"})
        self._wait(log)

    def _wait(self, log: Path, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise AssertionError(f"kamerzoek serve exited: {log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"kamerzoek serve did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def launch(playwright: Any) -> Any:
    assert CHROMIUM.exists(), MISSING_BROWSER
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def screenshot(page: Any, name: str, folder: Path) -> Path:
    """A PNG of what is on screen at 1200 pixels wide, small enough to commit (docs/screenshots/)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.set_viewport_size({"width": SCREENSHOT_WIDTH, "height": SCREENSHOT_HEIGHT})
    page.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
    assert path.stat().st_size < SCREENSHOT_LIMIT, f"{path} is {path.stat().st_size} bytes"
    return path


def screenshot_folder(default: Path) -> Path:
    chosen = os.environ.get(SCREENSHOTS_ENV)
    return Path(chosen) if chosen else default
