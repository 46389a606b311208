#!/usr/bin/env python3
# tests/diagrams/check_page.py: does an SVG diagram fit a page and read cleanly? From Graphviz's
# own output (text positions, font sizes, shapes) it checks the size, that no two labels overlap,
# that no text is struck by a cylinder's rim, and that no edge label sits on a cluster border.
"""usage: check_page.py FILE.svg...  (exit 1 and a line per problem when one fails)"""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
PAGE_LONG, PAGE_SHORT, MIN_FONT = 1191.0, 842.0, 8.0     # A3 in points, the smallest text
# Helvetica advance widths (1/1000 em) for ASCII; anything else counts as a wide 'M'-ish 0.75 em
HELV = dict(zip(" !\"#$%&'()*+,-./0123456789:;<=>?@",
                [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
                 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
                 1015]))
HELV.update(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`",
                [667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667,
                 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333]))
HELV.update(zip("abcdefghijklmnopqrstuvwxyz{|}~",
                [556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556,
                 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]))
SLACK = 0.5     # points: boxes touching within this are not overlapping


def text_width(text, size):
    return sum(HELV.get(c, 750) for c in text) * size / 1000.0


def num(s):
    return float(s)


def path_points(d):
    return [(num(x), num(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)]


class Box:
    def __init__(self, x0, y0, x1, y1, what, group):
        self.x0, self.y0, self.x1, self.y1, self.what, self.group = x0, y0, x1, y1, what, group

    def overlaps(self, o):
        return (self.x0 < o.x1 - SLACK and o.x0 < self.x1 - SLACK
                and self.y0 < o.y1 - SLACK and o.y0 < self.y1 - SLACK)


def text_box(t, group):
    size = num(t.get("font-size", "14"))
    x, y = num(t.get("x")), num(t.get("y"))
    text = "".join(t.itertext())
    w = text_width(text, size)
    anchor = t.get("text-anchor", "start")
    x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    # Graphviz puts the baseline at y; ascent and descent of Helvetica: 0.72 and 0.21 em
    return Box(x0, y - 0.72 * size, x0 + w, y + 0.21 * size, text, group), size


def own(g, tag):
    """g's own elements of a tag: those not inside a nested <g> of another object (links and
    the like are descended into)."""
    for child in g:
        if child.tag == NS + tag:
            yield child
        if child.tag != NS + "g" or child.get("class") is None:
            yield from own(child, tag)


def check(path):
    problems = []
    root = ET.parse(path).getroot()
    w, h = num(root.get("width").rstrip("pt")), num(root.get("height").rstrip("pt"))
    texts, clusters, smallest = [], [], 99.0
    for g in root.iter(NS + "g"):
        cls = g.get("class")
        title = g.find(NS + "title")
        name = title.text if title is not None else "?"
        if cls not in ("node", "edge", "cluster", "graph"):
            continue
        for t in own(g, "text"):
            box, size = text_box(t, (cls, name))
            smallest = min(smallest, size)
            texts.append(box)
        if cls == "cluster":
            pts = [p for el in list(own(g, "path")) + list(own(g, "polygon"))
                   for p in path_points(el.get("d") or el.get("points"))]
            if pts:
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                clusters.append((min(xs), min(ys), max(xs), max(ys), name))
        if cls == "node":
            paths = list(own(g, "path"))
            node_texts = [text_box(t, None)[0] for t in own(g, "text")]
            # a cylinder: its second path is the top rim's lower arc
            if len(paths) >= 2 and node_texts and "C" in paths[1].get("d", ""):
                rim = max(p[1] for p in path_points(paths[-1].get("d")))
                first = min(b.y0 for b in node_texts)
                if first < rim:
                    problems.append("%s: text '%s' of node %s is struck by the cylinder's rim "
                                    "(text top %.1f, rim %.1f)"
                                    % (path, node_texts[0].what, name, first, rim))
    # the size: scaled to A3 either way up, no text under 8 pt
    scale = min(1.0, max(min(PAGE_LONG / w, PAGE_SHORT / h), min(PAGE_SHORT / w, PAGE_LONG / h)))
    if scale * smallest < MIN_FONT - 1e-9:
        problems.append("%s: %.0f x %.0f pt does not fit A3 with %.1f pt text (scale %.3f makes "
                        "it %.2f pt)" % (path, w, h, smallest, scale, scale * smallest))
    # no two labels overlap (lines of one label stack without touching)
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if a.overlaps(b):
                problems.append("%s: labels overlap: '%s' (%s %s) and '%s' (%s %s)"
                                % (path, a.what, a.group[0], a.group[1], b.what, b.group[0],
                                   b.group[1]))
    # no edge label on a cluster's border: each is wholly inside or wholly outside
    for a in texts:
        if a.group[0] != "edge":
            continue
        for (x0, y0, x1, y1, name) in clusters:
            inside = a.x0 >= x0 and a.x1 <= x1 and a.y0 >= y0 and a.y1 <= y1
            outside = a.x1 <= x0 or a.x0 >= x1 or a.y1 <= y0 or a.y0 >= y1
            if not inside and not outside:
                problems.append("%s: edge label '%s' (%s) sits on the border of %s"
                                % (path, a.what, a.group[1], name))
    return problems, w, h, scale, len(texts)


def main():
    bad = 0
    for path in sys.argv[1:]:
        problems, w, h, scale, n = check(path)
        print("%s: %.0f x %.0f pt, %d labels, A3 scale %.3f: %s"
              % (path, w, h, n, scale, "ok" if not problems else "%d problems" % len(problems)))
        for p in problems:
            print("  " + p)
        bad += len(problems) > 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
