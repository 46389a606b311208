# bench/first_byte.py: runs a command and says how soon its first output byte came: wall seconds
# and the command's CPU seconds (user + system, from /proc) at that moment, then drains the rest.
#   python3 bench/first_byte.py CMD...   prints "WALL CPU BYTES STATUS" (STATUS: ok or exitN)
import os
import subprocess
import sys
import time

t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
first = p.stdout.read(1)
wall = time.monotonic() - t0
cpu = -1.0
try:
    with open(f"/proc/{p.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()     # field 3 (state) is fields[0]
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
except (OSError, IndexError, ValueError):
    pass                                                # it ended before the first byte
total = len(first)
while True:
    chunk = p.stdout.read(1 << 20)
    if not chunk:
        break
    total += len(chunk)
rc = p.wait()
print(f"{wall:.3f} {cpu:.2f} {total} {'ok' if rc == 0 and first else f'exit{rc}'}")
