-- wrk script for bench/checkin_load.py: prints one JSON line of the run's figures.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"rps":%.2f,"p50_ms":%.3f,"p99_ms":%.3f,"ok":%d,"errors":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests - e.status, e.status + e.connect + e.read + e.write + e.timeout))
end
