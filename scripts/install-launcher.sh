#!/usr/bin/env bash
# Makes hasteh open like an app, for this user only (no root): `hasteh` on the PATH
# (a link in ~/.local/bin) and a desktop launcher (~/.local/share/applications/hasteh.desktop)
# that runs `hasteh up --open`: it starts hasteh and opens the browser, or opens the one
# already running. Run by scripts/start.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"
bin_dir="$HOME/.local/bin"
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
mkdir -p "$bin_dir" "$apps"
ln -sfn "$repo/.venv/bin/hasteh" "$bin_dir/hasteh"

launcher="$apps/hasteh.desktop"
cat > "$launcher.tmp" <<DESKTOP
[Desktop Entry]
Type=Application
Version=1.0
Name=hasteh
Name[fa]=هسته
GenericName=Cell organizer
GenericName[fa]=سازمان‌دهی هسته
Comment=Open hasteh in the web browser (it runs on this computer only)
Comment[fa]=هسته را در مرورگر باز کنید (فقط روی همین رایانه اجرا می‌شود)
Exec="$bin_dir/hasteh" up --open
Terminal=false
Categories=Network;Chat;
StartupNotify=false
DESKTOP
chmod 0644 "$launcher.tmp"
mv "$launcher.tmp" "$launcher"

# ~/.local/bin on the PATH of new terminals and new logins (Debian's ~/.profile adds it
# only if the folder existed at login).
line='export PATH="$HOME/.local/bin:$PATH"  # hasteh: ~/.local/bin on the PATH'
for rc in "$HOME/.profile" "$HOME/.bashrc"; do
    if ! grep -qsF "# hasteh: ~/.local/bin on the PATH" "$rc"; then
        printf '\n%s\n' "$line" >> "$rc"
    fi
done
echo "hasteh: the command 'hasteh' is in $bin_dir (open a new terminal), and the launcher is in your applications menu." >&2
