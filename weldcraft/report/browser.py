"""Open a page in headless Chromium and report what a reader's browser sees (console errors, images).

Talks the Chrome DevTools Protocol over ``--remote-debugging-pipe``: the browser reads commands from its
file descriptor 3 and writes replies and events to descriptor 4, each message one JSON object terminated
by a NUL byte. Chosen over ``--remote-debugging-port`` (no port to pick or race for, no websocket client
needed) and over ``--dump-dom`` with ``--enable-logging`` (stderr logging mixes browser noise with page
messages, does not report failed image loads reliably, and cannot ask an image whether it decoded).

``check_page(path) -> PageCheck`` loads a local HTML file and collects:

- console errors: ``Runtime.consoleAPICalled`` of type error/assert, ``Runtime.exceptionThrown``, and
  ``Log.entryAdded`` at level error (this is where a missing image's "Failed to load resource" lands);
- every ``<img>``: complete, naturalWidth/Height, and whether ``img.decode()`` resolved;
- every URL the page requested (``Network.requestWillBeSent``), so a test can prove nothing left disk.

Needs a Chromium binary (Debian package ``chromium``; ``scripts/ensure_chromium.sh`` installs it).
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weldcraft.errors import UserError
from weldcraft.types import PathLikeStr

#: Flags for a quiet, offline, sandbox-free headless browser (root in a container cannot use the sandbox).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

_IMAGES_JS = """
(async () => {
  const imgs = Array.from(document.images);
  const decoded = await Promise.all(imgs.map(i => i.decode().then(() => true, () => false)));
  return imgs.map((i, k) => ({src: i.currentSrc || i.src, alt: i.alt, complete: i.complete,
    width: i.naturalWidth, height: i.naturalHeight, decoded: decoded[k]}));
})()
"""


class BrowserError(RuntimeError):
    """Chromium could not be started or stopped answering."""


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary on PATH (or /usr/bin/chromium), else None."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@dataclass(frozen=True)
class ImageState:
    """One ``<img>`` as the browser sees it after load; ``decoded`` = ``img.decode()`` resolved."""

    src: str
    alt: str
    complete: bool
    natural_width: int
    natural_height: int
    decoded: bool

    @property
    def ok(self) -> bool:
        return self.complete and self.decoded and self.natural_width > 0 and self.natural_height > 0


@dataclass(frozen=True)
class PageCheck:
    """What loading a page produced (module docstring)."""

    url: str
    title: str
    console_errors: tuple[str, ...]
    images: tuple[ImageState, ...]
    requests: tuple[str, ...]

    @property
    def broken_images(self) -> tuple[ImageState, ...]:
        return tuple(i for i in self.images if not i.ok)

    @property
    def external_requests(self) -> tuple[str, ...]:
        """Requested URLs that are neither local files nor inline data."""
        return tuple(u for u in self.requests if not u.startswith(("file:", "data:", "about:")))


def _bash() -> str:
    found = shutil.which("bash")
    if found is None:
        raise BrowserError("bash not found (needed to hand chromium its DevTools pipe on fds 3 and 4)")
    return found


def _high_fd(fd: int) -> int:
    """A close-on-exec duplicate of ``fd`` numbered >= 10; closes ``fd``."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class _Pipe:
    """A Chromium process and its DevTools pipe (commands by id; events kept in order)."""

    def __init__(self, binary: str, user_data_dir: str, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        # Our pipe ends live at fds >= 10 so that the shell's "3<&N 4>&M" cannot clobber one with the other.
        cmd_r, self._cmd_w = (_high_fd(fd) for fd in os.pipe())
        self._out_r, out_w = (_high_fd(fd) for fd in os.pipe())
        argv = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "--remote-debugging-pipe"]
        self._stderr = tempfile.TemporaryFile()
        # The protocol wants the command pipe on fd 3 and the reply pipe on fd 4 of the browser: bash
        # moves them there and execs chromium (no preexec_fn, unsafe with threads; dash knows fds 0-9 only).
        wire = f'exec "$@" 3<&{cmd_r} 4>&{out_w} {cmd_r}<&- {out_w}>&-'
        self.proc = subprocess.Popen(
            [_bash(), "-c", wire, "bash", *argv, "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            pass_fds=(cmd_r, out_w),
        )
        os.close(cmd_r)
        os.close(out_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(
                    f"no answer from chromium within {self.timeout_s:g} s{self._stderr_tail()}"
                )
            ready, _, _ = select.select([self._out_r], [], [], left)
            if ready:
                chunk = os.read(self._out_r, 1 << 16)
                if not chunk:
                    raise BrowserError(f"chromium closed its DevTools pipe{self._stderr_tail()}")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        msg: dict[str, Any] = json.loads(raw)
        return msg

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        """Send one command and return its result (events that arrive meanwhile go to ``events``)."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout_s
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        """Wait for an event of ``method`` on ``session`` (also searching those already received)."""
        for ev in self.events:
            if ev["method"] == method and ev.get("sessionId") == session:
                return ev
        deadline = time.monotonic() + self.timeout_s
        while True:
            msg = self._read_message(deadline)
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == method and msg.get("sessionId") == session:
                    return msg

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        tail = self._stderr.read()[-800:].decode(errors="replace").strip()
        return f"; chromium stderr ends with: {tail}" if tail else ""

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close")
                except (BrowserError, OSError):
                    pass
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        finally:
            for fd in (self._cmd_w, self._out_r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._stderr.close()


def _console_text(ev: dict[str, Any]) -> str | None:
    method, p = ev["method"], ev.get("params", {})
    if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
        args = [str(a.get("value", a.get("description", ""))) for a in p.get("args", [])]
        return "console." + str(p["type"]) + ": " + " ".join(args)
    if method == "Runtime.exceptionThrown":
        details = p.get("exceptionDetails", {})
        return "exception: " + str(details.get("exception", {}).get("description", details.get("text", "")))
    if method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
        entry = p["entry"]
        return f"{entry.get('source', 'log')}: {entry.get('text', '')} {entry.get('url', '')}".strip()
    return None


def check_page(path: PathLikeStr, *, chromium: str | None = None, timeout_s: float = 30.0) -> PageCheck:
    """Load the local HTML file ``path`` in headless Chromium and return what it saw (module docstring)."""
    page = Path(path).resolve()
    if not page.is_file():
        raise UserError(f"no such page: {page}")
    binary = chromium or find_chromium()
    if binary is None:
        raise BrowserError(
            "chromium not found: install the Debian package 'chromium' (scripts/ensure_chromium.sh)"
        )
    with tempfile.TemporaryDirectory(prefix="weldcraft-chromium-") as profile:
        pipe = _Pipe(binary, profile, timeout_s)
        try:
            target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                pipe.send(f"{domain}.enable", session=session)
            pipe.events.clear()
            pipe.send("Page.navigate", {"url": page.as_uri()}, session)
            pipe.wait_event("Page.loadEventFired", session)
            images = pipe.send(
                "Runtime.evaluate",
                {"expression": _IMAGES_JS, "awaitPromise": True, "returnByValue": True},
                session,
            )
            title = pipe.send(
                "Runtime.evaluate", {"expression": "document.title", "returnByValue": True}, session
            )
        finally:
            pipe.close()
    events = [e for e in pipe.events if e.get("sessionId") == session]
    errors = tuple(t for t in (_console_text(e) for e in events) if t)
    requests = tuple(
        e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
    )
    states = tuple(
        ImageState(
            src=str(i["src"]),
            alt=str(i["alt"]),
            complete=bool(i["complete"]),
            natural_width=int(i["width"]),
            natural_height=int(i["height"]),
            decoded=bool(i["decoded"]),
        )
        for i in images["result"]["value"]
    )
    return PageCheck(page.as_uri(), str(title["result"].get("value", "")), errors, states, requests)
