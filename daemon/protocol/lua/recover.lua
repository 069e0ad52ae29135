#!lua
--[[
  recover: for each worker whose lease in <ns>:workers ended before now (at most `batch`
  workers per call), puts its reserved ids back at the head of their ready:<q> and fails its
  attempts in processing:<q> (no fin/tim, as the original's stale attempts), for every queue in
  <ns>:queues; then removes the workers from the registry and deletes their hashes.
  An attempt its worker's last beat listed in `run` (or every attempt, when that hash is gone
  or has no `run`) is counted: err "Worker Timeout", stats:<q> failed + 1, the job's `fal` + 1,
  and the job goes back to the head of ready:<q> or, past its limit (`rty`, else its class's in
  <ns>:class_retries, else the queue's, else the default), to dead:<q> (job `ded` = now).
  Any other attempt was not running at that beat: err "Worker Lost", not counted, the job's
  `unc` = 1 and back to the head of ready:<q>; when the job's `unc` is already 1 it is counted
  instead. Attempts without `wid` (the original's workers) are left alone.

  KEYS: [1] <ns>:workers   [2] <ns>:queues   [3] <ns>:class_retries
  ARGV:
    [1] ns   [2] now ms   [3] batch (workers per call)   [4] message
    [5] default retry limit   then (queue, retry limit) pairs of the configured queues
  Derived keys (known only inside): <ns>:worker:<wid> of the dead workers read from
    <ns>:workers; per queue read from <ns>:queues: <ns>:reserved:<wid>:<q>, <ns>:ready:<q>,
    <ns>:processing:<q>, <ns>:failed:<q>, <ns>:dead:<q>, <ns>:stats:<q>; <ns>:attempts:<aid>
    and <ns>:jobs:<id> of the attempts found there.
  Returns: {workers recovered, attempts counted, reserved ids returned, attempts not counted,
    jobs that went dead}.
  Flags: none: over maxmemory nothing is recovered this time (the next interval tries again).
]]
--- @include "lib/failures"
--- @include "lib/is_hash"
--- @include "lib/return_reserved"

local call = redis.call
local ns, now, batch, msg, default_limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local limits = {}
for i = 6, #ARGV, 2 do limits[ARGV[i]] = tonumber(ARGV[i + 1]) end
local class_retries = KEYS[3]
local lost_msg = msg .. '; the attempt was not running at its last heartbeat (waiting for an executor, or started since): not counted'
local again_msg = msg .. '; the attempt was not running at its last heartbeat, but counted: the job was put back uncounted once before'
-- A retry limit as the worker reads it: a whole number, anything else is absent.
local function whole(text)
  if text and string.match(text, '^%-?%d+$') then return tonumber(text) end
end
-- The set of attempts a dead worker's last beat listed as running (`run`), or false when it
-- is unknown (the hash expired, or a worker that does not write `run`): then all count.
local function running_at_last_beat(wid)
  local run = call('HGET', ns .. ':worker:' .. wid, 'run')
  if not run then return false end
  local set = {}
  for aid in string.gmatch(run, '[^,]+') do set[aid] = true end
  return set
end
local died = 0
-- A counted recovery: fal + 1, then the job runs again at the head of ready, or is dead when
-- past its limit: its rty, else its class's (published by the workers), else the queue's.
local function charge(q, jkey, id, job)
  local fal = failures(job[1]) + 1
  call('HSET', jkey, 'fal', fal)
  local limit = whole(job[2]) or (job[3] and whole(call('HGET', class_retries, job[3]))) or limits[q] or default_limit
  if fal > limit then
    call('HSET', jkey, 'ded', now)
    call('ZADD', ns .. ':dead:' .. q, now, id)
    died = died + 1
  else
    call('LPUSH', ns .. ':ready:' .. q, id)
  end
end
-- Fails one attempt of a dead worker. `ran` says it was running at the worker's last beat (or
-- that this is unknown). One that was not is put back without counting, once per job (`unc`):
-- a job that kills its worker within a beat of starting is counted from its second time on.
-- Returns true when the attempt was counted.
local function recover_attempt(q, aid, id, ran)
  local jkey = ns .. ':jobs:' .. (id or '')
  local job = (id and is_hash(jkey)) and call('HMGET', jkey, 'fal', 'rty', 'cls', 'unc') or nil
  local counted, text = ran, msg
  if not ran then
    if job and (tonumber(job[4]) or 0) >= 1 then counted, text = true, again_msg else text = lost_msg end
  end
  call('HSET', ns .. ':attempts:' .. aid, 'err', counted and 'Worker Timeout' or 'Worker Lost', 'msg', text)
  call('ZADD', ns .. ':failed:' .. q, now, aid)
  if counted then call('HINCRBY', ns .. ':stats:' .. q, 'failed', 1) end
  if job and counted then
    charge(q, jkey, id, job)
  elseif job then
    call('HSET', jkey, 'unc', 1)
    call('LPUSH', ns .. ':ready:' .. q, id)
  end
  return counted
end
local dead = call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'LIMIT', 0, batch)
if #dead == 0 then return {0, 0, 0, 0, 0} end
local running = {}
for _, wid in ipairs(dead) do running[wid] = running_at_last_beat(wid) end
local failed, returned, lost = 0, 0, 0
for _, q in ipairs(call('SMEMBERS', KEYS[2])) do
  local ready = ns .. ':ready:' .. q
  for _, wid in ipairs(dead) do
    returned = returned + return_reserved(ns .. ':reserved:' .. wid .. ':' .. q, ready)
  end
  local pkey = ns .. ':processing:' .. q
  for _, aid in ipairs(call('SMEMBERS', pkey)) do
    local a = call('HMGET', ns .. ':attempts:' .. aid, 'wid', 'job')
    -- A set or false for a dead worker's attempt, nil for a live worker's (or no wid).
    local beat = nil
    if a[1] then beat = running[a[1]] end
    if beat ~= nil then
      call('SREM', pkey, aid)
      if recover_attempt(q, aid, a[2], beat == false or beat[aid] == true) then failed = failed + 1 else lost = lost + 1 end
    end
  end
end
for _, wid in ipairs(dead) do
  call('ZREM', KEYS[1], wid)
  call('DEL', ns .. ':worker:' .. wid)
end
return {#dead, failed, returned, lost, died}
