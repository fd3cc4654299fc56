#!/usr/bin/env bash
# Build the one-folder desktop app with PyInstaller: dist/zcrm-editor/ (and, on macOS,
# dist/zcrm-editor.app). Then report its size and build time and run its --self-test.
#
#   packaging/build.sh [--dist DIR] [--work DIR] [--no-check]
#
#   --dist DIR   where the app folder goes (default: dist)
#   --work DIR   PyInstaller's scratch folder (default: build/pyinstaller)
#   --no-check   do not run the built app's --self-test
#
# The Python used is $PYTHON, else .venv/bin/python if it exists, else python3. It needs the
# app's dependencies and PyInstaller:  pip install -e ".[packaging]"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$ROOT/dist"
WORK="$ROOT/build/pyinstaller"
CHECK=1
while [ $# -gt 0 ]; do
    case "$1" in
        --dist) DIST="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
        --work) WORK="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
        --no-check) CHECK=0; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

if [ -z "${PYTHON:-}" ]; then
    if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "build.sh: PyInstaller is not installed for $PYTHON." >&2
    echo "          Install it with:  $PYTHON -m pip install -e \"$ROOT[packaging]\"" >&2
    exit 3
fi

cd "$ROOT"
started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/zcrm-editor.spec
APP="$DIST/zcrm-editor"

# Desktop integration files travel inside the folder, for packaging/install-linux.sh.
case "$(uname -s)" in
    Linux)
        SHARE="$APP/share"
        rm -rf "$SHARE"
        mkdir -p "$SHARE/applications" "$SHARE/metainfo" "$SHARE/icons"
        cp resources/io.github.zcrm_editor.ZcrmEditor.desktop "$SHARE/applications/"
        cp resources/io.github.zcrm_editor.ZcrmEditor.metainfo.xml "$SHARE/metainfo/"
        cp -R resources/icons/hicolor "$SHARE/icons/"
        install -m 755 packaging/install-linux.sh "$APP/install-linux.sh"
        ;;
esac
finished=$(date +%s)

echo "built:      $APP"
echo "size:       $(du -sh "$APP" | cut -f1) ($(find "$APP" -type f | wc -l | tr -d ' ') files)"
echo "build time: $((finished - started)) s"

if [ "$CHECK" = 1 ]; then
    # A throw-away home, so the check does not create folders in the builder's profile.
    home="$(mktemp -d)"
    trap 'rm -rf "$home"' EXIT
    exe="$APP/zcrm-editor"
    [ -x "$exe" ] || exe="$APP/zcrm-editor-cli.exe"
    echo "self-test:  $exe --self-test"
    ZCRM_EDITOR_HOME="$home" QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" "$exe" --self-test
fi
