#!/usr/bin/env python3
"""Checks maprace's HTML reports in a real headless browser (Debian's `chromium` package).

Writes a report directory with `maprace explore --report DIR`, then for index.html, each
variant's first-failure page and each minimized-failure page (every page with --all):

  * loads it in headless Chromium and fails on any console message (the pages have no script,
    so any message at all means something is wrong: a blocked resource, a parse error);
  * checks the page is self-contained: no <script>, <link>, <iframe>, @import, url() or
    http(s) reference in the source;
  * checks the DOM Chromium built: for a trace page, one lane (and lane heading) per
    goroutine that `maprace replay TOKEN --format json` reports for the page's token, and the
    failing step (id="failing-step") in the failing goroutine's lane; for the index, one
    summary row per explored variant and every link pointing at a page that exists;
  * takes a screenshot (same browser run) and checks it is not blank (decodes the PNG and
    counts colours); screenshots are kept in DIR/screenshots/;
  * for a trace page whose failing step has a map state: screenshots the
    whole page twice, as written and with the failing step's inline state hidden, and fails when
    they are the same: the state of the failing step must be visible without hovering.

Installs nothing: needs python3 (standard library only), /usr/bin/chromium and a built maprace.

Usage: .ci/html_check.py [--maprace PATH] [--chromium PATH] [--out DIR] [--all] [explore args...]
Default explore args: --iterations 2000 (the whole catalogue). Exit 0 when every page passes,
1 (with one FAIL line saying why) otherwise.
"""

import argparse
import html.parser
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

TIMEOUT = 120


def fail(msg):
    print(f"html-check: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


class Dom(html.parser.HTMLParser):
    """The elements of a page as (tag, attrs) with their classes, ids and data attributes."""

    def __init__(self):
        super().__init__()
        self.elements = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def with_class(self, cls):
        return [a for _, a in self.elements if cls in (a.get("class") or "").split()]

    def by_id(self, ident):
        return [a for _, a in self.elements if a.get("id") == ident]


def parse(text):
    d = Dom()
    d.feed(text)
    return d


def chromium(browser, args, url):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--enable-logging=stderr", "--v=0", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)


def console_messages(stderr):
    return [l for l in stderr.splitlines() if ":CONSOLE" in l]


def png_colours(path):
    """Decodes an 8-bit RGB/RGBA PNG (what Chromium writes) and returns (colours, share of
    pixels differing from the most common colour)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat, width, height, bpp = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (2, 6):
                fail(f"unexpected PNG format (depth {depth}, colour type {colour})")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    counts = {}
    i = 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        for x in range(0, stride, bpp):
            px = bytes(line[x:x + 3])
            counts[px] = counts.get(px, 0) + 1
        prev = line
    total = width * height
    top = max(counts.values())
    return len(counts), (total - top) / total


def check_self_contained(name, source):
    lowered = source.lower()
    for needle in ("<script", "<link", "<iframe", "<img", "@import", "http://", "https://", " src="):
        if needle in lowered:
            fail(f"{name}: not self-contained, found {needle!r}")
    # url(#id) points inside the page (SVG markers); any other url() would load something.
    if re.search(r"url\((?!#)", lowered):
        fail(f"{name}: not self-contained, found url() to another resource")


def check_page(args, path, expect):
    name = os.path.relpath(path, args.out)
    source = open(path, encoding="utf-8").read()
    check_self_contained(name, source)
    url = "file://" + os.path.abspath(path)
    shot = os.path.join(args.out, "screenshots", os.path.basename(path) + ".png")
    os.makedirs(os.path.dirname(shot), exist_ok=True)
    # One browser run both prints the DOM it built and takes the screenshot.
    run = chromium(args.chromium, ["--dump-dom", f"--screenshot={shot}", "--window-size=1000,700"], url)
    if run.returncode != 0:
        fail(f"{name}: chromium exited with {run.returncode}: {run.stderr[-2000:]}")
    messages = console_messages(run.stderr)
    if messages:
        fail(f"{name}: console messages:\n" + "\n".join(messages))
    expect(name, parse(run.stdout))
    if not os.path.exists(shot):
        fail(f"{name}: no screenshot: {run.stderr[-2000:]}")
    colours, ink = png_colours(shot)
    if colours < 8 or ink < 0.02:
        fail(f"{name}: screenshot looks blank ({colours} colours, {ink:.1%} non-background)")
    print(f"html-check: ok  {name}  ({colours} colours, {ink:.0%} ink)")


def check_failing_state_visible(args, path):
    """Fails unless hiding the failing step's inline map state changes the screenshot: then that
    state was on screen without hovering."""
    name = os.path.relpath(path, args.out)
    source = open(path, encoding="utf-8").read()
    at = source.find('id="failing-step"')
    if at < 0:
        return
    # The failing step's markup runs to the next box (or the failure note after it).
    ends = [i for i in (source.find('class="event', at), source.find('class="fail-note', at)) if i > 0]
    box = source[at:min(ends) if ends else len(source)]
    if 'class="inline-state' not in box and "<table>" not in box:
        return  # no map state at the failing step (a deadlock, a panic)
    shots = os.path.join(args.out, "screenshots")
    hidden = os.path.join(shots, os.path.basename(path) + ".states-hidden.html")
    with open(hidden, "w", encoding="utf-8") as f:
        f.write(source.replace("</head>", "<style>#failing-step .inline-state, #failing-step .state{visibility:hidden}</style></head>", 1))
    # The whole page in one window (scrolling to #failing-step is not reliable in headless
    # screenshots): tall enough for every timeline row.
    rows = max([int(r) for r in re.findall(r"grid-row:(\d+)", source)] or [1])
    height = min(20000, 600 + 90 * rows)
    images = []
    for page, suffix in ((path, "failing"), (hidden, "failing-states-hidden")):
        shot = os.path.join(shots, f"{os.path.basename(path)}.{suffix}.png")
        url = "file://" + os.path.abspath(page)
        run = chromium(args.chromium, [f"--screenshot={shot}", f"--window-size=1200,{height}"], url)
        if run.returncode != 0 or not os.path.exists(shot):
            fail(f"{name}: no screenshot of the failing step: {run.stderr[-2000:]}")
        images.append(open(shot, "rb").read())
    if images[0] == images[1]:
        fail(f"{name}: the failing step's map state is not visible without hovering")
    print(f"html-check: ok  {name}  (failing step's state visible)")


def trace_expectations(args, token):
    out = subprocess.run([args.maprace, "replay", token, "--format", "json"],
                         capture_output=True, text=True, timeout=TIMEOUT)
    if out.returncode != 0:
        fail(f"maprace replay {token} failed: {out.stderr}")
    doc = json.loads(out.stdout)

    def expect(name, dom):
        lanes = [a.get("data-lane") for a in dom.with_class("lane")]
        heads = [a.get("data-lane") for a in dom.with_class("lane-head")]
        if lanes != doc["goroutines"] or heads != doc["goroutines"]:
            fail(f"{name}: lanes {lanes} / headings {heads}, expected {doc['goroutines']}")
        events = dom.with_class("event")
        if len(events) != len(doc["trace"]):
            fail(f"{name}: {len(events)} steps in the DOM, {len(doc['trace'])} in the trace")
        failing = dom.by_id("failing-step")
        if doc["outcome"]["kind"] == "pass":
            if failing:
                fail(f"{name}: a passing trace has a failing step")
            return
        if len(failing) != 1 or "failing" not in failing[0].get("class", ""):
            fail(f"{name}: the failing step is missing")
        # Deadlocks and leaks name every blocked goroutine: each has its last step marked.
        culprits = doc["outcome"]["goroutine"].split(", ")
        marked = [a.get("data-lane") for a in dom.with_class("failing")]
        expected = [g for g in culprits if g in doc["goroutines"]] or [doc["trace"][-1]["goroutine"]]
        if sorted(marked) != sorted(expected):
            fail(f"{name}: failing steps in lanes {marked}, the failure is in {culprits}")
    return expect


def token_of(path):
    dom = parse(open(path, encoding="utf-8").read())
    codes = [a for t, a in dom.elements if t == "code" and "fact-token" in a.get("class", "")]
    if not codes:
        fail(f"{path}: no token at the top of the page")
    # The token is the element's text: find it in the source right after the class attribute.
    source = open(path, encoding="utf-8").read()
    start = source.index('class="fact-token">') + len('class="fact-token">')
    return source[start:source.index("<", start)]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--maprace", default=os.environ.get("MAPRACE", "target/release/maprace"))
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--out", default=None, help="report directory (default: a temporary one)")
    p.add_argument("--all", action="store_true",
                   help="check every trace page (default: the index, each variant's first "
                        "failure and each minimized failure)")
    p.add_argument("explore", nargs=argparse.REMAINDER, help="arguments for maprace explore")
    args = p.parse_args()
    for tool in (args.maprace, args.chromium):
        if not os.access(tool, os.X_OK):
            fail(f"{tool} is not an executable (build maprace; apt-get install -y chromium)")
    tmp = None
    if args.out is None:
        tmp = tempfile.TemporaryDirectory(prefix="maprace-html-check-")
        args.out = tmp.name
    explore_args = args.explore or ["--iterations", "2000"]
    run = subprocess.run([args.maprace, "explore", *explore_args, "--report", args.out,
                          "--format", "json"], capture_output=True, text=True, timeout=600)
    if run.returncode not in (0, 1):
        fail(f"maprace explore failed ({run.returncode}): {run.stderr}")
    summary = json.loads(run.stdout)
    rows = len(summary["results"])

    def expect_index(name, dom):
        body_rows = [a for t, a in dom.elements if t == "tr"]
        if len(body_rows) != rows + 1:
            fail(f"{name}: {len(body_rows) - 1} summary rows, expected {rows}")
        for t, a in dom.elements:
            if t == "a":
                target = os.path.join(args.out, a["href"])
                if not os.path.isfile(target):
                    fail(f"{name}: link to missing page {a['href']}")

    check_page(args, os.path.join(args.out, "index.html"), expect_index)
    traces = os.path.join(args.out, "traces")
    pages = sorted(p for p in os.listdir(traces)
                   if args.all or p.endswith("-1.html") or p.endswith("-minimized.html"))
    if not pages and any(r["first_failure"] for r in summary["results"]):
        fail("failures were found but no trace page was written")
    for page in pages:
        path = os.path.join(traces, page)
        check_page(args, path, trace_expectations(args, token_of(path)))
        check_failing_state_visible(args, path)
    print(f"html-check: {len(pages) + 1} pages ok (report in {args.out})")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
