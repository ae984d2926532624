#!/usr/bin/env python3
"""bench_e2e.py — CPU per delivered event, end to end, against the anchor
we replace: N chat_session_ended events captured and delivered to the
local sink (tools/sink/) by

  ours    bench_e2e_host (the public API: ja_store_open, N x ja_capture,
          ja_store_close) then jarvis-analytics-upload; CPU = the host's
          own from its first capture to the end of its close (getrusage)
          + the whole uploader process (wait4);
  anchor  posthog-node: new PostHog(...), N x capture(), flush(),
          shutdown(); CPU = process.cpuUsage() from the first capture to
          the end of shutdown.

Both send the same properties to the same sink, each leg into a fresh
sink and (ours) a fresh home, alternating A B A B; every event must
arrive. posthog-node is installed by npm into a temporary folder (never
a project dependency), or taken from --node-modules DIR.

    tools/bench/bench_e2e.py [--build DIR] [--events 5000] [--rounds 3]
                             [--node-modules DIR]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "tools", "sink"))
from sinkctl import Sink  # noqa: E402

KEY = "phc_bench_e2e_0123456789"

NODE_SCRIPT = r"""
const { PostHog } = require('posthog-node');
async function main() {
  const [host, key, nArg] = process.argv.slice(2);
  const n = parseInt(nArg, 10);
  const client = new PostHog(key, { host, flushAt: 100, flushInterval: 0, maxBatchSize: 100,
                                    maxQueueSize: n + 1, disableGeoip: true });
  const c0 = process.cpuUsage(), w0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++)
    client.capture({ distinctId: 'bench-anon-id', event: 'chat_session_ended', properties: {
      turn_count: 5 + (i % 7), tokens_in: 1000, tokens_out: 500, latency_ms_p50: 250.5,
      latency_ms_p95: 800, tool_count: 3, unique_tools: 2, unique_models: 1, error_count: 0,
      model_hash: '8754b77c7eee26e4', engine: 'ollama', duration_ms: 60000 } });
  await client.flush();
  await client.shutdown();
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ cpu_us: c.user + c.system,
                               wall_ms: Number(process.hrtime.bigint() - w0) / 1e6 }));
}
main().catch((e) => { console.error(e); process.exit(1); });
"""


def node_modules(given, scratch):
    """A folder holding node_modules/posthog-node: @given, or npm-installed
    into @scratch."""
    if given:
        return given
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        raise SystemExit("bench_e2e: needs node and npm for the posthog-node anchor")
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", scratch,
                    "posthog-node"], check=True, stdout=subprocess.DEVNULL)
    return scratch


def delivered(sink):
    with open(sink.store_path) as f:
        return sum(1 for _ in f)


def wait4_cpu(argv, env):
    """Run @argv; → (exit status, CPU seconds of it alone, stderr)."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        err.seek(0)
        return os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime, err.read().decode()


def ours(build, n, root):
    home = tempfile.mkdtemp(prefix="home-", dir=root)
    env = dict(os.environ, OPENJARVIS_HOME=home)
    for k in ("DO_NOT_TRACK", "OPENJARVIS_LOG_LEVEL"):
        env.pop(k, None)
    host = subprocess.run([os.path.join(build, "tools", "bench", "bench_e2e_host"), "--events",
                           str(n), "--home", home], env=env, check=True, capture_output=True,
                          text=True)
    h = json.loads(host.stdout)
    with Sink(api_key=KEY, idle_timeout=600) as sink:
        env.update(OPENJARVIS_ANALYTICS_HOST=sink.url, OPENJARVIS_ANALYTICS_KEY=KEY)
        rc, up_cpu, err = wait4_cpu([os.path.join(build, "jarvis-analytics-upload"),
                                     "--deadline", "3600"], env)
        if rc != 0:
            raise SystemExit("bench_e2e: uploader exited %d: %s" % (rc, err))
        got = delivered(sink)
    if got != n:
        raise SystemExit("bench_e2e: %d of %d events arrived (ours)" % (got, n))
    return {"host_us": h["cpu_us"] / n, "upload_us": up_cpu * 1e6 / n,
            "cpu_us": (h["cpu_us"] + up_cpu * 1e6) / n}


def anchor(modules, n, root):
    script = os.path.join(modules, "bench_e2e_anchor.js")
    with open(script, "w") as f:
        f.write(NODE_SCRIPT)
    with Sink(api_key=KEY, idle_timeout=600) as sink:
        r = subprocess.run(["node", script, sink.url, KEY, str(n)], cwd=modules, check=True,
                           capture_output=True, text=True)
        got = delivered(sink)
    if got != n:
        raise SystemExit("bench_e2e: %d of %d events arrived (posthog-node)" % (got, n))
    return {"cpu_us": json.loads(r.stdout)["cpu_us"] / n}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--node-modules", help="a folder with node_modules/posthog-node already")
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix="ja-bench-e2e-")
    try:
        modules = node_modules(a.node_modules, os.path.join(root, "npm"))
        version = json.load(open(os.path.join(modules, "node_modules", "posthog-node",
                                               "package.json")))["version"]
        rows = []
        for _ in range(a.rounds):
            o = ours(a.build, a.events, root)
            p = anchor(modules, a.events, root)
            rows.append((o, p, o["cpu_us"] / p["cpu_us"]))
            print("ours %7.1f us/event (capture %6.1f + upload %5.1f)   posthog-node %s "
                  "%7.1f us/event   ratio %.2fx" % (o["cpu_us"], o["host_us"], o["upload_us"],
                                                  version, p["cpu_us"], rows[-1][2]),
                  flush=True)
        med = statistics.median
        print("median of %d rounds, %d events each: ours %.1f us (capture %.1f, upload %.1f), "
              "posthog-node %.1f us CPU per delivered event; ratio %.2fx (min %.2f, max %.2f)"
              % (a.rounds, a.events, med(r[0]["cpu_us"] for r in rows),
                 med(r[0]["host_us"] for r in rows), med(r[0]["upload_us"] for r in rows),
                 med(r[1]["cpu_us"] for r in rows), med(r[2] for r in rows),
                 min(r[2] for r in rows), max(r[2] for r in rows)))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
