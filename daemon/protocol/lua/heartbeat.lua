#!lua flags=allow-oom
--[[
  heartbeat: renews a worker's lease and writes its description, which outlives the lease a
  little so that a watcher recovering the worker can still read it (`run`).

  KEYS:
    [1] <ns>:workers            (ZADD lease end)
    [2] <ns>:worker:<wid>       (HSET the fields, PEXPIRE keep)
  ARGV:
    [1] worker id   [2] lease end ms   [3] keep ms   then field, value pairs
  Returns: 1.
  Flags: allow-oom: a live worker must not look dead because Redis is full.
]]

redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
