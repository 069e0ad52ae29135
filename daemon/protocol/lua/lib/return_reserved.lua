-- Moves every id of a worker's reservation list back to the head of its ready list, keeping
-- their order (one LMOVE RIGHT LEFT at a time). Returns the number of ids moved.
local function return_reserved(reserved_key, ready_key)
  local n = 0
  while redis.call('LMOVE', reserved_key, ready_key, 'RIGHT', 'LEFT') do n = n + 1 end
  return n
end
