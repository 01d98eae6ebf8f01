"""Photo uploads: throughput and the server's peak memory while 16 phones upload 2 MB originals
at once, against a baseline measured in the same run on the same server.

    .venv/bin/python bench/photo_upload.py [--clients 16] [--uploads 8] [--size-mb 2]

A fresh SQLite database and photo folder; gunicorn (2 workers × 8 threads, so that 16 uploads are
in the server at once) on a free loopback port, serving the app and one bare endpoint that reads
the body and discards it (bench/photo_server.py). Each phase sends --clients × --uploads multipart
uploads of the same 2 MB, 12-megapixel JPEG original, each with a fresh
client_id, from --clients threads at once: first the bare endpoint (the baseline: the cost of
moving the bytes), then POST /api/v1/photos (checked, decoded, re-encoded without EXIF, stored).
The server's memory is the summed RSS of gunicorn's processes, sampled every 20 ms. It prints
uploads/s, MB/s, p50/p99 latency and peak RSS per phase, and the ratios photos / baseline.
Loopback only, bounded in time; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin_load import free_port, seed, server_env, stop  # noqa: E402


def original(size_mb: float) -> bytes:
    """A 12-megapixel JPEG of about `size_mb` MB, as a phone's camera writes one: smooth colour
    fields (bicubic-enlarged noise) at the quality that comes closest above the size."""
    from PIL import Image

    w, h = 4000, 3000
    seed_image = Image.frombytes("RGB", (w // 16, h // 16), os.urandom((w // 16) * (h // 16) * 3))
    photo = seed_image.resize((w, h), Image.Resampling.BICUBIC)
    best = b""
    for quality in range(95, 40, -5):
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=quality)
        if out.tell() < size_mb * 1_000_000:
            break
        best = out.getvalue()
    return best or out.getvalue()


def multipart(data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="client_id"\r\n\r\n{uuid.uuid4()}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="IMG.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def server_pids(root: int) -> list[int]:
    """gunicorn's master and its workers."""
    pids = [root]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == root:
                pids.append(int(entry.name))
    return pids


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class PeakRss(threading.Thread):
    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.peak, self.running = pids, 0.0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pids))
            time.sleep(0.02)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak


def phase(
    port: int, path: str, headers: dict, data: bytes, clients: int, uploads: int, pids
) -> dict:
    latencies, statuses, lock = [], [], threading.Lock()
    start_line = threading.Barrier(clients)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start_line.wait()
        for _ in range(uploads):
            body, content_type = multipart(data)
            began = time.perf_counter()
            conn.request("POST", path, body, {**headers, "Content-Type": content_type})
            answer = conn.getresponse()
            answer.read()
            with lock:
                latencies.append(time.perf_counter() - began)
                statuses.append(answer.status)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    sampler = PeakRss(pids)
    sampler.start()
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    peak = sampler.stop()
    ok = sum(1 for s in statuses if 200 <= s < 300)
    latencies.sort()
    return {
        "uploads": len(statuses),
        "ok": ok,
        "per_s": len(statuses) / elapsed,
        "mb_s": len(statuses) * len(data) / elapsed / 1e6,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "peak_rss_mb": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--uploads", type=int, default=8, help="uploads per client per phase")
    parser.add_argument("--size-mb", type=float, default=2.0)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gridreach-photo-bench-"))
    url = f"sqlite:///{work / 'bench.db'}"
    plan = seed(url, n_sites=1, n_workers=1)
    data = original(args.size_mb)
    env = {**server_env(url), "PHOTO_DIR": str(work / "photos")}
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.photo_server:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # stop() ends its whole process group
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)  # the workers are up
        pids = server_pids(server.pid)
        auth = {"Authorization": f"Bearer {plan['bearers'][0]}"}
        # The baseline first (a warm-up pass, then the measured one): memory the photo path keeps
        # afterwards would otherwise count against the baseline.
        phase(port, "/bench/discard", {}, data, 2, 1, pids)
        idle = rss_mb(pids)
        base = phase(port, "/bench/discard", {}, data, args.clients, args.uploads, pids)
        phase(port, "/api/v1/photos", auth, data, 2, 1, pids)
        warm = rss_mb(pids)
        photos = phase(port, "/api/v1/photos", auth, data, args.clients, args.uploads, pids)
    finally:
        stop(server)
    stored = sum(1 for _ in (work / "photos").rglob("*.jpg"))
    print(f"original {len(data) / 1e6:.2f} MB, {args.clients} clients × {args.uploads} uploads")
    print(
        f"server RSS (2 workers + master) before the baseline {idle:.0f} MB, before photos {warm:.0f} MB"
    )
    for name, r in (("baseline (read and discard)", base), ("POST /api/v1/photos", photos)):
        print(
            f"{name:30s} {r['ok']}/{r['uploads']} ok  {r['per_s']:6.1f} uploads/s  {r['mb_s']:6.1f} MB/s  "
            f"p50 {r['p50_ms']:7.0f} ms  p99 {r['p99_ms']:7.0f} ms  peak RSS {r['peak_rss_mb']:.0f} MB"
        )
    print(
        f"ratio photos/baseline: throughput {photos['per_s'] / base['per_s']:.3f}, "
        f"p50 {photos['p50_ms'] / base['p50_ms']:.1f}x, "
        f"peak RSS {photos['peak_rss_mb'] / base['peak_rss_mb']:.2f}x "
        f"(+{photos['peak_rss_mb'] - base['peak_rss_mb']:.0f} MB)"
    )
    print(f"photo files stored: {stored}")


if __name__ == "__main__":
    main()
