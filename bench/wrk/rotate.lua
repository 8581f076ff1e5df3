-- Requests rotating over the paths listed in a file, one per line; each thread starts at its
-- own place in the list.
--   wrk -s rotate.lua URL -- PATHS_FILE [METHOD] [BODY] [AUTHORIZATION]
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
dofile(here .. "threads.lua")

local requests = {}
local position = 1

function init(args)
   local method = args[2] or "GET"
   local body = args[3] ~= "" and args[3] or nil
   local headers = {}
   if body then
      headers["Content-Type"] = "application/json"
   end
   if args[4] and args[4] ~= "" then
      headers["Authorization"] = args[4]
   end
   for path in io.lines(args[1]) do
      requests[#requests + 1] = wrk.format(method, path, headers, body)
   end
   position = (thread_number or 0) * 997 % #requests + 1
end

function request()
   local next_request = requests[position]
   position = position % #requests + 1
   return next_request
end
