-- True when `key` holds a hash. A job key can be written by anyone and may hold another type;
-- a hash command on it would stop the script halfway, after some of its writes.
local function is_hash(key)
  return redis.call('TYPE', key).ok == 'hash'
end
