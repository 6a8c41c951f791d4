#!/usr/bin/env bash
# Load-tests tools/serve on 127.0.0.1 with Debian's wrk, bounded in time:
#   bench/serve/wrk.sh [--duration SECONDS] [--connections N] [--threads N] [--port PORT] [--model FILE|DIR]
# Starts the server (timing launch to "ready"), warms it up, then runs wrk against
#   POST /v1/models/mnist:predict   one 784-number instance
#   POST /v2/models/mnist/infer     the same instance as an FP32 tensor [1, 784]
#   POST /v1/models/mnist:image     a PNG file (tools/samples/digit-7-drawing.png)
# and prints, per endpoint, requests/s, p50/p99 latency and errors (socket errors and non-2xx), then the
# time inside the server per stage (read, parse, predict, encode, send: means from /metrics over that
# run) and the server's CPU time per request (user + system, from /proc: a figure that other load on
# the machine hardly moves, unlike requests/s), and finally the server's resident size after the load
# and its exit status after SIGTERM.
# Only 127.0.0.1 is ever contacted. Requires wrk (apt-get install wrk) and /usr/bin/python3.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
duration=10 connections=16 threads=2 port=18080 model=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --model) model=(--model "$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "wrk.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
case "$duration" in ''|*[!0-9]*) echo "wrk.sh: --duration must be whole seconds" >&2; exit 2 ;; esac
[ "$duration" -le 600 ] || { echo "wrk.sh: --duration is at most 600 s" >&2; exit 2; }

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
base="http://127.0.0.1:$port"

# Build first, and let the launcher make its class cache (once per build), so that the start-up time
# below is the server's own.
. "$root/tools/lib/launch.sh"
lanes_build_if_needed serve "$root/serve/target/lanes-serve.jar"
"$root/tools/serve" --help >/dev/null 2>&1

t0=$(date +%s%N)
"$root/tools/serve" --port "$port" --host 127.0.0.1 "${model[@]}" >"$work/out" 2>"$work/err" &
server_pid=$!
until grep -q "ready at" "$work/out" 2>/dev/null; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/err" >&2; echo "wrk.sh: the server did not start" >&2; exit 1; }
  [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 30000 ] || { echo "wrk.sh: not ready after 30 s" >&2; exit 1; }
  sleep 0.01
done
t1=$(date +%s%N)
echo "start-up to ready: $(( (t1 - t0) / 1000000 )) ms (launcher + JVM + model; the server says: $(sed -n 's/.*; \([0-9]* ms\))$/\1/p' "$work/out"))"

# The request bodies: the sample MNIST digit as the server's own preprocessing gives it.
curl -sf --data-binary @"$root/tools/samples/digit-9-mnist28.png" -H 'Content-Type: image/png' \
  "$base/v1/models/mnist:image?preprocess=none&input=true" >"$work/image.json"
/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
x = json.load(open(w + "/image.json"))["input"]
json.dump({"instances": [x]}, open(w + "/v1.json", "w"))
json.dump({"inputs": [{"name": "input", "shape": [1, 784], "datatype": "FP32", "data": x}]}, open(w + "/v2.json", "w"))
PY

stage_sums() { # stage count sum, one line per stage
  curl -sf "$base/metrics" | sed -n 's/^lanes_serve_stage_duration_seconds_\(sum\|count\){stage="\([a-z]*\)"} \(.*\)$/\2 \1 \3/p'
}

cpu_ticks() { # the server's user + system CPU time, in clock ticks
  awk '{print $14 + $15}' "/proc/$server_pid/stat"
}

run() { # name path body type seconds
  local name=$1 path=$2 body=$3 type=$4 secs=$5
  stage_sums >"$work/before"
  local ticks0
  ticks0=$(cpu_ticks)
  local out
  out=$(LANES_BODY=$body LANES_TYPE=$type wrk -t"$threads" -c"$connections" -d"${secs}s" --timeout 5s --latency \
    -s "$root/bench/serve/post.lua" "$base$path" | grep '^lanes-wrk:')
  stage_sums >"$work/after"
  [ "$name" = warmup ] && return 0
  echo "$name $out" | sed 's/lanes-wrk: //'
  # CPU the server spent per request: unlike requests/s, hardly moved by other load on the machine.
  local requests ticks hz
  requests=$(echo "$out" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
  ticks=$(( $(cpu_ticks) - ticks0 ))
  hz=$(getconf CLK_TCK)
  echo "    server CPU per request: $(awk -v t="$ticks" -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.1f", n ? 1e6 * t / hz / n : 0}') µs"
  /usr/bin/python3 - "$work/before" "$work/after" <<'PY'
import sys
def read(f):
    d = {}
    for line in open(f):
        stage, kind, v = line.split()
        d[(stage, kind)] = float(v)
    return d
a, b = read(sys.argv[1]), read(sys.argv[2])
parts = []
for stage in ["read", "parse", "predict", "encode", "send"]:
    n = b.get((stage, "count"), 0) - a.get((stage, "count"), 0)
    s = b.get((stage, "sum"), 0) - a.get((stage, "sum"), 0)
    parts.append("%s %.1f" % (stage, 1e6 * s / n if n else float("nan")))
print("    inside the server, mean µs per request: " + ", ".join(parts))
PY
}

echo "wrk: $connections connections, $threads threads, ${duration}s per endpoint, 127.0.0.1"
run warmup /v1/models/mnist:predict "$work/v1.json" application/json 8
run v1_predict /v1/models/mnist:predict "$work/v1.json" application/json "$duration"
run warmup /v2/models/mnist/infer "$work/v2.json" application/json 2
run v2_infer /v2/models/mnist/infer "$work/v2.json" application/json "$duration"
run warmup /v1/models/mnist:image "$root/tools/samples/digit-7-drawing.png" image/png 2
run v1_image /v1/models/mnist:image "$root/tools/samples/digit-7-drawing.png" image/png "$duration"

echo "RSS after the load: $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$server_pid/status")"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
echo "exit status after SIGTERM: $status"
