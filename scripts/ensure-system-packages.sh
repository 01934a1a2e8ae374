#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages that tests and interop checks use, skipping what is
# already installed. CI (.ci/run) calls it as root on a clean machine.
#
#   chromium            browser (e2e) tests, driven by Playwright through executablePath (STACK.md §4)
#   mosquitto(-clients) MQTT 5 broker and CLI peers for the MQTT interop tests (STACK.md §8)
#   python3-pymodbus    Modbus TCP peer for interop tests (use PYENV_VERSION=system python3, G12)
#   python3-serial(-asyncio) pymodbus imports both even for TCP (Recommends, which --no-install-recommends skips)
#   mbpoll              Modbus CLI peer
#   openssl             CLI that makes the throw-away CA and certificates of the MQTT TLS interop tests
#
# The MQTT and Modbus interop tests need them and fail with a clear message when one is missing; a
# failed install only warns here (set PLANTWIRE_SYSTEM_PACKAGES_STRICT=1 to make it fail at once). PLANTWIRE_SKIP_SYSTEM_PACKAGES=1 skips all.
# Override the list with PLANTWIRE_SYSTEM_PACKAGES="a b c".
set -uo pipefail

packages=(${PLANTWIRE_SYSTEM_PACKAGES:-chromium mosquitto mosquitto-clients python3-pymodbus python3-serial python3-serial-asyncio mbpoll openssl})
strict="${PLANTWIRE_SYSTEM_PACKAGES_STRICT:-0}"

note() { echo "[system-packages] $*" >&2; }
give_up() {
  note "$1"
  if [ "$strict" = "1" ]; then exit 1; fi
  note "continuing: the interop tests that need them will fail (PLANTWIRE_SYSTEM_PACKAGES_STRICT=1 makes this fatal)"
  exit 0
}

if [ "${PLANTWIRE_SKIP_SYSTEM_PACKAGES:-0}" = "1" ]; then
  note "skipped (PLANTWIRE_SKIP_SYSTEM_PACKAGES=1)"
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    note "present: $pkg"
  else
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  note "all present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  give_up "apt-get not available; install by hand: ${missing[*]}"
fi
if [ "$(id -u)" -ne 0 ]; then
  give_up "not root; install by hand: sudo apt-get install -y ${missing[*]}"
fi

note "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || give_up "apt-get update failed"
apt-get install -y -qq --no-install-recommends "${missing[@]}" || give_up "apt-get install failed: ${missing[*]}"
note "installed: ${missing[*]}"
