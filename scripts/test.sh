#!/usr/bin/env bash
# The README's test command: installs what the tests need, then runs every check and test.
#
#   bash scripts/test.sh            # everything (as CI runs it)
#   SKIP_SETUP=1 bash scripts/test.sh   # reuse an existing .venv / node_modules / apt packages
#
# Installs: Debian packages (nasm, exiftool, nodejs/npm if missing), the Python reference tools in
# ./.venv (ascmhl 1.2, moto server, cargo-lambda, rawpy, tifffile, cfn-lint + SAM translator), and
# the asl-validator npm package in ./.ci/node_modules. Nothing is installed outside this folder
# except the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

if [ "${SKIP_SETUP:-0}" != "1" ]; then
  step "system packages"
  if command -v apt-get >/dev/null 2>&1; then
    need=()
    command -v nasm >/dev/null 2>&1 || need+=(nasm)
    command -v exiftool >/dev/null 2>&1 || need+=(libimage-exiftool-perl)
    command -v npm >/dev/null 2>&1 || need+=(npm)
    # Reference readers of the movie and image-sequence inspection tests.
    command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
    command -v iinfo >/dev/null 2>&1 || need+=(openimageio-tools)
    command -v mediainfo >/dev/null 2>&1 || need+=(mediainfo)
    if [ ${#need[@]} -gt 0 ]; then
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
    fi
  fi

  step "reference tools (Python venv in .venv)"
  if [ ! -x .venv/bin/python3 ]; then
    rm -rf .venv
    python3 -m venv .venv
  fi
  .venv/bin/pip install -q --disable-pip-version-check -r scripts/reference-tools.txt

  step "asl-validator (npm, in .ci/node_modules)"
  if [ ! -x .ci/node_modules/.bin/asl-validator ]; then
    (cd .ci && npm install --no-save --no-audit --no-fund --silent asl-validator@3 >/dev/null)
  fi
fi
export RUSHES_REF_VENV="$root/.venv"

step "format"
cargo fmt --all --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests"
cargo test --workspace --locked 2>&1 | tee target/test-output.log
# The closing summary CI reads.
passed=$(grep -Eo '[0-9]+ passed' target/test-output.log | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' target/test-output.log | awk '{s+=$1} END {print s+0}')
ignored=$(grep -Eo '[0-9]+ ignored' target/test-output.log | awk '{s+=$1} END {print s+0}')
echo
echo "tests: $passed passed, $failed failed, $ignored skipped"
