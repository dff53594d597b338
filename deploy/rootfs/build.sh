#!/usr/bin/env bash
# deploy/rootfs/build.sh: a minimal Debian root filesystem, built once with mmdebstrap and cached.
#
# Shared by the real-systemd tests (test/systemd/nspawn*, a rootfs with systemd booted by
# systemd-nspawn) and the offline OCI image (deploy/image, issue 14): each caller passes its own
# package list and gets a directory (or tarball) back, built only the first time.
#
# Usage:
#   deploy/rootfs/build.sh [options] [-- extra mmdebstrap arguments]
#     --packages LIST   packages to include, comma or space separated (default: none, i.e. minbase)
#     --suite NAME      Debian suite (default: bookworm)
#     --variant NAME    mmdebstrap variant (default: minbase)
#     --mirror URL      Debian mirror (default: $MLSERVE_ROOTFS_MIRROR or http://deb.debian.org/debian);
#                       repeat for more (e.g. the security mirror as "deb URL bookworm-security main")
#     --format dir|tar  a directory (default) or an uncompressed tarball (root.tar)
#     --cache-dir DIR   where builds are kept (default: $MLSERVE_ROOTFS_CACHE, else
#                       /var/cache/mlserve-rootfs as root, else <repo>/.cache/rootfs)
#     --print-key       print the cache key (a hash of everything below) and exit; builds nothing
#     -- ARGS...        passed to mmdebstrap as is (hooks, --aptopt, ...); they are part of the key
#
# Output: the last line on stdout is the absolute path of the result,
#   <cache-dir>/<key>/root       (--format dir)
#   <cache-dir>/<key>/root.tar   (--format tar)
# Everything else (mmdebstrap's progress) goes to stderr. Treat the result as read-only and shared:
# copy it (cp -a, or an overlay) before changing it.
#
# The key: sha256 of this script's KEY_VERSION, the suite, variant, format, mirrors, the sorted,
# de-duplicated package list, the dpkg excludes below and the extra arguments. Same inputs, same
# key, no rebuild (idempotent); any change, a new directory beside the old one.
#
# Concurrency: a build holds flock(1) on <cache-dir>/<key>.lock; a second caller with the same key
# waits for it (at most MLSERVE_ROOTFS_LOCK_TIMEOUT seconds, default 600), then finds the result
# and returns it. The result appears by rename(2) of a finished build with a .done marker, so a
# reader never sees a half-built tree; a crashed build leaves only a <key>/tmp.* that the next
# build removes.
#
# Exit codes: 0 ok; 2 usage; 3 mmdebstrap (or flock) not installed; 4 the mirror is unreachable;
# 5 mmdebstrap failed; 6 timed out waiting for the lock. Each failure prints one line starting with
# "deploy/rootfs: " on stderr that says what to do.
#
# Example (what the systemd test does):
#   root=$(deploy/rootfs/build.sh --packages systemd,systemd-sysv,dbus,curl | tail -n1)
#   cp -a "$root" /tmp/machine && systemd-nspawn -D /tmp/machine --boot
set -euo pipefail

# Bump when the build's output changes for the same arguments (new excludes, new defaults).
KEY_VERSION=1
fail() { local code=$1; shift; echo "deploy/rootfs: $*" >&2; exit "$code"; }

packages=() suite=bookworm variant=minbase format=dir print_key=0 mirrors=() extra=()
cache_dir=${MLSERVE_ROOTFS_CACHE:-}
while [ $# -gt 0 ]; do
  case $1 in
    --packages) [ $# -ge 2 ] || fail 2 "--packages needs a value"; packages+=(${2//,/ }); shift 2 ;;
    --suite) [ $# -ge 2 ] || fail 2 "--suite needs a value"; suite=$2; shift 2 ;;
    --variant) [ $# -ge 2 ] || fail 2 "--variant needs a value"; variant=$2; shift 2 ;;
    --mirror) [ $# -ge 2 ] || fail 2 "--mirror needs a value"; mirrors+=("$2"); shift 2 ;;
    --format) [ $# -ge 2 ] || fail 2 "--format needs a value"; format=$2; shift 2 ;;
    --cache-dir) [ $# -ge 2 ] || fail 2 "--cache-dir needs a value"; cache_dir=$2; shift 2 ;;
    --print-key) print_key=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) fail 2 "unknown argument '$1' (see --help)" ;;
  esac
done
case $format in dir|tar) ;; *) fail 2 "--format must be dir or tar, not '$format'" ;; esac
[[ $suite =~ ^[a-z0-9-]+$ ]] || fail 2 "--suite '$suite' is not a suite name"
[ ${#mirrors[@]} -gt 0 ] || mirrors=("${MLSERVE_ROOTFS_MIRROR:-http://deb.debian.org/debian}")
if [ -z "$cache_dir" ]; then
  if [ "$(id -u)" = 0 ]; then cache_dir=/var/cache/mlserve-rootfs
  else cache_dir="$(cd "$(dirname "$0")/../.." && pwd)/.cache/rootfs"; fi
fi

# Smaller trees, faster copies: no manuals, docs or translations (copyright files stay).
dpkg_excludes=(
  'path-exclude=/usr/share/man/*'
  'path-exclude=/usr/share/doc/*'
  'path-include=/usr/share/doc/*/copyright'
  'path-exclude=/usr/share/locale/*'
  'path-exclude=/usr/share/info/*'
)

sorted_packages=$(printf '%s\n' "${packages[@]}" | sed '/^$/d' | LC_ALL=C sort -u | paste -sd, -)
key=$( {
  echo "v$KEY_VERSION"; echo "suite=$suite"; echo "variant=$variant"; echo "format=$format"
  printf 'mirror=%s\n' "${mirrors[@]}"; echo "packages=$sorted_packages"
  printf 'dpkgopt=%s\n' "${dpkg_excludes[@]}"; printf 'extra=%s\n' "${extra[@]}"
} | sha256sum | cut -c1-16)
if [ "$print_key" = 1 ]; then echo "$key"; exit 0; fi

dir="$cache_dir/$key"
result="$dir/root"; [ "$format" = tar ] && result="$dir/root.tar"
# Fast path, no lock: a finished build never changes.
if [ -e "$dir/.done" ]; then echo "$result"; exit 0; fi

command -v mmdebstrap >/dev/null || fail 3 "mmdebstrap is not installed (apt-get install mmdebstrap)"
command -v flock >/dev/null || fail 3 "flock is not installed (apt-get install util-linux)"
mkdir -p "$cache_dir"
exec 9>"$cache_dir/$key.lock"
flock -w "${MLSERVE_ROOTFS_LOCK_TIMEOUT:-600}" 9 \
  || fail 6 "timed out waiting for another build of $dir (lock $cache_dir/$key.lock)"
# Another caller may have finished it while we waited.
if [ -e "$dir/.done" ]; then echo "$result"; exit 0; fi

# A mirror is either a URL or a one-line sources.list entry ("deb URL suite components").
for m in "${mirrors[@]}"; do
  url=$m; [[ $m == deb\ * ]] && url=$(awk '{print $2}' <<<"$m")
  [[ $url == http://* || $url == https://* ]] || continue
  probe="$url/dists/$suite/Release"; [[ $m == deb\ * ]] && probe="$url/dists/$(awk '{print $3}' <<<"$m")/Release"
  if command -v curl >/dev/null; then
    curl -fsS --max-time 20 -o /dev/null -r 0-0 "$probe" 2>/dev/null \
      || fail 4 "the Debian mirror $url is unreachable (tried $probe); set --mirror or MLSERVE_ROOTFS_MIRROR to one this machine can reach"
  fi
done

mkdir -p "$dir"
rm -rf "$dir"/tmp.*
tmp=$(mktemp -d "$dir/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
target="$tmp/root"; [ "$format" = tar ] && target="$tmp/root.tar"
args=(--variant="$variant" --mode=auto)
[ -n "$sorted_packages" ] && args+=(--include="$sorted_packages")
for o in "${dpkg_excludes[@]}"; do args+=(--dpkgopt="$o"); done
echo "deploy/rootfs: building $result ($suite, $variant, packages: ${sorted_packages:-none})" >&2
start=$(date +%s)
# stdin from /dev/null: without a mirror argument mmdebstrap would read sources from stdin.
if ! mmdebstrap "${args[@]}" "${extra[@]}" "$suite" "$target" "${mirrors[@]}" </dev/null >&2; then
  fail 5 "mmdebstrap failed building $result (its output is above)"
fi
rm -rf "$result" "$dir/.done"   # a build that died between its rename and its marker
mv "$target" "$result"
printf 'suite=%s\nvariant=%s\npackages=%s\nbuilt=%s\nseconds=%s\n' "$suite" "$variant" \
  "$sorted_packages" "$(date -u +%FT%TZ)" "$(( $(date +%s) - start ))" > "$dir/.done"
echo "deploy/rootfs: built $result in $(( $(date +%s) - start )) s" >&2
echo "$result"
