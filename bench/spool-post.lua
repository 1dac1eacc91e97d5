-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script for bench/spool-forward: each request POSTs the next of
-- COUNT bodies, BODIES/0.zlib ... BODIES/<COUNT-1>.zlib, one per device,
-- as agents of a fleet do (one device and agent id each): a spool then
-- holds distinct inventories, none superseding another.
--   BODIES  the folder of the bodies (required); COUNT  how many
--   CTYPE   their Content-Type (default application/x-compress-zlib)
--   JSON=1  the GLPI JSON protocol: a GLPI-Agent-ID per body
-- At the end the RESULT line of result.lua is printed.

local dir = os.getenv("BODIES")
local count = tonumber(os.getenv("COUNT") or "")
if dir == nil or dir == "" or count == nil or count < 1 then
	error("spool-post.lua: set BODIES and COUNT")
end
local ctype = os.getenv("CTYPE") or "application/x-compress-zlib"
local json = os.getenv("JSON") == "1"
local bodies, heads = {}, {}
for i = 0, count - 1 do
	local fh = assert(io.open(dir .. "/" .. i .. ".zlib", "rb"))
	bodies[i] = fh:read("*a")
	fh:close()
	local h = { ["Content-Type"] = ctype }
	if json then
		h["User-Agent"] = "GLPI-Agent_v1.12"
		h["GLPI-Agent-ID"] = string.format(
		    "3a609a2e-947f-4e6a-9af9-%012x", i)
	else
		h["User-Agent"] = "FusionInventory-Agent_v2.6"
	end
	heads[i] = h
end

local n = 0
function setup(thread)
	-- Threads start at different bodies.
	n = n + 1
	thread:set("first", n * 7919)
end

local next_i = nil
function request()
	if next_i == nil then next_i = (first or 0) % count end
	local i = next_i
	next_i = (next_i + 1) % count
	return wrk.format("POST", nil, heads[i], bodies[i])
end

-- done(): the RESULT line, from result.lua beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "result.lua")
