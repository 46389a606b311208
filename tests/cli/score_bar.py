#!/usr/bin/env python3
# tests/cli/score_bar.py: the `partners` table's score bar. On a pseudo-terminal it shows each
# score split by sensitivity (block characters in a UTF-8 locale, ASCII otherwise) with a key;
# piped, the table is plain text without it; and the bar shows the split the report's inline
# SVG chart shows (the same parts, read from the chart's titles).
# Usage: score_bar.py AUTHPATH SOURCE_DIR WORK_DIR
import os
import pty
import re
import shutil
import subprocess
import sys

ap, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
db = os.path.join(work, "bar.db")
SENS = ["public", "internal", "confidential", "restricted", "critical"]
GLYPHS = {"utf8": ["\u2581", "\u2591", "\u2592", "\u2593", "\u2588"],
          "ascii": [".", "-", "+", "=", "#"]}
WIDTH = 10
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(args, env_lang):
    env = dict(os.environ, LANG=env_lang, LC_ALL="", LC_CTYPE="")
    return subprocess.run([ap, "--db", db, "--at", "2026-11-01"] + args, env=env,
                          capture_output=True, check=True).stdout.decode()


def on_pty(args, env_lang):
    """The command's output with a pseudo-terminal as its stdout."""
    env = dict(os.environ, LANG=env_lang, LC_ALL="", LC_CTYPE="")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(ap, [ap, "--db", db, "--at", "2026-11-01"] + args, env)
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode().replace("\r\n", "\n")


subprocess.run([ap, "--db", db, "import", os.path.join(src, "samples/estate.json")],
               check=True, capture_output=True)

# the report's chart: each partner's parts, from the <title> of each rect of the ranking table
html_path = os.path.join(work, "report.html")
subprocess.run([ap, "--db", db, "--at", "2026-11-01", "report", "--output", html_path],
               check=True, capture_output=True)
html = open(html_path, encoding="utf-8").read()
ranking = html[html.index("Partners by blast-radius score"):]
ranking = ranking[:ranking.index("</table>")]
parts = {}
for row in re.findall(r"<tr><td class=\"n\">\d+</td>(.*?)</tr>", ranking):
    pid = re.search(r'href="#p-([^"]+)"', row).group(1)
    p = [0] * 5
    for name, value in re.findall(r"<title>(\w+) (\d+)</title>", row):
        p[SENS.index(name)] = int(value)
    parts[pid] = p
if len(parts) != 13:
    fail("the report's ranking has %d partners, not 13" % len(parts))
top = max(sum(p) for p in parts.values())


def expected_bar(p, glyphs):
    """The documented rounding: each part ends at the rounded running sum, most sensitive
    first; a score above zero that rounds to nothing shows one cell of its most sensitive part."""
    out, drawn, run_sum = "", 0, 0
    for s in range(4, -1, -1):
        run_sum += p[s]
        upto = (run_sum * WIDTH * 2 + top) // (top * 2)
        out += glyphs[s] * max(0, min(upto, WIDTH) - drawn)
        drawn = max(drawn, min(upto, WIDTH))
    if not out and sum(p) > 0:
        out = glyphs[max(s for s in range(5) if p[s] > 0)]
    return out


for locale, kind in (("C.UTF-8", "utf8"), ("C", "ascii")):
    text = on_pty(["--wide", "partners"], locale)
    lines = text.splitlines()
    if not lines or "SCORE SPLIT" not in lines[0]:
        fail("%s: no SCORE SPLIT column on a terminal:\n%s" % (locale, text))
        continue
    key = "  ".join("%s %s" % (GLYPHS[kind][s], SENS[s]) for s in range(4, -1, -1))
    if not any(line.startswith("SCORE SPLIT by sensitivity: " + key) for line in lines):
        fail("%s: the key is missing or wrong:\n%s" % (locale, text))
    other = GLYPHS["ascii" if kind == "utf8" else "utf8"]
    if kind == "ascii" and any(ord(c) > 127 for c in text):
        fail("C locale: non-ASCII output on the terminal")
    seen = 0
    for line in lines[1:]:
        cells = re.split(r"  +", line.strip())
        if len(cells) < 5 or not cells[0].isdigit():
            continue
        pid, bar = cells[1], cells[4] if not cells[4].isdigit() else ""
        if pid not in parts:
            fail("%s: unknown partner %s" % (locale, pid))
            continue
        want = expected_bar(parts[pid], GLYPHS[kind])
        if bar != want:
            fail("%s: %s's bar is %r, the report's split %s gives %r"
                 % (locale, pid, bar, parts[pid], want))
        seen += 1
    if seen != 13:
        fail("%s: %d bars checked, not 13" % (locale, seen))

# piped: plain text, no bar, no key
piped = run(["partners"], "C.UTF-8")
if "SCORE SPLIT" in piped or any(g in piped for g in GLYPHS["utf8"]):
    fail("piped output has the bar:\n" + piped)
if not piped.startswith("RANK  PARTNER"):
    fail("piped output is not the table:\n" + piped)

print("ok" if not failures else "%d failures" % len(failures))
sys.exit(1 if failures else 0)
