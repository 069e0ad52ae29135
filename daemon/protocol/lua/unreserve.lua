#!lua flags=allow-oom
--[[
  unreserve: moves every id of the worker's reservation lists back to the head of its
  ready:<q>, in order. Used when the worker stops claiming (quiet, shutdown) after its wake-up
  BLMOVEs were cancelled with CLIENT UNBLOCK, on the same connection, so any id a BLMOVE took
  before it was unblocked is given back.

  KEYS: per queue of the worker, in order: <ns>:reserved:<wid>:<q>, <ns>:ready:<q>
  ARGV: none
  Derived keys: none.
  Returns: the number of ids moved.
  Flags: allow-oom: it gives jobs back.
]]
--- @include "lib/return_reserved"

local n = 0
for i = 1, #KEYS, 2 do
  n = n + return_reserved(KEYS[i], KEYS[i + 1])
end
return n
