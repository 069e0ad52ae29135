#!lua
--[[
  finish: records a batch of finished attempts. Only attempts still in processing:<q> are
  recorded (a watcher may have failed them as stale meanwhile), so an attempt is never both
  completed and failed, and a batch sent again after a lost reply records nothing twice.
  A completed attempt gets `fin tim`, leaves processing:<q>, enters completed:<q> scored by fin,
  and stats:<q> `completed` grows. A failed one gets `fin tim err msg` and enters failed:<q>
  (stats `failed` + 1); when its job key holds a hash, the job's `fal` + 1 and the job enters
  retry:<q> scored by its retry time, or dead:<q> (scored by fin; job `ded` = fin).

  KEYS: 6 per queue of the batch (queue i at 1 + 6(i-1)):
          <ns>:processing:<q>, <ns>:completed:<q>, <ns>:failed:<q>, <ns>:retry:<q>,
          <ns>:dead:<q>, <ns>:stats:<q>
  ARGV:
    [1] ns, then blocks, each naming its queue by its 1-based index i into KEYS:
      completed attempts of one queue: `c` i n, then n x (attempt id, fin ms, tim ms)
      one failed attempt: `f` i attempt-id job-id fin tim err msg retry-at (ms, "" = dead)
  Derived keys: <ns>:attempts:<aid> and <ns>:jobs:<id> per attempt and job id of ARGV.
    Declaring them would add one or two arguments per job to the hot path.
  Returns: the number of attempts recorded.
  Flags: none: over maxmemory the batch is refused whole and the worker sends it again.
]]
--- @include "lib/failures"
--- @include "lib/is_hash"

local call = redis.call
local ns = ARGV[1]
local attempts_prefix, jobs_prefix = ns .. ':attempts:', ns .. ':jobs:'
local recorded, i = 0, 2
while i <= #ARGV do
  local k = 6 * tonumber(ARGV[i + 1]) - 5
  local pkey, ckey, fkey, rkey, dkey, skey = unpack(KEYS, k, k + 5)
  if ARGV[i] == 'c' then
    -- Completed attempts of one queue: n x (attempt id, fin, tim).
    local n = tonumber(ARGV[i + 2])
    local first = i + 3
    local aids = {}
    for m = 0, n - 1 do aids[m + 1] = ARGV[first + 3 * m] end
    local live = call('SMISMEMBER', pkey, unpack(aids))
    local gone, scored = {}, {}
    for m = 0, n - 1 do
      if live[m + 1] == 1 then
        local j = first + 3 * m
        call('HSET', attempts_prefix .. ARGV[j], 'fin', ARGV[j + 1], 'tim', ARGV[j + 2])
        gone[#gone + 1] = ARGV[j]
        scored[#scored + 1] = ARGV[j + 1]
        scored[#scored + 1] = ARGV[j]
      end
    end
    if #gone > 0 then
      call('SREM', pkey, unpack(gone))
      call('ZADD', ckey, unpack(scored))
      call('HINCRBY', skey, 'completed', #gone)
      recorded = recorded + #gone
    end
    i = first + 3 * n
  else
    -- One failed attempt: attempt id, job id, fin, tim, err, msg, retry time ('' = final).
    local aid, job, fin, tim, err, msg, retry_at = unpack(ARGV, i + 2, i + 8)
    if call('SREM', pkey, aid) == 1 then
      call('HSET', attempts_prefix .. aid, 'fin', fin, 'tim', tim, 'err', err, 'msg', msg)
      call('ZADD', fkey, fin, aid)
      call('HINCRBY', skey, 'failed', 1)
      local jkey = jobs_prefix .. job
      if is_hash(jkey) then
        call('HSET', jkey, 'fal', failures(call('HGET', jkey, 'fal')) + 1)
        if retry_at ~= '' then
          call('ZADD', rkey, retry_at, job)
        else
          call('HSET', jkey, 'ded', fin)
          call('ZADD', dkey, fin, job)
        end
      end
      recorded = recorded + 1
    end
    i = i + 9
  end
end
return recorded
