#!lua
--[[
  claim: turns up to K waiting job ids into attempts of this worker, in one atomic step.
  Queues in the given priority order; for each, first the worker's reservation list (ids a
  wake-up BLMOVE moved there), then ready, until K ids are taken. Per claimed job it writes the
  attempt hash (sta job wrk que wid, and prv = the job's previous attempt when latest:<q> names
  one); per queue one HSET of latest:<q> (job id -> attempt) and one SADD to processing:<q>.
  It does not read the job hashes: the worker reads them with HGETALL after the reply (the
  attempts exist by then, so a crash in between loses nothing). A paused queue is skipped, and
  ids a BLMOVE reserved from it go back to the head of its ready list.

  KEYS:
    [1]          <ns>:paused
    then 4 per queue, in priority order (queue i at 2 + 4(i-1)):
                 <ns>:reserved:<wid>:<q>, <ns>:ready:<q>, <ns>:latest:<q>, <ns>:processing:<q>
  ARGV:
    [1] ns   [2] worker id (wid)   [3] wrk (client id, the original's field)   [4] now ms
    [5 .. 4+n]   the n queue names (as KEYS; `que` of the attempts, members of paused)
    then K attempt ids: the n-th claimed job gets the n-th id
  Derived keys: <ns>:attempts:<aid> per attempt id of ARGV. Declaring them would add K
    arguments to the hottest call of the system (docs/benchmarks.md: each value crossing into
    Lua costs about a pipelined command).
  Returns: {paused, then per queue that gave jobs: its 1-based index, the count n, the n job
    ids in claim order}; `paused` lists the 1-based indexes of the paused queues, comma-separated
    ("" when none).
  Flags: none. Over maxmemory Redis refuses the whole script before it runs (-OOM); without the
    shebang the LPOP (which frees memory) would run and the next HSET fail, losing the ids.
]]
--- @include "lib/return_reserved"

local call = redis.call
local ns, wid, wrk, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local nq = (#KEYS - 1) / 4
local base = 4 + nq
local want = #ARGV - base
local out, used, paused = {''}, 0, {}
local attempts_prefix = ns .. ':attempts:'
for qi = 1, nq do
  local q = ARGV[4 + qi]
  local reserved_key, ready_key, latest_key, processing_key = unpack(KEYS, 4 * qi - 2, 4 * qi + 1)
  if call('SISMEMBER', KEYS[1], q) == 1 then
    paused[#paused + 1] = qi
    -- A wake-up BLMOVE armed before the pause may have reserved ids: give them back.
    return_reserved(reserved_key, ready_key)
  elseif used < want then
    local ids = call('LPOP', reserved_key, want - used) or {}
    if #ids < want - used then
      local more = call('LPOP', ready_key, want - used - #ids)
      if more then
        for i = 1, #more do ids[#ids + 1] = more[i] end
      end
    end
    if #ids > 0 then
      -- One HMGET and one HSET of the queue's latest map link the attempts, not two
      -- commands per job: the job hashes themselves are read by the worker with HGETALL.
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
      call('SADD', processing_key, unpack(aids))
    end
  end
end
out[1] = table.concat(paused, ',')
return out
