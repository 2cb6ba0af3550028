#!/usr/bin/env python3
"""SOS-to-screen latency: N screens hold /api/v1/live open (staff whose area holds the
device), an SOS button is pressed M times over HTTP, and each screen's receipt of the alarm
frame is timed from the moment the request was sent. Prints p50/p90/p99/max over all
receipts (N × M), and how many screens missed one. Needs the `websockets` package."""
import argparse, asyncio, json, statistics, time, urllib.request

import websockets


def post(base, path, body, headers):
    req = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(req, timeout=15) as res:
        return json.loads(res.read() or b"null")


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True, help="bearer token of the screens' account")
    ap.add_argument("--key", required=True, help="the SOS button's device key")
    ap.add_argument("--screens", type=int, default=1000)
    ap.add_argument("--presses", type=int, default=30)
    a = ap.parse_args()
    ws_url = a.base.replace("http://", "ws://") + "/api/v1/live"
    pending = {}  # alarm id -> (sent at, set of screens still waiting)
    samples = []
    arrived = {}

    async def screen(i, ready):
        async with websockets.connect(ws_url, additional_headers={"Authorization": f"Bearer {a.token}"},
                                      max_queue=None, open_timeout=60) as ws:
            await ws.recv()  # hello
            ready.set()
            async for text in ws:
                at = time.perf_counter()
                frame = json.loads(text)
                if frame.get("kind") != "alarm":
                    continue
                data = frame.get("data", {})
                key = (data.get("id"), data.get("count"))
                arrived.setdefault(key, []).append(at)

    tasks, readies = [], []
    for i in range(a.screens):
        ready = asyncio.Event()
        readies.append(ready)
        tasks.append(asyncio.create_task(screen(i, ready)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=120)
    loop = asyncio.get_running_loop()
    missed = 0
    for n in range(a.presses):
        sent = time.perf_counter()
        receipt = await loop.run_in_executor(None, post, a.base, "/api/v1/ingest/events",
                                             {"id": f"lat-{time.time_ns()}-{n}", "kind": "sos"},
                                             {"X-Device-Key": a.key})
        alarm = receipt["alarms"][0]
        # The open alarm counts each press: (id, count) names this press's frame.
        deadline = time.perf_counter() + 5
        key = None
        while time.perf_counter() < deadline:
            matches = [k for k in arrived if k[0] == alarm and k[1] == n + 1]
            if matches and len(arrived[matches[0]]) >= a.screens:
                key = matches[0]
                break
            await asyncio.sleep(0.005)
        got = arrived.get(key or (alarm, n + 1), [])
        missed += a.screens - len(got)
        samples.extend((t - sent) * 1000 for t in got)
        await asyncio.sleep(0.2)
    for t in tasks:
        t.cancel()
    samples.sort()

    def pct(p):
        return samples[min(len(samples) - 1, int(len(samples) * p / 100))] if samples else float("nan")

    print(json.dumps({"screens": a.screens, "presses": a.presses, "receipts": len(samples), "missed": missed,
                      "p50_ms": round(pct(50), 2), "p90_ms": round(pct(90), 2), "p99_ms": round(pct(99), 2),
                      "max_ms": round(samples[-1], 2) if samples else None}))


if __name__ == "__main__":
    asyncio.run(main())
