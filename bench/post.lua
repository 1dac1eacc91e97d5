-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script for bench/compare: every request is a POST of one file.
--   BODY   the file to send (required)
--   CTYPE  its Content-Type (default application/x-compress-zlib)
--   AGENT_ID  a GLPI-Agent-ID header (the JSON protocol), when set
-- At the end one machine-readable line is printed:
--   RESULT requests=N duration_us=N p50_us=N p99_us=N max_us=N
--          non2xx=N connect=N read=N write=N timeout=N
-- (non2xx is wrk's status error count: answers with a status >= 400.)

local path = os.getenv("BODY")
if path == nil or path == "" then
	error("post.lua: set BODY to the file to post")
end
local fh = assert(io.open(path, "rb"))
local payload = fh:read("*a")
fh:close()

wrk.method = "POST"
wrk.body = payload
wrk.headers["Content-Type"] = os.getenv("CTYPE") or "application/x-compress-zlib"
wrk.headers["User-Agent"] = "FusionInventory-Agent_v2.6"
local agent_id = os.getenv("AGENT_ID")
if agent_id ~= nil and agent_id ~= "" then
	wrk.headers["GLPI-Agent-ID"] = agent_id
	wrk.headers["User-Agent"] = "GLPI-Agent_v1.12"
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d " ..
		"non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
		summary.requests, summary.duration,
		latency:percentile(50), latency:percentile(99), latency.max,
		e.status, e.connect, e.read, e.write, e.timeout))
end
