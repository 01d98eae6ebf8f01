#!/usr/bin/env bash
# Re-fetch the vendored front-end libraries from the npm registry and copy the
# files this project uses into static/vendor/. Only needed when refreshing or
# upgrading the vendored copies; the app and the tests never run this.
#
# Usage (from anywhere):  bash static/vendor/update.sh
#
# To upgrade a library, change its pinned version below and re-run. If the
# pinned version is unchanged, the tarball's integrity must match the one
# recorded in that library's VERSION file, otherwise the script stops.
set -euo pipefail

ECHARTS_VERSION="6.1.0"
ESBUILD_VERSION="0.28.2"   # bundles ECharts with only what the pages use (echarts/build/entry.js)
LEAFLET_VERSION="1.9.4"
IDB_KEYVAL_VERSION="6.3.0"
GEOMAN_VERSION="2.20.2"

VENDOR_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch NAME VERSION -> unpacks into $WORK/NAME/package, writes $WORK/NAME.meta
fetch() {
  local name="$1" version="$2"
  local dir="$WORK/$name"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent --json "$name@$version" >pack.json)
  node -e '
    const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[0];
    process.stdout.write(`${p.filename}\n${p.name}@${p.version}\nintegrity ${p.integrity}\nshasum ${p.shasum}\n`);
  ' "$dir/pack.json" >"$dir/meta"
  local tgz
  tgz="$(head -n1 "$dir/meta")"
  tar -xzf "$dir/$tgz" -C "$dir"
  local id
  id="$(sed -n 2p "$dir/meta")"
  if [[ "$id" != "$name@$version" ]]; then
    echo "expected $name@$version, npm returned $id" >&2
    exit 1
  fi
}

# write_version NAME DEST_DIR: compare with the recorded VERSION (if
# it is for the same version) and write the new one.
write_version() {
  local name="$1" dest="$2"
  local new="$WORK/$name/VERSION"
  tail -n +2 "$WORK/$name/meta" >"$new"
  if [[ -f "$dest/VERSION" ]] && [[ "$(head -n1 "$dest/VERSION")" == "$(head -n1 "$new")" ]]; then
    if ! cmp -s "$dest/VERSION" "$new"; then
      echo "integrity mismatch for $(head -n1 "$new"):" >&2
      diff "$dest/VERSION" "$new" >&2 || true
      exit 1
    fi
  fi
  cp "$new" "$dest/VERSION"
}

# Fetch everything first, so a failed download leaves the vendored files alone.
fetch echarts "$ECHARTS_VERSION"
fetch leaflet "$LEAFLET_VERSION"
fetch idb-keyval "$IDB_KEYVAL_VERSION"
fetch @geoman-io/leaflet-geoman-free "$GEOMAN_VERSION"

# --- echarts: a custom build with only the charts and components the pages use (global `echarts`) ---
# Bundled from the tarball checked above (and the exact zrender and tslib versions it pins) by a
# pinned esbuild, from echarts/build/entry.js. The same inputs give the same bytes: when the
# versions are unchanged, the build must match the sha256 recorded in echarts/BUILD.
src="$WORK/echarts/package"
dest="$VENDOR_DIR/echarts"
build="$WORK/echarts-build"
mkdir -p "$dest" "$build"
echo '{"name": "gridreach-echarts-build", "private": true}' >"$build/package.json"
(cd "$build" && npm install --silent --no-audit --no-fund --no-package-lock --ignore-scripts \
  "$WORK/echarts/$(head -n1 "$WORK/echarts/meta")" "esbuild@$ESBUILD_VERSION")
cp "$dest/build/entry.js" "$build/entry.js"
ESBUILD_ARGS=(entry.js --bundle --minify --format=iife --global-name=echarts --target=es2017
  "--define:process.env.NODE_ENV=\"production\"" --legal-comments=eof --charset=utf8
  "--banner:js=/*! Apache ECharts $ECHARTS_VERSION, custom build (line, bar, map; grid, legend, title, tooltip, visualMap; canvas). Apache-2.0: see LICENSE, NOTICE and licenses/ beside this file. */")
(cd "$build" && node_modules/.bin/esbuild "${ESBUILD_ARGS[@]}" --outfile=out.js --log-level=warning)
zrender_version="$(node -p 'require(process.argv[1]).version' "$build/node_modules/zrender/package.json")"
tslib_version="$(node -p 'require(process.argv[1]).version' "$build/node_modules/tslib/package.json")"
{
  echo "echarts.custom.min.js sha256 $(sha256sum "$build/out.js" | cut -d' ' -f1)"
  echo "from echarts@$ECHARTS_VERSION zrender@$zrender_version tslib@$tslib_version"
  echo "by esbuild@$ESBUILD_VERSION ${ESBUILD_ARGS[*]}"
} >"$build/BUILD"
if [[ -f "$dest/BUILD" ]] && [[ "$(sed -n 2,3p "$dest/BUILD")" == "$(sed -n 2,3p "$build/BUILD")" ]] \
  && cmp -s "$dest/build/entry.js" "$build/entry.js" && [[ -f "$dest/echarts.custom.min.js" ]]; then
  if ! cmp -s "$dest/BUILD" "$build/BUILD"; then
    echo "the same inputs built other bytes than the recorded build:" >&2
    diff "$dest/BUILD" "$build/BUILD" >&2 || true
    exit 1
  fi
fi
cp "$build/out.js" "$dest/echarts.custom.min.js"
cp "$build/BUILD" "$dest/BUILD"
rm -f "$dest/echarts.min.js"   # the full build this one replaced
cp "$src/LICENSE" "$dest/LICENSE"
cp "$src/NOTICE" "$dest/NOTICE"
mkdir -p "$dest/licenses"
cp "$src/licenses/LICENSE-d3" "$dest/licenses/LICENSE-d3"
cp "$build/node_modules/zrender/LICENSE" "$dest/licenses/LICENSE-zrender"
cp "$build/node_modules/tslib/LICENSE.txt" "$dest/licenses/LICENSE-tslib"
write_version echarts "$dest"

# --- leaflet: script, stylesheet and marker/layer images (global `L`) ---
src="$WORK/leaflet/package"
dest="$VENDOR_DIR/leaflet"
mkdir -p "$dest"
cp "$src/dist/leaflet.js" "$dest/leaflet.js"
cp "$src/dist/leaflet.css" "$dest/leaflet.css"
rm -rf "$dest/images"
cp -R "$src/dist/images" "$dest/images"
cp "$src/LICENSE" "$dest/LICENSE"
write_version leaflet "$dest"

# --- idb-keyval: UMD build, works from a classic <script> (global `idbKeyval`) ---
src="$WORK/idb-keyval/package"
dest="$VENDOR_DIR/idb-keyval"
mkdir -p "$dest"
cp "$src/dist/umd.js" "$dest/idb-keyval.js"
cp "$src/LICENCE" "$dest/LICENSE"   # the package spells it LICENCE
write_version idb-keyval "$dest"

# --- leaflet-geoman (free): drawing and editing polygons (adds `map.pm` to Leaflet) ---
src="$WORK/@geoman-io/leaflet-geoman-free/package"
dest="$VENDOR_DIR/leaflet-geoman"
mkdir -p "$dest"
cp "$src/dist/leaflet-geoman.min.js" "$dest/leaflet-geoman.js"
cp "$src/dist/leaflet-geoman.css" "$dest/leaflet-geoman.css"
cp "$src/LICENSE" "$dest/LICENSE"
write_version @geoman-io/leaflet-geoman-free "$dest"

echo "Vendored into $VENDOR_DIR:"
for lib in echarts leaflet idb-keyval leaflet-geoman; do
  head -n1 "$VENDOR_DIR/$lib/VERSION"
done
