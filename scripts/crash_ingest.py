#!/usr/bin/env python3
"""Kills the server with SIGKILL several times while devices send events, and counts.

Devices (the demo city's, with keys issued by `zhili device-key`) send batches of events
with ids of their own over HTTP, as a device does: a batch whose answer was 200 is
acknowledged; a batch whose request failed (the server died under it) is sent again once
the server is back, until it is acknowledged. After the last round the database must hold
every acknowledged event exactly once: nothing acknowledged lost, nothing stored twice.

    scripts/crash_ingest.py [--bin .build/debug/zhili] [--kills 5] [--devices 4]

Exit status 0 when the counts hold. SQLite (the default database) on a throwaway data
directory; set DATABASE_URL to run it against PostgreSQL instead.
"""

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request


def log(msg):
    print(f"crash_ingest: {msg}", flush=True)


def free_port(start):
    import socket

    for p in range(start, start + 200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", p)) != 0:
                return p
    raise SystemExit("no free port")


def wait_ready(base, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not become ready")


class Device(threading.Thread):
    """Sends batches until told to stop; remembers what was acknowledged."""

    def __init__(self, code, key, base, batch):
        super().__init__(daemon=True)
        self.code, self.key, self.base, self.batch = code, key, base, batch
        self.acked = set()
        self.unacked = []  # batches sent without an answer: sent again later
        self.serial = 0
        self.running = threading.Event()
        self.stopped = False
        self.failures = 0

    def next_batch(self):
        if self.unacked:
            return self.unacked.pop(0)
        events = []
        for _ in range(self.batch):
            self.serial += 1
            events.append({"id": f"crash-{self.code}-{self.serial}", "kind": "heartbeat", "battery": 80})
        return events

    def send(self, events):
        body = json.dumps({"events": events}).encode()
        req = urllib.request.Request(
            self.base + "/api/v1/ingest/batch",
            data=body,
            headers={"X-Device-Key": self.key, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            receipt = json.load(r)
            if r.status != 200 or receipt["accepted"] + receipt["duplicates"] != len(events):
                raise RuntimeError(f"unexpected answer {r.status} {receipt}")

    def run(self):
        while not self.stopped:
            self.running.wait()
            if self.stopped:
                return
            events = self.next_batch()
            try:
                self.send(events)
                self.acked.update(e["id"] for e in events)
            except Exception:
                # No answer: not acknowledged; the device keeps it and sends it again.
                self.unacked.append(events)
                self.failures += 1
                time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("ZHILI_BIN", ".build/debug/zhili"))
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--devices", type=int, default=4)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    random.seed(args.seed)
    data = tempfile.mkdtemp(prefix="zhili-crash-")
    env = dict(os.environ, ZHILI_LOG_LEVEL="warning")
    for k in ("ZHILI_MQTT_URL", "ZHILI_WRISTBAND_PORT"):
        env.pop(k, None)
    log(f"data in {data}, seed {args.seed}")
    subprocess.run([args.bin, "demo", "--data-dir", data], env=env, check=True, stdout=subprocess.DEVNULL)
    codes = []
    db_path = os.path.join(data, "zhili.sqlite")
    if "DATABASE_URL" not in env:
        with sqlite3.connect(db_path) as c:
            codes = [r[0] for r in c.execute("SELECT code FROM devices WHERE kind='sos' ORDER BY code LIMIT ?", (args.devices,))]
    else:
        raise SystemExit("PostgreSQL: not supported by this script yet")
    keys = {}
    for code in codes:
        out = subprocess.run(
            [args.bin, "device-key", "--code", code, "--data-dir", data], env=env, check=True, capture_output=True, text=True
        ).stdout
        keys[code] = out.strip().splitlines()[-1]
    port = free_port(18700)
    base = f"http://127.0.0.1:{port}"
    devices = [Device(code, keys[code], base, args.batch) for code in codes]
    for d in devices:
        d.start()

    def start():
        p = subprocess.Popen(
            [args.bin, "serve", "--data-dir", data, "--port", str(port), "--host", "127.0.0.1"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "server.log"), "a"),
        )
        wait_ready(base, p)
        return p

    server = start()
    for k in range(args.kills):
        for d in devices:
            d.running.set()
        time.sleep(random.uniform(0.8, 2.5))
        server.send_signal(signal.SIGKILL)
        server.wait()
        acked = sum(len(d.acked) for d in devices)
        log(f"kill {k + 1}/{args.kills}: {acked} events acknowledged so far")
        for d in devices:
            d.running.clear()
        time.sleep(0.2)
        server = start()
    # The last round: everything still unanswered goes again, with the server up.
    for d in devices:
        d.running.set()
    time.sleep(1.0)
    for d in devices:
        while d.unacked:
            time.sleep(0.1)
    for d in devices:
        d.stopped = True
        d.running.set()
    time.sleep(0.5)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

    with sqlite3.connect(db_path) as c:
        stored = {}
        for event_id, n in c.execute(
            "SELECT event_id, COUNT(*) FROM device_events WHERE event_id LIKE 'crash-%' GROUP BY event_id"
        ):
            stored[event_id] = n
    acked = set().union(*(d.acked for d in devices))
    lost = acked - set(stored)
    twice = [e for e, n in stored.items() if n > 1]
    retried = sum(d.failures for d in devices)
    log(
        f"{args.kills} kills; {len(acked)} events acknowledged, {len(stored)} stored, "
        f"{retried} batches sent again after a kill; lost {len(lost)}, stored twice {len(twice)}"
    )
    if lost or twice:
        log(f"FAILED: lost {sorted(lost)[:5]} twice {twice[:5]}")
        return 1
    if len(acked) == 0:
        log("FAILED: nothing was acknowledged (the load never ran)")
        return 1
    log("OK: no acknowledged event lost, none stored twice")
    return 0


if __name__ == "__main__":
    sys.exit(main())
