#!/bin/sh
# Fetches Dear ImGui's source from Debian's `imgui` source package into a cache folder, with a
# private apt configuration (the system's /etc/apt is only read, never changed), checks the
# upstream tarball's checksum and unpacks it.
#   fetch-imgui-source.sh CACHE_DIR VERSION SHA256   ->  CACHE_DIR/imgui-VERSION/imgui.cpp ...
set -eu
cache=$1 version=$2 sha256=$3
dest="$cache/imgui-$version"
[ -f "$dest/imgui.cpp" ] && exit 0

command -v apt-get >/dev/null || { echo "fetch-imgui: apt-get is needed (or name a checkout with -DFETCHLAB_IMGUI_DIR=...)" >&2; exit 1; }
. /etc/os-release
codename=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
apt="$cache/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/src"

# A deb-src line for the same mirror and keyring the system's own Debian entry uses.
{
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v codename="$codename" '
      function flush() {
        if (uris != "" && suites ~ ("(^| )" codename "( |$)") && comps ~ /(^| )main( |$)/)
          printf "deb-src %s%s %s main\n", (key != "" ? "[signed-by=" key "] " : ""), uris, codename
        uris = suites = comps = key = ""
      }
      /^[ \t]*$/ { flush(); next }
      /^URIs:/ { uris = $2 } /^Suites:/ { $1 = ""; suites = $0 } /^Components:/ { $1 = ""; comps = $0 }
      /^Signed-By:/ { key = $2 }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v codename="$codename" '$1 == "deb" && $0 ~ (" " codename " ") && $0 ~ / main/ {
      $1 = "deb-src"; sub(" " codename " .*", " " codename " main"); print }' "$f"
  done
} | sort -u | head -n 1 > "$apt/sources.list"
[ -s "$apt/sources.list" ] || { echo "fetch-imgui: no Debian '$codename main' entry in /etc/apt to take the mirror from" >&2; exit 1; }

run_apt() {
  apt-get -q -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o APT::Sandbox::User=root \
    -o Debug::NoLocking=1 "$@"
}
echo "fetch-imgui: fetching Debian's imgui source package ($(cat "$apt/sources.list"))"
run_apt update >/dev/null
( cd "$apt/src" && run_apt source --download-only imgui >/dev/null )

orig=$(ls "$apt/src"/imgui_"$version"*.orig.tar.* | head -n 1)
actual=$(sha256sum "$orig" | cut -d' ' -f1)
if [ "$actual" != "$sha256" ]; then
  echo "fetch-imgui: checksum mismatch for $orig: expected $sha256, got $actual" >&2
  exit 1
fi
tmp="$dest.partial"
rm -rf "$tmp" && mkdir -p "$tmp"
tar -xf "$orig" -C "$tmp" --strip-components=1
mv "$tmp" "$dest"
echo "fetch-imgui: Dear ImGui $version in $dest"
