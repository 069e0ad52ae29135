#!lua
--[[
  retry_job (CLI): moves one job from dead:<q> or retry:<q> to the tail of ready:<q> in one
  step. A dead job starts over (lib/revive_dead_job: `fal` 0, no `ded`, no `unc`); one waiting
  for a retry keeps its counts.

  KEYS: [1] <ns>:jobs:<id>
  ARGV: [1] ns   [2] job id
  Derived keys: <ns>:dead:<q>, <ns>:retry:<q>, <ns>:ready:<q> of the queue read from the job
    hash's `que`.
  Returns: {code, queue, from}: 0 = no job hash; 1 = moved from `from` (dead or retry);
    2 = neither dead nor waiting for a retry; 3 = the job key holds another type, given in
    place of the queue.
  Flags: none: over maxmemory Redis refuses it whole, so a job never leaves dead:<q> without
    reaching ready:<q>.
]]
--- @include "lib/revive_dead_job"
--- @include "lib/job_queue"

local ns, id = ARGV[1], ARGV[2]
local job = KEYS[1]
local q, reply = job_queue(job)
if not q then return reply end
if redis.call('ZREM', ns .. ':dead:' .. q, id) == 1 then
  revive_dead_job(job, ns .. ':ready:' .. q, id)
  return {1, q, 'dead'}
end
if redis.call('ZREM', ns .. ':retry:' .. q, id) == 1 then
  redis.call('RPUSH', ns .. ':ready:' .. q, id)
  return {1, q, 'retry'}
end
return {2, q, ''}
