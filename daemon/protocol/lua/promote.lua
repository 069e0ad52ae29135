#!lua
--[[
  promote: moves due jobs from scheduled:<q> and retry:<q> to the tail of ready:<q> for every
  queue in <ns>:queues, at most `batch` per set per call. Pushes only ids its own ZREM
  removed, so any number of watchers promote each job once. A key of the wrong type (written
  by hand) skips that set instead of failing the whole call.

  KEYS: [1] <ns>:queues
  ARGV: [1] ns   [2] now ms   [3] batch
  Derived keys: per queue read from <ns>:queues (known only inside): <ns>:scheduled:<q>,
    <ns>:retry:<q>, <ns>:ready:<q>.
  Returns: {promoted count, 1 if some set had more due than the batch else 0, the earliest
    remaining score as whole ms text, or "" when every set is empty or that score is not a
    time (nan, beyond +-1e15)}.
  Flags: none: over maxmemory nothing is promoted (the jobs wait where they are).
]]

local ns, now, batch = ARGV[1], ARGV[2], tonumber(ARGV[3])
local promoted, more, next_due = 0, 0, nil
for _, q in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, kind in ipairs({':scheduled:', ':retry:'}) do
    local skey = ns .. kind .. q
    -- pcall: a key of the wrong type (written by hand) skips that queue, not every queue.
    local due = redis.pcall('ZRANGEBYSCORE', skey, '-inf', now, 'LIMIT', 0, batch)
    if due.err then due = {} end
    if #due > 0 then
      -- In chunks: unpack() of more than a few thousand values exceeds Lua's stack.
      for i = 1, #due, 1000 do
        local last = math.min(i + 999, #due)
        redis.call('ZREM', skey, unpack(due, i, last))
        redis.call('RPUSH', ns .. ':ready:' .. q, unpack(due, i, last))
      end
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
