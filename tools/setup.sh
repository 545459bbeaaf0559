#!/usr/bin/env bash
# Installs the Debian packages streams needs to build and test (see ../../shared/STACK.md for
# what each one is for). Idempotent: when every package is already installed it only asks
# dpkg and returns, without touching apt. Runs as root, or through sudo otherwise.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake make pkg-config ccache
  # libraries
  libcaf-dev librdkafka-dev liblmdb-dev libspdlog-dev doctest-dev nlohmann-json3-dev
  rapidjson-dev prometheus-cpp-dev libyaml-cpp-dev libcli11-dev libcivetweb-dev libjemalloc-dev libssl-dev
  # tools used by tests: mdb_stat, and Kafka clients independent of ours
  lmdb-utils kcat python3-confluent-kafka python3-kafka openssl
  # the fuzz targets (tests/fuzz): clang with libFuzzer and its sanitizers
  clang-14 libclang-rt-14-dev
)

# Which packages are not fully installed? dpkg-query prints nothing for unknown packages
# (and exits non-zero), so compare against the list instead of trusting its exit status.
declare -A installed=()
while read -r name status; do
  [[ "$status" == "ii" ]] && installed["${name%%:*}"]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)

missing=()
for p in "${packages[@]}"; do
  [[ -n "${installed[$p]:-}" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

if ((EUID == 0)); then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} missing package(s): ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
echo "setup: done"
