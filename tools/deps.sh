#!/bin/sh
# Install the Debian packages pathgrad's build and tests need, if missing.
# Safe to run again: it does nothing when everything is there.
set -eu
PKGS="gcc make flex bison libgmp-dev pkg-config python3 valgrind libgraphviz-dev libxml2-utils librsvg2-bin graphviz time libplplot-dev texlive-latex-base texlive-latex-recommended texlive-pictures poppler-utils man-db groff-base vim libjs-katex chromium fonts-dejavu-core fonts-liberation2 clang"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "pathgrad: installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
