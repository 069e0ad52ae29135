#!lua flags=allow-oom
--[[
  hand_back: fails attempts that will not finish here (a stopping worker's "Shutdown", a quiet
  worker's "Claim Lost", jobs it cannot read) and puts their jobs back at the head of
  ready:<q>. Only attempts still in processing:<q> are touched, so running it twice, or after a
  watcher, hands nothing back twice. Each gets `err msg` (no `fin`, as the original's stale
  attempts) and enters failed:<q> scored by now; its job goes back only when its key holds a
  hash. When counted, the job's `fal` + 1 and stats:<q> `failed` + 1.

  KEYS: 4 per queue (queue i at 1 + 4(i-1)):
          <ns>:processing:<q>, <ns>:failed:<q>, <ns>:ready:<q>, <ns>:stats:<q>
  ARGV:
    [1] ns   [2] now ms   [3] err   [4] msg   [5] count: "1" = a failed attempt of the job
    then 3 per attempt: queue index i into KEYS, attempt id, job id. Each is LPUSHed, so the
    last one given ends first at the head of ready.
  Derived keys: <ns>:attempts:<aid> and <ns>:jobs:<id> per attempt and job id of ARGV.
  Returns: the number of attempts handed back.
  Flags: allow-oom: it gives jobs back, and a job must never be stranded for want of a few
    bytes.
]]
--- @include "lib/failures"
--- @include "lib/is_hash"

local ns, now, err, msg, count = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1'
local n = 0
for i = 6, #ARGV, 3 do
  local k = 4 * tonumber(ARGV[i]) - 3
  local pkey, fkey, ready_key, skey = unpack(KEYS, k, k + 3)
  local aid, job = ARGV[i + 1], ARGV[i + 2]
  if redis.call('SREM', pkey, aid) == 1 then
    redis.call('HSET', ns .. ':attempts:' .. aid, 'err', err, 'msg', msg)
    redis.call('ZADD', fkey, now, aid)
    local jkey = ns .. ':jobs:' .. job
    if is_hash(jkey) then
      redis.call('LPUSH', ready_key, job)
      if count then
        redis.call('HSET', jkey, 'fal', failures(redis.call('HGET', jkey, 'fal')) + 1)
        redis.call('HINCRBY', skey, 'failed', 1)
      end
    end
    n = n + 1
  end
end
return n
