-- A job retried by hand starts over: no failed attempts, no time of death, its one uncounted
-- recovery (`unc`) given back, its id at the tail of ready.
local function revive_dead_job(job_key, ready_key, id)
  redis.call('HSET', job_key, 'fal', 0)
  redis.call('HDEL', job_key, 'ded', 'unc')
  redis.call('RPUSH', ready_key, id)
end
