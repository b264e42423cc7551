#!/usr/bin/env bash
# Redis's own test suite (7.0.15, from Debian's source package) against Strata's RESP door, in the
# suite's external-server mode: tests that need a real redis-server (replication, DEBUG, SAVE,
# maxmemory) are left out by their tags, as for any external server.
#
#   tools/redis-test-suite.sh [unit ...]      # default: the eleven units of issue 19 (type/string, type/incr,
#                                             # type/hash, type/list, type/set, type/zset, expire, keyspace, multi,
#                                             # scan, protocol); CI runs them after the tests
#
# The harness stops a unit at the first command it cannot run (an unknown command is an exception,
# not a failed test); this script then runs the unit again without that test, until the unit
# completes, and prints per unit: tests passed, failed, and left out for such an exception; then
# the share passed over all units.
# The source is fetched once into target/redis-src (a build input, never committed); a Strata node
# is started for the run on a free port in a temporary directory and stopped after, by its PID.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
units=("$@")
[ ${#units[@]} -eq 0 ] && units=(unit/type/string unit/type/incr unit/type/hash unit/type/list unit/type/set unit/type/zset
  unit/expire unit/keyspace unit/multi unit/scan unit/protocol)
src="$root/target/redis-src"
suite="$src/redis-7.0.15"

if [ ! -d "$suite/tests" ]; then
  mkdir -p "$src"
  if ! grep -rqs "^Types: deb-src" /etc/apt/sources.list.d/ && ! grep -qs "^deb-src" /etc/apt/sources.list; then
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      > /etc/apt/sources.list.d/strata-redis-src.sources
    apt-get update -qq
  fi
  (cd "$src" && apt-get source --download-only redis=7:7.0.15* >/dev/null 2>&1 || apt-get source --download-only redis >/dev/null)
  tar xzf "$src"/redis_7.0.15.orig.tar.gz -C "$src"
fi
command -v tclsh >/dev/null || { echo "tclsh is needed (apt-get install tcl)" >&2; exit 1; }

data="$(mktemp -d /tmp/strata-redis-suite-XXXXXX)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$root/strata" up --data-dir "$data/node" --http-port 0 --resp-port "$port" -Dstrata.resp.allow-flush=on \
  -Dstrata.http.max-body-bytes=4190000 > "$data/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  grep -q "Strata node up" "$data/node.log" 2>/dev/null && break
  kill -0 $node 2>/dev/null || { cat "$data/node.log" >&2; exit 1; }
  sleep 0.5
done

cd "$suite"
total_passed=0
total_run=0
for unit in "${units[@]}"; do
  skips=()
  log="$data/$(echo "$unit" | tr / _).log"
  while true; do
    args=()
    for s in ${skips[@]+"${skips[@]}"}; do args+=(--skiptest "$s"); done
    ./runtest --host 127.0.0.1 --port "$port" --single "$unit" --ignore-encoding --clients 1 --timeout 60 \
      --tags -needs:repl --tags -needs:debug --tags -needs:save --tags -needs:config-maxmemory --tags -needs:reset \
      ${args[@]+"${args[@]}"} > "$log" 2>&1 || true
    sed -i 's/\x1b\[[0-9;]*m//g' "$log"
    if grep -q "^\[TIMEOUT\]" "$log"; then
      # A test that waited 60 s for a reply that never came (a blocked client Strata served in
      # another order than Redis would): it is left out, and the unit runs again without it.
      name=$(grep -oP '(?<=\(IN PROGRESS\) ).*' "$log" | head -1 || true)
    else
      grep -q "^\[exception\]" "$log" || break
      # The test that threw: the innermost `test {name}` or `test "name"` of the traceback.
      name=$(grep -oP '(?<=^"test \{)[^}]*(?=\} )' "$log" | head -1 || true)
      [ -z "$name" ] && name=$(grep -oP '(?<=^"test ")[^"]*' "$log" | head -1 || true)
    fi
    if [ -z "$name" ] || printf '%s\n' ${skips[@]+"${skips[@]}"} | grep -qxF "$name"; then
      echo "$unit: stopped by an exception outside a test:"; grep -A6 "^\[exception\]\|^\[TIMEOUT\]" "$log" | head -8
      break
    fi
    skips+=("$name")
  done
  passed=$(grep -c '^\[ok\]' "$log" || true)
  failed=$(grep -c '^\[err\]' "$log" || true)
  total_passed=$((total_passed + passed))
  total_run=$((total_run + passed + failed + ${#skips[@]}))
  echo "$unit: passed $passed, failed $failed, left out for an exception or a timeout ${#skips[@]}"
  grep '^\[err\]' "$log" | sed 's/^/    /' || true
  printf '    left out: %s\n' ${skips[@]+"${skips[@]}"}
done
awk -v p="$total_passed" -v n="$total_run" 'BEGIN { printf "all units: passed %d of %d (%.1f %%)\n", p, n, n ? 100 * p / n : 0 }'
