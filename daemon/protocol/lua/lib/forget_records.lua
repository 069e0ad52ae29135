-- What removing a record takes with it (the watcher's trim and the CLI's purge).
--- @include "lib/is_hash"

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
    elseif latest == id and not is_hash(jkey) then
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
