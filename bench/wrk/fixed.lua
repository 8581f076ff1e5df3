-- One request, sent over and over; method, body and Authorization come from the arguments.
--   wrk -s fixed.lua URL -- [METHOD] [BODY] [AUTHORIZATION]
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

function init(args)
   wrk.method = args[1] or "GET"
   if args[2] and args[2] ~= "" then
      wrk.body = args[2]
      wrk.headers["Content-Type"] = "application/json"
   end
   if args[3] and args[3] ~= "" then
      wrk.headers["Authorization"] = args[3]
   end
end
