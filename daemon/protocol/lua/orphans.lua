#!lua flags=allow-oom
--[[
  orphans: after a reconnect, finds this worker's attempts that it does not know of: those of
  a claim Redis ran but whose reply never arrived (the connection dropped or the command timed
  out). Without this they would stay in processing:<q> for as long as the worker lives. Each
  other attempt in processing:<q> whose `wid` is this worker is adopted, up to `room` of them:
  left as the claim wrote it (nothing is written) and returned, for the worker to read its job
  and run it. The rest (over room, or without a `job` field) are handed back as hand_back does,
  not counted: out of processing:<q>, `err msg`, into failed:<q> scored by now, the job (when
  its key holds a hash) to the head of ready:<q>.

  KEYS: 3 per queue of the worker (queue i at 1 + 3(i-1)):
          <ns>:processing:<q>, <ns>:failed:<q>, <ns>:ready:<q>
  ARGV:
    [1] ns   [2] worker id   [3] now ms   [4] err ("Claim Lost")   [5] msg
    [6] room (attempts the worker may adopt)
    then the attempt ids the worker holds (queued, running, finished but not yet recorded)
  Derived keys: <ns>:attempts:<aid> of each member of processing:<q> (read from Redis), and
    <ns>:jobs:<id> named by those attempts' `job` field.
  Returns: {handed back count, then per adopted attempt: 1-based queue index, attempt id,
    job id, `sta` ("" when absent)}.
  Flags: allow-oom: it gives jobs back and writes nothing for what it adopts.
]]
--- @include "lib/is_hash"

local ns, wid, now, err, msg = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local room = tonumber(ARGV[6])
local held = {}
for i = 7, #ARGV do held[ARGV[i]] = true end
local out = {0}
local function hand_back(pkey, fkey, ready_key, akey, aid, job)
  redis.call('SREM', pkey, aid)
  redis.call('HSET', akey, 'err', err, 'msg', msg)
  redis.call('ZADD', fkey, now, aid)
  if job and is_hash(ns .. ':jobs:' .. job) then
    redis.call('LPUSH', ready_key, job)
  end
  out[1] = out[1] + 1
end
for qi = 1, #KEYS / 3 do
  local pkey, fkey, ready_key = unpack(KEYS, 3 * qi - 2, 3 * qi)
  for _, aid in ipairs(redis.call('SMEMBERS', pkey)) do
    if not held[aid] then
      local akey = ns .. ':attempts:' .. aid
      local a = redis.call('HMGET', akey, 'wid', 'job', 'sta')
      if a[1] == wid and a[2] and room > 0 then
        -- Adopted: the attempt stays as the lost claim wrote it; the worker reads the job and runs it.
        room = room - 1
        local n = #out
        out[n + 1], out[n + 2], out[n + 3], out[n + 4] = qi, aid, a[2], a[3] or ''
      elseif a[1] == wid then
        hand_back(pkey, fkey, ready_key, akey, aid, a[2])
      end
    end
  end
end
return out
