#!lua flags=allow-oom
--[[
  dequeue (CLI): removes one waiting job. One script, so a worker's claim (itself one script or
  a BLMOVE) happens wholly before or wholly after it: either the id is still in ready,
  scheduled or retry of its queue (`que`) and is removed there, or a worker has it and nothing
  is touched. The job hash and its latest:<q> entry are deleted only when the id was removed.

  KEYS: [1] <ns>:jobs:<id>
  ARGV: [1] ns   [2] job id
  Derived keys: <ns>:ready:<q>, <ns>:scheduled:<q>, <ns>:retry:<q>, <ns>:latest:<q> of the
    queue read from the job hash's `que`.
  Returns: {code, queue, where}: 0 = no job hash; 1 = removed from `where` (ready, scheduled or
    retry); 2 = not waiting anywhere (claimed, finished or dead); 3 = the job key holds another
    type, given in place of the queue; nothing is touched then.
  Flags: allow-oom: it only removes.
]]
--- @include "lib/job_queue"

local ns, id = ARGV[1], ARGV[2]
local job = KEYS[1]
local q, reply = job_queue(job)
if not q then return reply end
local where
if redis.call('LREM', ns .. ':ready:' .. q, 0, id) > 0 then where = 'ready'
elseif redis.call('ZREM', ns .. ':scheduled:' .. q, id) == 1 then where = 'scheduled'
elseif redis.call('ZREM', ns .. ':retry:' .. q, id) == 1 then where = 'retry'
else return {2, q, ''} end
redis.call('DEL', job)
redis.call('HDEL', ns .. ':latest:' .. q, id)
return {1, q, where}
