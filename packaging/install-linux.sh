#!/usr/bin/env bash
# Install the built app folder for one user (or system-wide) on Linux, with its launcher
# entry, icons and AppStream metadata; or remove it again.
#
#   install-linux.sh [--prefix DIR] [--uninstall]
#
#   --prefix DIR   where to install (default: ~/.local; use /usr/local as root for all users)
#   --uninstall    remove what an earlier install put under the same prefix
#
# Run it from the app folder (build.sh copies it into dist/zcrm-editor/) or from the
# repository after a build. It installs:
#   PREFIX/lib/zcrm-editor/              the app folder
#   PREFIX/bin/zcrm-editor               a link to the program
#   PREFIX/share/applications/           the launcher entry (.desktop)
#   PREFIX/share/icons/hicolor/          the icon in every size
#   PREFIX/share/metainfo/               the AppStream metadata (software centres)
set -euo pipefail

APP_ID=io.github.zcrm_editor.ZcrmEditor
PREFIX="$HOME/.local"
UNINSTALL=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="$2"; shift 2 ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-linux.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -x "$here/zcrm-editor" ] && [ -d "$here/share" ]; then
    BUNDLE="$here"
else
    BUNDLE="$(cd "$here/.." && pwd)/dist/zcrm-editor"
fi

refresh_caches() {
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$PREFIX/share/applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null && [ -f "$PREFIX/share/icons/hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" || true
    fi
}

if [ "$UNINSTALL" = 1 ]; then
    rm -rf "$PREFIX/lib/zcrm-editor"
    rm -f "$PREFIX/bin/zcrm-editor" "$PREFIX/share/applications/$APP_ID.desktop" \
          "$PREFIX/share/metainfo/$APP_ID.metainfo.xml"
    rm -f "$PREFIX"/share/icons/hicolor/*/apps/"$APP_ID".png "$PREFIX/share/icons/hicolor/scalable/apps/$APP_ID.svg"
    refresh_caches
    echo "removed zcrm-editor from $PREFIX"
    exit 0
fi

if [ ! -x "$BUNDLE/zcrm-editor" ] || [ ! -d "$BUNDLE/share" ]; then
    echo "install-linux.sh: no built app at $BUNDLE; run packaging/build.sh first" >&2
    exit 1
fi

mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$PREFIX/share/applications" "$PREFIX/share/metainfo" "$PREFIX/share/icons"
if [ "$BUNDLE" != "$PREFIX/lib/zcrm-editor" ]; then
    rm -rf "$PREFIX/lib/zcrm-editor"
    cp -R "$BUNDLE" "$PREFIX/lib/zcrm-editor"
fi
ln -sfn "$PREFIX/lib/zcrm-editor/zcrm-editor" "$PREFIX/bin/zcrm-editor"
# The launcher names the program by its full path, so it works even if PREFIX/bin is not on PATH.
sed "s|^Exec=zcrm-editor|Exec=$PREFIX/bin/zcrm-editor|" "$BUNDLE/share/applications/$APP_ID.desktop" \
    > "$PREFIX/share/applications/$APP_ID.desktop"
cp "$BUNDLE/share/metainfo/$APP_ID.metainfo.xml" "$PREFIX/share/metainfo/"
cp -R "$BUNDLE/share/icons/hicolor" "$PREFIX/share/icons/"
refresh_caches
echo "installed zcrm-editor in $PREFIX (run: $PREFIX/bin/zcrm-editor)"
