#!lua flags=allow-oom
--[[
  trim (retention): for every queue in <ns>:queues, removes the oldest members of
  completed:<q>, failed:<q> (attempt ids) and dead:<q> (job ids) that are older than the
  queue's age limit or beyond its count limit, at most `batch` per set per call, and what each
  takes with it (lib/forget_records: the attempt hash; the job hash and its latest:<q> entry
  when the removed completed attempt is the job's latest, or the job was dead; the latest:<q>
  entry of a job whose hash is gone). stats:<q> counters are kept.

  KEYS: [1] <ns>:queues
  ARGV:
    [1] ns   [2] now ms   [3] batch
    [4 .. 9] default policy: completed ttl ms, completed max, failed ttl, failed max,
             dead ttl, dead max
    then per queue with its own policy: name + the same 6 values
  Derived keys: per queue read from <ns>:queues (known only inside): <ns>:completed:<q>, <ns>:failed:<q>, <ns>:dead:<q>,
    <ns>:latest:<q>; <ns>:attempts:<aid> and <ns>:jobs:<id> of the removed members.
  Returns: {removed, 1 if some set hit the batch else 0}.
  Flags: allow-oom: it frees memory, which is what a full Redis needs.
]]
--- @include "lib/forget_records"

local ns, now, batch = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local function policy(from)
  return {tonumber(ARGV[from]), tonumber(ARGV[from + 1]), tonumber(ARGV[from + 2]),
          tonumber(ARGV[from + 3]), tonumber(ARGV[from + 4]), tonumber(ARGV[from + 5])}
end
local default = policy(4)
local policies = {}
for i = 10, #ARGV, 7 do policies[ARGV[i]] = policy(i + 1) end
-- The k oldest members of a sorted set that are past `ttl` ms or over `max` members.
local function oldest(key, ttl, max)
  local over = redis.call('ZCARD', key) - max
  local old = redis.call('ZCOUNT', key, '-inf', '(' .. (now - ttl))
  local k = math.min(batch, math.max(over, old))
  if k <= 0 then return {} end
  return redis.call('ZRANGE', key, 0, k - 1)
end
local removed, more = 0, 0
for _, q in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local p = policies[q] or default
  local sets = {{':completed:', p[1], p[2]}, {':failed:', p[3], p[4]}, {':dead:', p[5], p[6]}}
  local latest_key = ns .. ':latest:' .. q
  for s = 1, 3 do
    local key = ns .. sets[s][1] .. q
    local ids = oldest(key, sets[s][2], sets[s][3])
    for _, id in ipairs(ids) do
      if s == 3 then forget_dead_job(ns, latest_key, id) else forget_attempt(ns, latest_key, id, s == 1) end
    end
    if #ids > 0 then
      redis.call('ZREMRANGEBYRANK', key, 0, #ids - 1)
      removed = removed + #ids
      if #ids == batch then more = 1 end
    end
  end
end
return {removed, more}
