-- Prints one machine-readable line when wrk finishes: counts, and latency percentiles in µs.
-- wrk counts responses with a status of 400 or more as status errors; the runner checks
-- beforehand that each scenario answers 2xx, so no 3xx passes unnoticed.
function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %.0f, "p90_us": %.0f, '
         .. '"p99_us": %.0f, "max_us": %.0f, "status_errors": %d, "connect_errors": %d, '
         .. '"read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
