# tests/cli/stream_check.py: run one command of a *_stream.sh test and check what streaming
# promises: the bytes of the document built whole, and a peak that does not follow the output.
"""Usage: stream_check.py MD5 BOUND_MIB OUT AUTHPATH ARG...

Runs AUTHPATH ARG... with stdout to OUT and checks that OUT's md5 is MD5 (the output of the
build that built the whole document: main at e2dbde8), that a JSON output is laid out as one
dump of it (Python's indent=2 dump of what it parses: jansson's layout), and, unless the binary
is built with AddressSanitizer (its quarantine keeps freed memory), that the peak resident
size stayed under BOUND_MIB. Prints the peak; exits 1 on a failed check."""

import hashlib
import json
import resource
import subprocess
import sys


def main():
    md5, bound, out, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
    with open(out, "wb") as f:
        subprocess.run(argv, stdout=f, check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    raw = open(out, "rb").read()
    what = " ".join(argv[1:])
    if hashlib.md5(raw).hexdigest() != md5:
        sys.exit("%s: md5 %s, %d bytes (expected %s)" % (what, hashlib.md5(raw).hexdigest(),
                                                          len(raw), md5))
    if "json" in argv:
        again = (json.dumps(json.loads(raw), indent=2, ensure_ascii=False) + "\n").encode()
        if again != raw:
            sys.exit("%s: not the layout of one document" % what)
    ldd = subprocess.run(["ldd", argv[0]], capture_output=True, text=True).stdout
    sanitized = "libasan" in ldd
    print("%s: %d bytes, peak %.0f MiB%s" % (what, len(raw), peak,
                                             " (not judged: ASan)" if sanitized else ""))
    if not sanitized and peak >= bound:
        sys.exit("%s: peak %.0f MiB, over %.0f MiB" % (what, peak, bound))


main()
