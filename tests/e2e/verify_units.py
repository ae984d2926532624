"""ctest timer/systemd_analyze_verify: the systemd user units, checked by
systemd itself. `cmake --install` of the build into ~/.local of a throwaway
HOME, then:

  * `systemctl --user` finds them there (`systemd-analyze --user unit-paths`);
  * `systemd-analyze --user verify` passes them: every directive known, the
    ExecStart binary executable, the Documentation= man page found;
  * the two rules verify does not check: Persistent= only beside
    OnCalendar= (it does nothing with the monotonic OnUnitActiveSec=), and
    no network-online.target in a user unit (it is the system manager's:
    a user manager never reaches it).

Usage: verify_units.py BUILD_DIR. Exit 0 passed, 1 failed, 77 skipped
(ctest SKIP_RETURN_CODE: reported as a skip, never as a pass) when
systemd-analyze is not installed (`apt-get install systemd`)."""

import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
UNITS = ("jarvis-analytics-upload.service", "jarvis-analytics-upload.timer")


def run(argv, env):
    p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def sections(text):
    """{section: [(key, value)]} of a unit file (comments and blanks skipped)."""
    out, cur = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            cur = out.setdefault(line[1:-1], [])
        elif "=" in line and cur is not None:
            k, v = line.split("=", 1)
            cur.append((k.strip(), v.strip()))
    return out


def rule_failures(name, text):
    bad = []
    s = sections(text)
    timer = dict(s.get("Timer", []))
    if "Persistent" in timer and "OnCalendar" not in timer:
        bad.append("%s: Persistent= without OnCalendar= does nothing" % name)
    for key, value in s.get("Unit", []):
        if "network-online.target" in value:
            bad.append("%s: %s=%s names a system unit a user manager never reaches"
                       % (name, key, value))
    return bad


def main():
    build = sys.argv[1]
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("SKIP: systemd-analyze is not installed (apt-get install systemd)")
        return SKIP
    root = tempfile.mkdtemp(prefix="ja-units-")
    try:
        home = os.path.join(root, "home")
        runtime = os.path.join(root, "run")
        os.makedirs(home)
        os.makedirs(runtime, mode=0o700)
        prefix = os.path.join(home, ".local")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("XDG_") and k not in ("SYSTEMD_UNIT_PATH", "MANPATH")}
        env.update({"HOME": home, "XDG_RUNTIME_DIR": runtime, "LC_ALL": "C.UTF-8"})
        rc, out, err = run(["cmake", "--install", build, "--prefix", prefix], env)
        if rc != 0:
            print("cmake --install failed:\n" + err)
            return 1
        failures = []
        rc, out, err = run([analyze, "--user", "unit-paths"], env)
        unitdir = os.path.join(prefix, "share", "systemd", "user")
        if rc != 0 or unitdir not in out.splitlines():
            failures.append("systemctl --user does not search %s:\n%s%s" % (unitdir, out, err))
        paths = [os.path.join(unitdir, u) for u in UNITS]
        for p in paths:
            if not os.path.isfile(p):
                failures.append("not installed: %s" % p)
        if not failures:
            # The man page is checked where man(1) is there to look for it.
            man = ["--man=no"] if not shutil.which("man") else []
            env_v = dict(env, MANPATH=os.path.join(prefix, "share", "man"))
            rc, out, err = run([analyze, "--user"] + man + ["verify"] + paths, env_v)
            if rc != 0 or err.strip():
                failures.append("systemd-analyze --user verify (exit %d):\n%s%s" % (rc, out, err))
            for p in paths:
                with open(p) as f:
                    failures += rule_failures(os.path.basename(p), f.read())
        for f in failures:
            print("FAIL: " + f)
        if not failures:
            print("ok: %s pass systemd-analyze --user verify, in %s" % (", ".join(UNITS), unitdir))
        return 1 if failures else 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
