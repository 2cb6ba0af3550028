-- wrk script: plain GETs (headers from -H), then print the 95th percentile latency.
done = function(summary, latency, requests)
  io.write(string.format("p95: %.2fms\n", latency:percentile(95) / 1000))
end
