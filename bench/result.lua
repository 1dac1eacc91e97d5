-- SPDX-License-Identifier: GPL-3.0-or-later
-- The end of a wrk run, shared by post.lua and spool-post.lua: one
-- machine-readable line,
--   RESULT requests=N duration_us=N p50_us=N p99_us=N max_us=N
--          non2xx=N connect=N read=N write=N timeout=N
-- (non2xx is wrk's status error count: answers with a status >= 400.)

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d " ..
		"non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
		summary.requests, summary.duration,
		latency:percentile(50), latency:percentile(99), latency.max,
		e.status, e.connect, e.read, e.write, e.timeout))
end
