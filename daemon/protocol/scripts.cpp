#include "protocol/scripts.hpp"

namespace onyx::protocol {

// Every redis.call costs about what a pipelined command does, so these scripts do the least
// work per job: one HSET + one HMGET per claimed job, one LPOP/SADD per queue.
const Script kClaimScript{"claim", R"lua(
local ns, wid, wrk, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local nq = tonumber(ARGV[5])
local base = 5 + nq
local want = #ARGV - base
local out, used = {}, 0
for qi = 1, nq do
  if used >= want then break end
  local q = ARGV[5 + qi]
  local ids = redis.call('LPOP', ns .. ':reserved:' .. wid .. ':' .. q, want - used) or {}
  if #ids < want - used then
    local more = redis.call('LPOP', ns .. ':ready:' .. q, want - used - #ids)
    if more then
      for i = 1, #more do ids[#ids + 1] = more[i] end
    end
  end
  if #ids > 0 then
    local aids = {}
    for i = 1, #ids do
      used = used + 1
      local aid, id = ARGV[base + used], ids[i]
      redis.call('HSET', ns .. ':attempts:' .. aid, 'sta', now, 'job', id, 'wrk', wrk, 'que', q, 'wid', wid)
      local job = redis.call('HMGET', ns .. ':jobs:' .. id, 'cls', 'arg', 'qat', 'fal', 'tmo')
      aids[i] = aid
      local n = #out
      out[n + 1], out[n + 2], out[n + 3] = qi, id, aid
      for f = 1, 5 do out[n + 3 + f] = job[f] end
    end
    redis.call('SADD', ns .. ':processing:' .. q, unpack(aids))
  end
end
return out
)lua"};

const Script kFinishScript{"finish", R"lua(
local ns = ARGV[1]
local groups, order = {}, {}
for i = 2, #ARGV, 7 do
  local q = ARGV[i]
  local g = groups[q]
  if not g then
    g = {first = i, aids = {}, rows = {}}
    groups[q] = g
    order[#order + 1] = q
  end
  g.aids[#g.aids + 1] = ARGV[i + 1]
  g.rows[#g.rows + 1] = i
end
local recorded = 0
for _, q in ipairs(order) do
  local g = groups[q]
  local live = redis.call('SMISMEMBER', ns .. ':processing:' .. q, unpack(g.aids))
  local gone, done, failed = {}, {}, {}
  for k = 1, #g.rows do
    if live[k] == 1 then
      local i = g.rows[k]
      local aid, job, fin, tim, err = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
      local akey = ns .. ':attempts:' .. aid
      gone[#gone + 1] = aid
      if err == '' then
        redis.call('HSET', akey, 'fin', fin, 'tim', tim)
        done[#done + 1] = fin
        done[#done + 1] = aid
      else
        redis.call('HSET', akey, 'fin', fin, 'tim', tim, 'err', err, 'msg', ARGV[i + 6])
        failed[#failed + 1] = fin
        failed[#failed + 1] = aid
        local jkey = ns .. ':jobs:' .. job
        if redis.call('EXISTS', jkey) == 1 then redis.call('HINCRBY', jkey, 'fal', 1) end
      end
    end
  end
  if #gone > 0 then
    redis.call('SREM', ns .. ':processing:' .. q, unpack(gone))
    recorded = recorded + #gone
  end
  if #done > 0 then
    redis.call('ZADD', ns .. ':completed:' .. q, unpack(done))
    redis.call('HINCRBY', ns .. ':stats:' .. q, 'completed', #done / 2)
  end
  if #failed > 0 then
    redis.call('ZADD', ns .. ':failed:' .. q, unpack(failed))
    redis.call('HINCRBY', ns .. ':stats:' .. q, 'failed', #failed / 2)
  end
end
return recorded
)lua"};

const Script kHandBackScript{"hand_back", R"lua(
local ns, now, err, msg, count = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1'
local n = 0
for i = 6, #ARGV, 3 do
  local q, aid, job = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('SREM', ns .. ':processing:' .. q, aid) == 1 then
    redis.call('HSET', ns .. ':attempts:' .. aid, 'err', err, 'msg', msg)
    redis.call('ZADD', ns .. ':failed:' .. q, now, aid)
    local jkey = ns .. ':jobs:' .. job
    if redis.call('EXISTS', jkey) == 1 then
      redis.call('LPUSH', ns .. ':ready:' .. q, job)
      if count then
        redis.call('HINCRBY', jkey, 'fal', 1)
        redis.call('HINCRBY', ns .. ':stats:' .. q, 'failed', 1)
      end
    end
    n = n + 1
  end
end
return n
)lua"};

}  // namespace onyx::protocol
