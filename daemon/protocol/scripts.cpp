#include "protocol/scripts.hpp"

#include <string>

namespace onyx::protocol {

// Every redis.call costs about what a pipelined command does, and the Lua around it (ARGV
// strings, key concatenation, the reply) about as much again, so the per-job paths are lean:
// key prefixes built once, the claim does not echo attempt ids back, and completed attempts
// travel to the finish script as 3 values each. Each starts with a `#!lua` shebang: Redis 7 then refuses a script that may
// write as a whole when over maxmemory (-OOM), before it runs. Without it, a claim's LPOP
// (which frees memory, so it is allowed) would run and the next HSET fail, losing the ids.
// Only the scripts that give jobs back (hand_back, orphans, which writes nothing for what it
// adopts, unreserve) and trim, which frees memory, may run over the limit (allow-oom): a job
// must never be stranded for want of a few bytes.
// A job hash is written by any producer: its `fal` is read as the worker reads it (digits only,
// below 10^9; anything else counts as 0: `failures`, one line in each script that needs it) and
// rewritten with HSET, never HINCRBY, whose error would stop a script halfway.
const Script kClaimScript{"claim", R"lua(#!lua
local call = redis.call
local ns, wid, wrk, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local nq = tonumber(ARGV[5])
local base = 5 + nq
local want = #ARGV - base
local out, used, paused = {''}, 0, {}
local attempts_prefix = ns .. ':attempts:'
local paused_key, reserved_prefix = ns .. ':paused', ns .. ':reserved:' .. wid .. ':'
for qi = 1, nq do
  local q = ARGV[5 + qi]
  if call('SISMEMBER', paused_key, q) == 1 then
    paused[#paused + 1] = qi
    -- A wake-up BLMOVE armed before the pause may have reserved ids: give them back.
    while call('LMOVE', reserved_prefix .. q, ns .. ':ready:' .. q, 'RIGHT', 'LEFT') do end
  elseif used < want then
    local ids = call('LPOP', reserved_prefix .. q, want - used) or {}
    if #ids < want - used then
      local more = call('LPOP', ns .. ':ready:' .. q, want - used - #ids)
      if more then
        for i = 1, #more do ids[#ids + 1] = more[i] end
      end
    end
    if #ids > 0 then
      -- One HMGET and one HSET of the queue's latest map link the attempts, not two
      -- commands per job: the job hashes themselves are read by the worker with HGETALL.
      local latest_key = ns .. ':latest:' .. q
      local previous = call('HMGET', latest_key, unpack(ids))
      local aids, links, here = {}, {}, {}
      local n = #out
      out[n + 1], out[n + 2] = qi, #ids
      for i = 1, #ids do
        used = used + 1
        local aid, id = ARGV[base + used], ids[i]
        -- An id pushed twice may come twice in one claim: link to the attempt made just now.
        local prv = here[id] or previous[i]
        here[id] = aid
        if prv then
          call('HSET', attempts_prefix .. aid, 'sta', now, 'job', id, 'wrk', wrk, 'que', q, 'wid', wid, 'prv', prv)
        else
          call('HSET', attempts_prefix .. aid, 'sta', now, 'job', id, 'wrk', wrk, 'que', q, 'wid', wid)
        end
        aids[i] = aid
        links[2 * i - 1], links[2 * i] = id, aid
        out[n + 2 + i] = id
      end
      call('HSET', latest_key, unpack(links))
      call('SADD', ns .. ':processing:' .. q, unpack(aids))
    end
  end
end
out[1] = table.concat(paused, ',')
return out
)lua"};

const Script kFinishScript{"finish", R"lua(#!lua
local call = redis.call
local function failures(text) local n = tonumber(string.match(text or '', '^%d+$')) return (n and n < 1e9) and n or 0 end
local ns = ARGV[1]
local attempts_prefix, jobs_prefix = ns .. ':attempts:', ns .. ':jobs:'
local recorded, i = 0, 2
while i <= #ARGV do
  local q = ARGV[i + 1]
  local pkey, skey = ns .. ':processing:' .. q, ns .. ':stats:' .. q
  if ARGV[i] == 'c' then
    -- Completed attempts of one queue: n x (attempt id, fin, tim).
    local n = tonumber(ARGV[i + 2])
    local first = i + 3
    local aids = {}
    for k = 0, n - 1 do aids[k + 1] = ARGV[first + 3 * k] end
    local live = call('SMISMEMBER', pkey, unpack(aids))
    local gone, scored = {}, {}
    for k = 0, n - 1 do
      if live[k + 1] == 1 then
        local j = first + 3 * k
        call('HSET', attempts_prefix .. ARGV[j], 'fin', ARGV[j + 1], 'tim', ARGV[j + 2])
        gone[#gone + 1] = ARGV[j]
        scored[#scored + 1] = ARGV[j + 1]
        scored[#scored + 1] = ARGV[j]
      end
    end
    if #gone > 0 then
      call('SREM', pkey, unpack(gone))
      call('ZADD', ns .. ':completed:' .. q, unpack(scored))
      call('HINCRBY', skey, 'completed', #gone)
      recorded = recorded + #gone
    end
    i = first + 3 * n
  else
    -- One failed attempt: attempt id, job id, fin, tim, err, msg, retry time ('' = final).
    local aid, job, fin, tim, err, msg, retry_at = unpack(ARGV, i + 2, i + 8)
    if call('SREM', pkey, aid) == 1 then
      call('HSET', attempts_prefix .. aid, 'fin', fin, 'tim', tim, 'err', err, 'msg', msg)
      call('ZADD', ns .. ':failed:' .. q, fin, aid)
      call('HINCRBY', skey, 'failed', 1)
      local jkey = jobs_prefix .. job
      if call('TYPE', jkey).ok == 'hash' then
        call('HSET', jkey, 'fal', failures(call('HGET', jkey, 'fal')) + 1)
        if retry_at ~= '' then
          call('ZADD', ns .. ':retry:' .. q, retry_at, job)
        else
          call('HSET', jkey, 'ded', fin)
          call('ZADD', ns .. ':dead:' .. q, fin, job)
        end
      end
      recorded = recorded + 1
    end
    i = i + 9
  end
end
return recorded
)lua"};

const Script kHandBackScript{"hand_back", R"lua(#!lua flags=allow-oom
local function failures(text) local n = tonumber(string.match(text or '', '^%d+$')) return (n and n < 1e9) and n or 0 end
local ns, now, err, msg, count = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1'
local n = 0
for i = 6, #ARGV, 3 do
  local q, aid, job = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('SREM', ns .. ':processing:' .. q, aid) == 1 then
    redis.call('HSET', ns .. ':attempts:' .. aid, 'err', err, 'msg', msg)
    redis.call('ZADD', ns .. ':failed:' .. q, now, aid)
    local jkey = ns .. ':jobs:' .. job
    if redis.call('TYPE', jkey).ok == 'hash' then
      redis.call('LPUSH', ns .. ':ready:' .. q, job)
      if count then
        redis.call('HSET', jkey, 'fal', failures(redis.call('HGET', jkey, 'fal')) + 1)
        redis.call('HINCRBY', ns .. ':stats:' .. q, 'failed', 1)
      end
    end
    n = n + 1
  end
end
return n
)lua"};

const Script kOrphansScript{"orphans", R"lua(#!lua flags=allow-oom
local ns, wid, now, err, msg = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local room, nq = tonumber(ARGV[6]), tonumber(ARGV[7])
local held = {}
for i = 8 + nq, #ARGV do held[ARGV[i]] = true end
local out = {0}
local function hand_back(q, pkey, akey, aid, job)
  redis.call('SREM', pkey, aid)
  redis.call('HSET', akey, 'err', err, 'msg', msg)
  redis.call('ZADD', ns .. ':failed:' .. q, now, aid)
  if job and redis.call('TYPE', ns .. ':jobs:' .. job).ok == 'hash' then
    redis.call('LPUSH', ns .. ':ready:' .. q, job)
  end
  out[1] = out[1] + 1
end
for qi = 1, nq do
  local q = ARGV[7 + qi]
  local pkey = ns .. ':processing:' .. q
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
        hand_back(q, pkey, akey, aid, a[2])
      end
    end
  end
end
return out
)lua"};

const Script kUnreserveScript{"unreserve", R"lua(#!lua flags=allow-oom
local ns, wid = ARGV[1], ARGV[2]
local n = 0
for i = 3, #ARGV do
  local q = ARGV[i]
  local rkey, ready = ns .. ':reserved:' .. wid .. ':' .. q, ns .. ':ready:' .. q
  while redis.call('LMOVE', rkey, ready, 'RIGHT', 'LEFT') do n = n + 1 end
end
return n
)lua"};

const Script kHeartbeatScript{"heartbeat", R"lua(#!lua flags=allow-oom
local ns, wid, lease_end, keep_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local wkey = ns .. ':worker:' .. wid
redis.call('ZADD', ns .. ':workers', lease_end, wid)
redis.call('HSET', wkey, unpack(ARGV, 5))
redis.call('PEXPIRE', wkey, keep_ms)
return 1
)lua"};

const Script kPromoteScript{"promote", R"lua(#!lua
local ns, now, batch = ARGV[1], ARGV[2], tonumber(ARGV[3])
local promoted, more, next_due = 0, 0, nil
for _, q in ipairs(redis.call('SMEMBERS', ns .. ':queues')) do
  for _, kind in ipairs({':scheduled:', ':retry:'}) do
    local skey = ns .. kind .. q
    -- pcall: a key of the wrong type (written by hand) skips that queue, not every queue.
    local due = redis.pcall('ZRANGEBYSCORE', skey, '-inf', now, 'LIMIT', 0, batch)
    if due.err then due = {} end
    if #due > 0 then
      redis.call('ZREM', skey, unpack(due))
      redis.call('RPUSH', ns .. ':ready:' .. q, unpack(due))
      promoted = promoted + #due
      if #due == batch then more = 1 end
    end
    local head = redis.pcall('ZRANGE', skey, 0, 0, 'WITHSCORES')
    if not head.err and head[2] then
      local score = tonumber(head[2])
      if next_due == nil or score < next_due then next_due = score end
    end
  end
end
if next_due and (next_due ~= next_due or next_due > 1e15 or next_due < -1e15) then next_due = nil end
return {promoted, more, next_due and string.format('%.0f', next_due) or ''}
)lua"};

const Script kRecoverScript{"recover", R"lua(#!lua
local function failures(text) local n = tonumber(string.match(text or '', '^%d+$')) return (n and n < 1e9) and n or 0 end
local call = redis.call
local ns, now, batch, msg, default_limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local limits = {}
for i = 6, #ARGV, 2 do limits[ARGV[i]] = tonumber(ARGV[i + 1]) end
local class_retries = ns .. ':class_retries'
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
  local job = (id and call('TYPE', jkey).ok == 'hash') and call('HMGET', jkey, 'fal', 'rty', 'cls', 'unc') or nil
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
local dead = call('ZRANGEBYSCORE', ns .. ':workers', '-inf', '(' .. now, 'LIMIT', 0, batch)
if #dead == 0 then return {0, 0, 0, 0, 0} end
local running = {}
for _, wid in ipairs(dead) do running[wid] = running_at_last_beat(wid) end
local failed, returned, lost = 0, 0, 0
for _, q in ipairs(call('SMEMBERS', ns .. ':queues')) do
  local ready = ns .. ':ready:' .. q
  for _, wid in ipairs(dead) do
    local rkey = ns .. ':reserved:' .. wid .. ':' .. q
    while call('LMOVE', rkey, ready, 'RIGHT', 'LEFT') do returned = returned + 1 end
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
  call('ZREM', ns .. ':workers', wid)
  call('DEL', ns .. ':worker:' .. wid)
end
return {#dead, failed, returned, lost, died}
)lua"};

namespace {

constexpr std::string_view kForgetLua = R"lua(-- What removing a record takes with it (shared by the trim script and the CLI's purge).
-- An attempt: its hash; when it completed and is its job's latest (`latest:<q>`, or the `lat`
-- field earlier versions wrote), the finished job's hash and link; when it is the latest of a
-- job whose hash is gone, that link.
local function forget_attempt(ns, latest_key, id, completed)
  local akey = ns .. ':attempts:' .. id
  local job = redis.call('HGET', akey, 'job')
  if job then
    local jkey = ns .. ':jobs:' .. job
    local latest = redis.call('HGET', latest_key, job)
    if completed and (latest == id or (not latest and redis.call('HGET', jkey, 'lat') == id)) then
      redis.call('DEL', jkey)
      redis.call('HDEL', latest_key, job)
    elseif latest == id and redis.call('TYPE', jkey).ok ~= 'hash' then
      redis.call('HDEL', latest_key, job)
    end
  end
  redis.call('DEL', akey)
end
-- A dead job: its hash and its link.
local function forget_dead_job(ns, latest_key, id)
  redis.call('DEL', ns .. ':jobs:' .. id)
  redis.call('HDEL', latest_key, id)
end
)lua";

// Built at start-up: the shebang must stay the first line.
const std::string kTrimSource = "#!lua flags=allow-oom\n" + std::string(kForgetLua) + R"lua(local ns, now, batch = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
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
for _, q in ipairs(redis.call('SMEMBERS', ns .. ':queues')) do
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
)lua";

}  // namespace

const std::string_view kForgetRecordsLua = kForgetLua;

const Script kTrimScript{"trim", kTrimSource};

}  // namespace onyx::protocol
