#!/usr/bin/env bash
# Fetch Debian's riscv64 Linux kernel (an unmodified third-party kernel) for the tests and demos that
# boot it: as the only OS, and as the maintenance instance beside a running one. Debian 12 has no
# riscv64 port, Debian 13 (trixie) does, so apt is pointed at trixie for that one architecture with a
# private state directory: the host's own apt configuration is never touched. Nothing fetched is
# committed. Prints the kernel's path; idempotent (a second run only prints it).
#   DEVIRT_LINUX_DIR  where to put it (default ~/.cache/devirt/linux)
set -euo pipefail
dir="${DEVIRT_LINUX_DIR:-$HOME/.cache/devirt/linux}"
found=$(ls "$dir"/boot/vmlinux-* 2>/dev/null | head -n 1 || true)
if [ -n "$found" ]; then echo "$found"; exit 0; fi
command -v apt-get >/dev/null 2>&1 || { echo "fetch-linux: apt-get not found (a Debian host is needed)" >&2; exit 3; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$dir"
echo "deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" > "$work/sources.list"
apt_opts=(-q -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o APT::Architecture=riscv64 -o APT::Architectures=riscv64 -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache" -o Dir::State::Status=/dev/null -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update >/dev/null
cd "$work"
apt-get "${apt_opts[@]}" download linux-image-riscv64 >/dev/null
# linux-image-riscv64 is the metapackage; the kernel is in the versioned package it depends on.
versioned=$(dpkg-deb -f linux-image-riscv64_*.deb Depends | sed 's/ (.*//; s/,.*//; s/|.*//' | tr -d ' ')
apt-get "${apt_opts[@]}" download "$versioned" >/dev/null
dpkg-deb -x "$versioned"_*.deb "$work/x"
mkdir -p "$dir/boot"
cp "$work"/x/boot/vmlinux-* "$work"/x/boot/config-* "$dir/boot/"
ls "$dir"/boot/vmlinux-* | head -n 1
