-- wrk script: POSTs the file named by the environment variable LANES_BODY with the Content-Type in
-- LANES_TYPE (default application/json) to the URL wrk was given, and counts non-2xx answers as errors
-- in the summary (wrk itself counts only socket errors and its "Non-2xx" line).
local f = assert(io.open(os.getenv("LANES_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("LANES_TYPE") or "application/json"

done = function(summary, latency, requests)
  local p = function(q) return latency:percentile(q) / 1000.0 end
  io.write(string.format("lanes-wrk: requests=%d seconds=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), p(50), p(99),
    latency.max / 1000.0,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
