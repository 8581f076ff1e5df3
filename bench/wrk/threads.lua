-- Numbers wrk's threads, so that each one can start at its own place in a rotation.
local threads_started = 0

function setup(thread)
   thread:set("thread_number", threads_started)
   threads_started = threads_started + 1
end
