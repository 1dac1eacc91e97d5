-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script for bench/compare: every request is a POST of one file.
--   BODY   the file to send (required)
--   CTYPE  its Content-Type (default application/x-compress-zlib)
--   AGENT_ID  a GLPI-Agent-ID header (the JSON protocol), when set
-- At the end the RESULT line of result.lua is printed.

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

-- done(): the RESULT line, from result.lua beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "result.lua")
