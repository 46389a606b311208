#!/bin/sh
# tests/install/check.sh: `make install` delivers a usable library: install the build tree into a
# temporary prefix, then compile and run a program against it through authpath.pc alone.
set -eu
build=$1
src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
# the .pc file was configured for the build's prefix: point it at the temporary one
sed -i "s|^prefix=.*|prefix=$prefix|" "$prefix"/lib*/pkgconfig/authpath.pc 2>/dev/null ||
    sed -i "s|^prefix=.*|prefix=$prefix|" "$prefix"/lib/*/pkgconfig/authpath.pc
export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name authpath.pc)")
test -x "$prefix/bin/authpath"
test -f "$prefix/share/man/man1/authpath.1"
"$prefix/bin/authpath" --version | grep -q '^authpath '
cat > "$prefix/use.c" <<'C'
#include <stdio.h>
#include <authpath/model.h>
int main(void)
{
    int64_t t;
    return ap_time_parse("2026-01-01", &t) && t == 1767225600 ? 0 : 1;
}
C
cc -std=c11 -o "$prefix/use" "$prefix/use.c" $(pkg-config --cflags --libs authpath)
"$prefix/use"
echo "install ok"
