-- Anonymous reads rotating over the paths in a file, and one signed-in favorite (or its
-- taking back) every WRITE_EVERY requests, on a story drawn in turn from another file.
--   wrk -s mixed.lua URL -- READ_PATHS_FILE SLUGS_FILE AUTHORIZATION WRITE_EVERY
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
dofile(here .. "threads.lua")

local reads = {}
local slugs = {}
local read_position = 1
local slug_position = 1
local sent = 0
local write_every = 10
local writer = {}
-- Each story is favorited on its first turn and taken back on the next, so the data ends
-- as it began after an even number of turns.
local favorited = {}

function init(args)
   for path in io.lines(args[1]) do
      reads[#reads + 1] = wrk.format("GET", path)
   end
   for slug in io.lines(args[2]) do
      slugs[#slugs + 1] = slug
   end
   writer = { ["Authorization"] = args[3] }
   write_every = tonumber(args[4])
   read_position = (thread_number or 0) * 997 % #reads + 1
   slug_position = (thread_number or 0) * 331 % #slugs + 1
end

function request()
   sent = sent + 1
   if sent % write_every == 0 then
      local slug = slugs[slug_position]
      slug_position = slug_position % #slugs + 1
      local method = favorited[slug] and "DELETE" or "POST"
      favorited[slug] = not favorited[slug]
      return wrk.format(method, "/api/articles/" .. slug .. "/favorite", writer)
   end
   local next_request = reads[read_position]
   read_position = read_position % #reads + 1
   return next_request
end
