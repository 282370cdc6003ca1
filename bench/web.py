"""Load on the web app (``finimpact serve``) over the loopback address: N concurrent clients,
each costing the largest seed through the page's live estimate (POST /live, what the page's
script sends as a delegate types) for a fixed time. Prints throughput, latency (p50, p95,
max), errors, and the cross-talk check: each client adds a services amount of its own to the
seed, so each expects its own total, known before the run (the JSON download), and every answer
must give that total and no other.

    python bench/web.py [--clients 20] [--seconds 30] [--seed seeds/pp26-ai-capacity.toml]

The server runs as ``finimpact serve --port 0`` in its own process (one uvicorn worker, as a
delegate's laptop runs it); the clients are threads of this process with keep-alive
connections. Bounded: the run stops after --seconds, and only 127.0.0.1 is ever addressed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from webform import form_fields  # noqa: E402

FORM = {"content-type": "application/x-www-form-urlencoded"}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def largest_seed() -> Path:
    return max((ROOT / "seeds").glob("*.toml"), key=lambda p: p.stat().st_size)


def start() -> tuple[subprocess.Popen[str], str]:
    exe = Path(sys.executable).with_name("finimpact")
    proc = subprocess.Popen([str(exe), "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    found = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not found:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, found[0]


def request(
    conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    conn.request("POST", path, body=body, headers=headers)
    answer = conn.getresponse()
    return answer.status, answer.read()


def client_form(base: list[tuple[str, str]], n: int) -> list[tuple[str, str]]:
    """The seed's form, plus a services amount that only client n has."""
    index = 1 + max(int(k.split(".")[1]) for k, _ in base if re.match(r"activity\.\d+\.kind$", k))
    extra = {
        "kind": "services",
        "id": f"bench-client-{n}",
        "title": f"Client {n}'s own line",
        "amount": str(1000 + n),
        "justification": "benchmark",
        "per": "year",
    }
    return [*base, *((f"activity.{index}.{k}", v) for k, v in extra.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=Path, default=largest_seed())
    args = parser.parse_args()

    proc, url = start()
    host, port = urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or 80
    try:
        setup = http.client.HTTPConnection(host, port, timeout=60)
        boundary = "benchboundary"
        upload = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="proposal";'
                f' filename="{args.seed.name}"\r\nContent-Type: application/toml\r\n\r\n'
            ).encode()
            + args.seed.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, page = request(
            setup,
            "/upload",
            upload,
            {"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        assert status == 200, status
        base = form_fields(page.decode())
        bodies, expected = [], []
        for n in range(args.clients):
            fields = client_form(base, n)
            status, data = request(
                setup, "/", urlencode([*fields, ("download", "json")]).encode(), FORM
            )
            assert status == 200, (status, data[:200])
            total = json.loads(data)["total"]
            expected.append(f"Total CHF {Decimal(total):,.2f}")
            bodies.append(urlencode(fields).encode())
        if len(set(expected)) != len(expected):
            raise SystemExit("the clients' totals are not distinct: no cross-talk check")

        latencies: list[list[float]] = [[] for _ in range(args.clients)]
        errors = [0] * args.clients
        crossed = [0] * args.clients
        start_at = time.monotonic() + 0.5
        stop_at = start_at + args.seconds

        def run(n: int) -> None:
            conn = http.client.HTTPConnection(host, port, timeout=60)
            while time.monotonic() < start_at:
                time.sleep(0.01)
            while time.monotonic() < stop_at:
                began = time.perf_counter()
                try:
                    status, data = request(conn, "/live", bodies[n], FORM)
                except (OSError, http.client.HTTPException):
                    errors[n] += 1
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=60)
                    continue
                latencies[n].append(time.perf_counter() - began)
                if status != 200:
                    errors[n] += 1
                    continue
                shown = json.loads(data)["status"]
                if not shown.startswith(expected[n]):
                    crossed[n] += 1
            conn.close()

        threads = [threading.Thread(target=run, args=(n,)) for n in range(args.clients)]
        cpu0 = time.process_time()
        server0 = cpu_seconds(proc.pid)
        load0 = load_average()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        server_cpu = cpu_seconds(proc.pid) - server0
        every = sorted(x for xs in latencies for x in xs)
        done = len(every)
        quantiles = statistics.quantiles(every, n=100) if done >= 2 else [0.0] * 99
        print(f"seed: {args.seed.name}; {args.clients} clients for {args.seconds:g} s on {url}")
        print(f"requests: {done} ({done / args.seconds:.1f}/s)")
        print(
            f"latency ms: p50 {quantiles[49] * 1000:.0f}, p95 {quantiles[94] * 1000:.0f},"
            f" max {every[-1] * 1000 if every else 0:.0f}"
        )
        print(
            f"errors: {sum(errors)}; cross-talk (an answer with another client's total):"
            f" {sum(crossed)}"
        )
        print(f"client CPU: {time.process_time() - cpu0:.1f} s")
        if done:
            print(
                f"server CPU: {server_cpu:.1f} s, {server_cpu / done * 1000:.1f} ms a request"
                f" (the latency on an idle core would be about this times the queue)"
            )
        print(f"load average before and after: {load0} / {load_average()} (2 cores)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
