#!/usr/bin/env bash
# KvActors build driver. Verbs:
#   ./build.sh            restore, build Release, publish executables to artifacts/bin/
#   ./build.sh test       build and run every test project; ends with "N passed, N failed, N skipped"
#   ./build.sh bench NAME run one benchmark (storage, remote, cluster, cluster-soak, store, resp) and print `name: value unit` lines
#   ./build.sh cluster    start a local 3-node cluster (seed 4053, members 4054, 4055; RESP 6379-6381); Ctrl+C stops it.
#                         Each node keeps its data in data/<node> across restarts and logs to data/<node>.log too;
#                         --fresh wipes data/ first. A node that exits while the others run is named, with its exit code.
#   ./build.sh clean      remove build outputs
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
ARTIFACTS="$ROOT/artifacts"
CONFIGURATION="${CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

die() { echo "build.sh: $*" >&2; exit 2; }

require_sdk() {
  command -v dotnet >/dev/null 2>&1 \
    || die "the .NET SDK is not installed: install the .NET 10 SDK (https://dot.net) and run this again."
  dotnet --list-sdks 2>/dev/null | grep -q '^10\.' \
    || die "the .NET 10 SDK is missing (found: $(dotnet --list-sdks | cut -d' ' -f1 | tr '\n' ' ')): install the .NET 10 SDK and run this again."
}

# Executables published to artifacts/bin: "project-dir:name".
EXECUTABLES=("src/KvActors.Node:kvnode" "src/KvActors.Cli:kv")

build() {
  dotnet build "$ROOT/KvActors.sln" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly "$@"
}

publish() {
  mkdir -p "$ARTIFACTS/bin"
  for entry in "${EXECUTABLES[@]}"; do
    local dir="${entry%%:*}" name="${entry##*:}"
    [ -d "$ROOT/$dir" ] || continue
    # The project sets AssemblyName itself: -p:AssemblyName here would rename every referenced project too.
    dotnet publish "$ROOT/$dir" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly -o "$ARTIFACTS/publish/$name"
    ln -sf "$ARTIFACTS/publish/$name/$name" "$ARTIFACTS/bin/$name"
  done
}

run_tests() {
  ensure_redis_tools || true # the redis-cli specs report themselves skipped, with the reason, without it
  build
  local results="$ARTIFACTS/test-results"
  rm -rf "$results"; mkdir -p "$results"
  local status=0
  # Two phases: every test project but the multi-node specs side by side, then the multi-node specs alone. Those
  # run clusters of real and in-process nodes whose failure detectors must not starve on a 2-core machine.
  local serial="tests/KvActors.MultiNode.Tests/KvActors.MultiNode.Tests.csproj"
  local filter="$ARTIFACTS/tests-in-parallel.slnf"
  {
    printf '{ "solution": { "path": "%s", "projects": [' "$ROOT/KvActors.sln"
    find tests -name '*.Tests.csproj' ! -path "$serial" | sort | sed 's/.*/"&"/' | paste -sd, -
    printf '] } }\n'
  } > "$filter"
  # Hang guard: a test that hangs is dumped and killed rather than stalling CI.
  local args=(-c "$CONFIGURATION" --no-build -nologo --logger "trx" --logger "console;verbosity=normal"
    --results-directory "$results" --blame-hang-timeout 5m)
  dotnet test "$filter" "${args[@]}" "$@" || status=$?
  dotnet test "$ROOT/$serial" "${args[@]}" "$@" || status=$?
  local passed=0 failed=0 skipped=0 files=0
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    files=$((files + 1))
    local counters
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
    get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
    passed=$((passed + $(get passed)))
    failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
    skipped=$((skipped + $(get notExecuted)))
  done
  print_failures "$results"
  echo "$passed passed, $failed failed, $skipped skipped"
  if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
  if [ "$files" -eq 0 ] || [ "$passed" -eq 0 ]; then echo "build.sh: no test ran." >&2; exit 1; fi
}

# Names each failed test with the first lines of its message, just above the totals, so a CI log's tail says what broke.
print_failures() {
  local trx
  for trx in "$1"/*.trx; do
    [ -f "$trx" ] || continue
    awk '
      /<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); want = 1; next }
      want && /<Message>/ { sub(/.*<Message>/, ""); lines = 0; inmsg = 1 }
      inmsg { printing = $0; sub(/<\/Message>.*/, "", printing); if (lines == 0) print "FAILED " name ": " printing; else if (lines < 6) print "    " printing; lines++
              if ($0 ~ /<\/Message>/) { inmsg = 0; want = 0 } }
    ' "$trx"
  done
}

# redis-cli / redis-benchmark (Debian's redis-tools) and redis-server for the RESP tests and `bench resp`:
# installed with apt-get when absent (root only); says so and returns 1 when they cannot be had.
ensure_redis_tools() {
  local missing=()
  command -v redis-cli >/dev/null 2>&1 && command -v redis-benchmark >/dev/null 2>&1 || missing+=(redis-tools)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "build.sh: ${missing[*]} not installed and apt-get is not usable here: the redis-cli tests and bench resp cannot run." >&2
    return 1
  fi
  echo "build.sh: installing ${missing[*]} (apt-get)..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null \
    || { echo "build.sh: apt-get could not install ${missing[*]}: the redis-cli tests and bench resp cannot run." >&2; return 1; }
  # Debian's package starts a redis-server service where an init system runs; the benchmark starts its own.
  if command -v service >/dev/null 2>&1; then service redis-server stop >/dev/null 2>&1 || true; fi
  return 0
}

bench() {
  [ $# -ge 1 ] || die "usage: ./build.sh bench NAME (see tests/KvActors.Benchmarks/README.md)."
  [ "$1" = resp ] && { ensure_redis_tools || exit 2; }
  dotnet build "$ROOT/tests/KvActors.Benchmarks" -c Release -nologo -clp:ErrorsOnly
  echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -sr), .NET $(dotnet --version)"
  echo "command: ./build.sh bench $*"
  dotnet "$ROOT/tests/KvActors.Benchmarks/bin/Release/net10.0/KvActors.Benchmarks.dll" "$@"
}

# A local cluster from hocon/seed.conf and hocon/member.conf, each log line prefixed with its node and also written,
# unprefixed, to data/<node>.log (new at each start). A node that exits while the cluster runs is named on stderr
# with its pid, exit code and log. Ctrl+C (or SIGTERM) sends SIGTERM to one node at a time, the last started first,
# each leaving gracefully before the next is told (see stop_nodes); then waits for all.
cluster() {
  local fresh=0
  for arg in "$@"; do
    case "$arg" in
      --fresh) fresh=1 ;;
      *) die "unknown cluster option '$arg': use ./build.sh cluster [--fresh]." ;;
    esac
  done
  # Published every time (incremental: seconds when nothing changed), so a changed tree never starts a stale kvnode.
  publish
  if [ "$fresh" -eq 1 ]; then
    rm -rf "$ROOT/data"
    echo "build.sh: --fresh: removed data/ (every node's keys, log and ring)." >&2
  fi
  mkdir -p "$ROOT/data"
  local pids=()
  declare -A names=()
  start_node() {
    local name="$1"; shift
    local prefix; prefix="$(printf '%-9s| ' "$name")"
    local log="data/$name.log"
    # The log filter ignores INT/TERM so it outlives the node and prints its last (shutdown) lines.
    "$ARTIFACTS/bin/kvnode" --name "$name" "$@" \
      > >(trap '' INT TERM; tee "$ROOT/$log" | sed -u "s/^/$prefix/") 2>&1 &
    pids+=("$!")
    names[$!]="$name"
  }
  start_node seed --config hocon/seed.conf --data-dir data/seed
  start_node member-1 --config hocon/member.conf --port 4054 --data-dir data/member-1
  start_node member-2 --config hocon/member.conf --port 4055 --resp-port 6381 --data-dir data/member-2
  echo "build.sh: cluster started (seed 127.0.0.1:4053, members 4054, 4055; Redis clients on 6379, 6380, 6381; logs in data/<node>.log); try 'artifacts/bin/kv cluster show' or 'redis-cli -p 6379'; Ctrl+C stops it." >&2
  local stopping=0 live=("${pids[@]}")
  # One node at a time, the last started first, each given 15 s to leave before the next is told. Akka hands the
  # RingManager singleton from a leaving oldest member to the next oldest; when both leave at once, the oldest waits
  # out Akka's take-over retries (12 x 1 s, so its 10-s cluster-exiting phase times out). The oldest is the seed
  # while it lives, but whichever member is oldest once the seed has died: stopping the two members together then took
  # 10.3 s, where one after the other never waits on a hand-over.
  stop_nodes() {
    (
      local i pid
      for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pid="${pids[$i]}"
        kill -TERM "$pid" 2>/dev/null || continue # gone already
        for _ in $(seq 1 150); do
          kill -0 "$pid" 2>/dev/null || break
          sleep 0.1
        done
      done
    ) &
  }
  trap 'stopping=1; echo "build.sh: stopping the cluster..." >&2; stop_nodes' INT TERM
  # One wait per node exit (wait -n), so a node that dies while the others run is reported at once.
  local status=0 pid code
  while [ "${#live[@]}" -gt 0 ]; do
    pid="" code=0
    wait -n -p pid "${live[@]}" 2>/dev/null || code=$?
    if [ -z "${pid:-}" ]; then
      [ "$code" -ne 127 ] || break # no such child left
      continue # a signal interrupted the wait (the trap ran); wait again
    fi
    local rest=() p
    for p in "${live[@]}"; do [ "$p" = "$pid" ] || rest+=("$p"); done
    live=("${rest[@]}")
    [ "$code" -eq 0 ] || status=1
    [ "$stopping" -eq 1 ] && [ "$code" -eq 0 ] && continue
    sleep 0.2 # let the log filter print the node's last lines first
    local when=""
    [ "$stopping" -eq 1 ] || when=" while the cluster runs (${#live[@]} of ${#pids[@]} nodes still run)"
    echo "build.sh: node ${names[$pid]} (pid $pid) $(exit_text "$code")$when; its log: data/${names[$pid]}.log" >&2
  done
  sleep 0.2 # let the log filters print the nodes' last lines
  return "$status"
}

# "exited with code N", or for a signal's death "was killed by SIGKILL (exit code 137)".
exit_text() {
  if [ "$1" -gt 128 ] && kill -l "$(($1 - 128))" >/dev/null 2>&1; then
    echo "was killed by SIG$(kill -l "$(($1 - 128))") (exit code $1)"
  else
    echo "exited with code $1"
  fi
}

require_sdk
verb="${1:-}"; [ $# -gt 0 ] && shift
case "$verb" in
  "")    dotnet restore "$ROOT/KvActors.sln" -nologo && build && publish ;;
  test)  run_tests "$@" ;;
  bench) bench "$@" ;;
  cluster) cluster "$@" ;;
  clean) rm -rf "$ARTIFACTS"; find "$ROOT/src" "$ROOT/tests" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} + ;;
  *)     die "unknown verb '$verb': use no verb, test, bench NAME, cluster or clean." ;;
esac
