#!/bin/sh
# Installs cronlock from this unpacked tarball: the binary, its man page, bash/zsh/fish
# completions and its documentation, where man and the shells look under PREFIX.
#
#   sh install.sh                     # into /usr/local
#   PREFIX=/opt/cronlock sh install.sh
#   DESTDIR=/tmp/stage PREFIX=/usr sh install.sh     # staged, for building another package
#   sh install.sh --uninstall         # removes exactly what it installed (same PREFIX/DESTDIR)
#
# The binary carries the Swift runtime; the host needs libpq5 and libsqlite3-0
# (apt-get install libpq5 libsqlite3-0). libpq is loaded only when PostgreSQL is used.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-/usr/local}
root=${DESTDIR:-}$prefix

files="bin/cronlock
share/man/man1/cronlock.1.gz
share/bash-completion/completions/cronlock
share/zsh/site-functions/_cronlock
share/fish/vendor_completions.d/cronlock.fish
@DOC_FILES@"

case ${1:-} in
  "") ;;
  --uninstall)
    for file in $files; do rm -f "$root/$file"; done
    for dir in share/doc/cronlock/examples/systemd share/doc/cronlock/examples/cron.d \
      share/doc/cronlock/examples share/doc/cronlock; do
      rmdir "$root/$dir" 2>/dev/null || true
    done
    exit 0 ;;
  *) echo "install.sh: unknown argument $1 (usage: [PREFIX=DIR] [DESTDIR=DIR] sh install.sh [--uninstall])" >&2; exit 64 ;;
esac

for file in $files; do
  mode=644
  [ "$file" = bin/cronlock ] && mode=755
  mkdir -p "$root/$(dirname "$file")"
  cp "$here/$file" "$root/$file.new"
  chmod "$mode" "$root/$file.new"
  # Renamed into place, so a cronlock that is running now keeps its binary.
  mv -f "$root/$file.new" "$root/$file"
done

# Staged installs are for another host; otherwise say what this one still lacks.
if [ -z "${DESTDIR:-}" ] && command -v ldd >/dev/null 2>&1; then
  missing=$(ldd "$root/bin/cronlock" 2>/dev/null | awk '/not found/ { print $1 }' | tr '\n' ' ')
  # libpq and libsqlite3 are loaded with dlopen when first used, so ldd does not list them.
  ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
  libraries=$("$ldconfig" -p 2>/dev/null)
  echo "$libraries" | grep -q 'libpq\.so\.5 ' || missing="${missing}libpq.so.5 "
  echo "$libraries" | grep -q 'libsqlite3\.so\.0 ' || missing="${missing}libsqlite3.so.0 "
  if [ -n "$missing" ]; then
    echo "install.sh: cronlock is installed in $root/bin but this host lacks: $missing(on Debian and Ubuntu: apt-get install libpq5 libsqlite3-0)" >&2
    exit 1
  fi
fi
