-- A job's `fal` (failed attempts so far) as the worker reads it (protocol/attempt_records.hpp,
-- parse_failures): decimal digits only, below 10^9; anything else (a sign, a fraction, "1e3",
-- text written by hand, no field) counts as 0. Scripts write it back with HSET, never HINCRBY,
-- whose error on such a value would stop a script halfway.
local function failures(text)
  local n = tonumber(string.match(text or '', '^%d+$'))
  return (n and n < 1e9) and n or 0
end
