#!lua flags=allow-oom
--[[
  purge (CLI): one batch of one record set: removes the members scored at or before the cutoff
  and what each takes with it (lib/forget_records, as the watcher's trim) in one step, so no
  reader finds an entry whose hash is half gone: a completed attempt that is its job's latest
  also deletes the finished job's hash.

  KEYS: [1] the set: <ns>:completed:<q>, <ns>:failed:<q> or <ns>:dead:<q>   [2] <ns>:latest:<q>
  ARGV: [1] ns   [2] the set's kind: completed, failed or dead   [3] cutoff ms   [4] batch
  Derived keys: <ns>:attempts:<aid> and <ns>:jobs:<id> of the removed members.
  Returns: the number of members removed (the caller repeats while it equals the batch).
  Flags: allow-oom: it frees memory.
]]
--- @include "lib/forget_records"

local ns, kind, cutoff, batch = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local set, latest_key = KEYS[1], KEYS[2]
local ids = redis.call('ZRANGEBYSCORE', set, '-inf', cutoff, 'LIMIT', 0, batch)
for _, id in ipairs(ids) do
  if kind == 'dead' then
    forget_dead_job(ns, latest_key, id)
  else
    forget_attempt(ns, latest_key, id, kind == 'completed')
  end
  redis.call('ZREM', set, id)
end
return #ids
