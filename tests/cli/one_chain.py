#!/usr/bin/env python3
"""tests/cli/one_chain.py: the chain of the one finding in a findings JSON file, checked to start
at the finding's partner and to join up, printed as "a>b b>c ...".
Usage: one_chain.py FILE PARTNER (exit 1, saying why, when it does not hold)"""
import json
import sys

findings = json.load(open(sys.argv[1]))["findings"]
if len(findings) != 1:
    sys.exit("%d findings, not one" % len(findings))
ev = findings[0]["evidence"]
steps = [(s["from"], s["to"]) for s in ev["path"]]
if ev["partner"] != sys.argv[2] or not steps or steps[0][0] != sys.argv[2]:
    sys.exit("the chain %s is not from %s" % (steps, sys.argv[2]))
if any(steps[i][1] != steps[i + 1][0] for i in range(len(steps) - 1)):
    sys.exit("the chain %s does not join up" % steps)
print(" ".join("%s>%s" % s for s in steps))
