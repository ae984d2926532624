#!/usr/bin/env bash
# tools/demo.sh — the main job, end to end, in a throwaway OPENJARVIS_HOME:
# install what is missing, build, capture a realistic install and first run
# through the CLI (including values that redaction must drop), then show
# what was queued, what was dropped and why, and the raw queue via sqlite3.
#
# Then it starts the local PostHog-compatible sink (tools/sink) on
# 127.0.0.1, runs `jarvis-analytics-upload` against it, prints what the
# sink received, and stops the sink. Chat sessions are recorded as raw
# signals and rolled up locally before the upload.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
ja_install_deps

build=build-demo
cmake -S . -B "$build" -DJA_BUILD_TESTS=OFF -DJA_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
ja="$PWD/$build/jarvis-analytics"
up="$PWD/$build/jarvis-analytics-upload"
sinkdir="$(mktemp -d)"
sink_pid=""

OPENJARVIS_HOME="$(mktemp -d)/openjarvis"
export OPENJARVIS_HOME
cleanup() {
  if [ -n "$sink_pid" ]; then
    kill "$sink_pid" 2>/dev/null || true
    wait "$sink_pid" 2>/dev/null || true
  fi
  rm -rf "$(dirname "$OPENJARVIS_HOME")" "$sinkdir"
}
trap cleanup EXIT
unset DO_NOT_TRACK OPENJARVIS_ANALYTICS_HOST OPENJARVIS_ANALYTICS_KEY

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ jarvis-analytics'; printf ' %q' "$@"; printf '\n'; "$ja" "$@"; }

step "OPENJARVIS_HOME=$OPENJARVIS_HOME (throwaway)"

step "install.sh: one event per stage"
run capture install_started --verbose --props '{"os":"linux","arch":"x86_64","installer_version":"0.1.1"}'
for stage in deps uv python venv package ollama model_download config verify complete; do
  "$ja" capture install_stage_completed --props "{\"stage\":\"$stage\",\"elapsed_ms\":$((RANDOM % 9000 + 100)),\"os\":\"linux\"}"
done
echo "(10 x install_stage_completed)"
run capture install_completed --verbose --props '{"total_elapsed_ms":84211,"os":"linux","arch":"x86_64"}'

step "first run of the app"
model_hash=$(printf %s "qwen3.5:2b" | sha256sum | cut -c1-16)   # = hash_id("qwen3.5:2b")
OPENJARVIS_LOG_LEVEL=DEBUG "$ja" capture app_opened --props '{"version":"0.1.1","platform":"tauri-linux"}'
run capture setup_completed --verbose --props "{\"preset\":\"code-assistant\",\"model_hash\":\"$model_hash\",\"engine\":\"ollama\"}"
run capture feature_used --verbose --props '{"feature_name":"chat"}'
run capture feedback_submitted --verbose --props '{"rating":5,"has_comment":false}'

step "values that must never be stored (dropped by policy, counted by reason)"
run capture settings_changed --verbose --props '{"setting_key":"alice@example.com"}'
run capture settings_changed --verbose --props '{"setting_key":"/home/alice/.ssh/id_rsa"}'
run capture settings_changed --verbose --props '{"setting_key":"sk-proj-AbCdEfGhIjKlMnOpQrStUv"}'
run capture error_shown_to_user --verbose --props '{"error_class":"network_error","platform":"tauri-linux","message":"connect to 10.0.0.5 failed"}'
run capture app_opened --verbose --props '{"version":["0.1.1"],"platform":"cli"}'
run capture my_custom_event --verbose --props '{"anything":"at all"}'
run capture feedback_submitted --verbose --strict --props '{"rating":-1}' || echo "(--strict: exit $?)"

step "malformed input is refused, nothing stored"
run capture app_opened --props '{"version":' || echo "(exit $?)"

step "opt-out: DO_NOT_TRACK=1 writes nothing"
DO_NOT_TRACK=1 "$ja" capture app_opened --verbose --props '{"version":"0.1.1","platform":"cli"}'

step "what is queued"
run show --limit 5
step "the same queue, read with plain sqlite3"
echo "\$ sqlite3 \$OPENJARVIS_HOME/analytics_queue.db 'select event, count(*) from pending group by event'"
sqlite3 "$OPENJARVIS_HOME/analytics_queue.db" 'select event, count(*) from pending group by event'
echo "\$ sqlite3 \$OPENJARVIS_HOME/analytics_queue.db 'select * from drops'"
sqlite3 -header -column "$OPENJARVIS_HOME/analytics_queue.db" 'select * from drops'
if grep -a -q -e 'alice@example.com' -e 'id_rsa' -e 'sk-proj-' -e '10.0.0.5' "$OPENJARVIS_HOME"/analytics_queue.db*; then
  echo "LEAK: a dropped value is in the queue files" >&2
  exit 1
fi
echo "(checked: none of the dropped values is anywhere in the queue files)"

step "chat sessions: raw signals stay local (hashed), rollup turns them into catalog events"
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
t0="-20 minutes"
run session inference chat-1 --tokens-in 12 --tokens-out 240 --latency-ms 850 --model qwen3.5:2b --engine ollama --at "$(at "$t0")"
run session tool chat-1 --tool search_web --at "$(at "-19 minutes")"
run session inference chat-1 --tokens-in 30 --tokens-out 410 --latency-ms 1210 --model qwen3.5:2b --engine ollama --at "$(at "-18 minutes")"
run session tool chat-1 --tool my_private_plugin --at "$(at "-18 minutes")"
run session error chat-1 --at "$(at "-17 minutes")"
run session end chat-1 --at "$(at "-16 minutes")"
# A second session that simply goes idle (> 300 s): closed by the rollup.
run session inference alice@example.com-session --tokens-in 5 --tokens-out 60 --latency-ms 400 --model llama3.1:8b --engine ollama --at "$(at "-12 minutes")"
run rollup --verbose
if grep -a -q -e 'qwen3.5:2b' -e 'my_private_plugin' -e 'alice@example.com' -e 'chat-1' "$OPENJARVIS_HOME"/analytics_queue.db*; then
  echo "LEAK: a raw session id, model or tool name is in the queue files" >&2
  exit 1
fi
echo "(checked: session ids, model and tool names are stored only as hash_id)"

step "upload to the local PostHog-compatible sink (127.0.0.1, a free port)"
key="phc_demo_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
python3 tools/sink/sink.py --port 0 --port-file "$sinkdir/port" --store "$sinkdir/events.jsonl" \
  --api-key "$key" --idle-timeout 60 >"$sinkdir/stdout" 2>"$sinkdir/stderr" &
sink_pid=$!
for _ in $(seq 1 250); do [ -s "$sinkdir/port" ] && break; sleep 0.02; done
[ -s "$sinkdir/port" ] || { echo "the sink did not start: $(cat "$sinkdir/stderr")" >&2; exit 1; }
sink_url="http://127.0.0.1:$(cat "$sinkdir/port")"
export OPENJARVIS_ANALYTICS_HOST="$sink_url" OPENJARVIS_ANALYTICS_KEY="$key"
echo "\$ jarvis-analytics-upload --dry-run --max-batches 1   # the exact body, key masked"
"$up" --dry-run --max-batches 1 | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); d["batch"]=d["batch"][:1]; print(json.dumps(d, indent=2)[:1500]); print("  ... (first event only)")'
echo "\$ jarvis-analytics-upload --verbose"
"$up" --verbose
step "what the sink received"
python3 tools/sink/sinkctl.py events --url "$sink_url" \
  | python3 -c 'import json,sys; ev=json.load(sys.stdin); [print("%s  %-24s %s" % (e["timestamp"], e["event"], json.dumps({k: v for k, v in e["properties"].items() if not k.startswith("$")}))) for e in ev]; print("(%d events, each once)" % len(ev))'
python3 tools/sink/sinkctl.py stop --url "$sink_url" >/dev/null
wait "$sink_pid" 2>/dev/null || true
sink_pid=""
echo "(sink stopped)"
echo "\$ sqlite3 \$OPENJARVIS_HOME/analytics_queue.db 'select count(*) from pending; select count(*) from sent'"
sqlite3 "$OPENJARVIS_HOME/analytics_queue.db" 'select count(*) from pending; select count(*) from sent'

step "status"
run status
