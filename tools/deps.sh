#!/usr/bin/env bash
# What the tests need beyond Go, installed where it is missing (make test runs this first; on a
# machine that has everything it only checks):
#   - Node and npm (the core's js/wasm tests run in Node), from Debian;
#   - Chromium from Debian (the page's tests drive it headless through playwright-core; no
#     browser download: playwright-core uses /usr/bin/chromium);
#   - the Vulkan loader (libvulkan1), which Dawn's Node binding opens to reach SwiftShader, the
#     CPU Vulkan driver Debian's chromium ships (/usr/lib/chromium/vk_swiftshader_icd.json): the
#     WebGPU engine's tests run on it in Node and in Chromium (README: WebGPU);
#   - playwright-core and webgpu (dawn.node) from npm, pinned by package-lock.json.
# Installing from apt needs root or sudo; without either it says what is missing and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  else
    SUDO="none"
  fi
fi
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The loader alone: its recommended drivers (mesa-vulkan-drivers) would add ICDs the tests do not use.
loader=()
/sbin/ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' || loader=(libvulkan1)
if [ $((${#missing[@]} + ${#loader[@]})) -gt 0 ]; then
  if [ "$SUDO" = none ]; then
    echo "the tests need these Debian packages: ${missing[*]} ${loader[*]} (apt-get install them as root)" >&2
    exit 1
  fi
  echo "installing ${missing[*]} ${loader[*]} from apt"
  $SUDO apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
  [ ${#loader[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${loader[@]}"
fi
if [ ! -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
  echo "no SwiftShader in Debian's chromium (/usr/lib/chromium/vk_swiftshader_icd.json): the WebGPU tests need it" >&2
  exit 1
fi
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/webgpu ]; then
  npm ci --no-audit --no-fund
fi
