#!lua
--[[
  retry_dead (CLI): retries up to `batch` dead jobs of one queue, oldest death first; each
  starts over (lib/revive_dead_job). Ids without a job hash leave the dead set but are not
  pushed (a worker could only fail them as JobNotFound).

  KEYS: [1] <ns>:dead:<q>   [2] <ns>:ready:<q>
  ARGV: [1] ns   [2] batch
  Derived keys: <ns>:jobs:<id> of the ids read from dead:<q>.
  Returns: {moved, dropped, dead jobs remaining}.
  Flags: none: over maxmemory Redis refuses it whole, so no job leaves dead:<q> halfway.
]]
--- @include "lib/is_hash"
--- @include "lib/revive_dead_job"

local ns, batch = ARGV[1], tonumber(ARGV[2])
local dead, ready = KEYS[1], KEYS[2]
local ids = redis.call('ZRANGE', dead, 0, batch - 1)
local moved, dropped = 0, 0
for _, id in ipairs(ids) do
  redis.call('ZREM', dead, id)
  local job = ns .. ':jobs:' .. id
  if is_hash(job) then
    revive_dead_job(job, ready, id)
    moved = moved + 1
  else
    dropped = dropped + 1
  end
end
return {moved, dropped, redis.call('ZCARD', dead)}
