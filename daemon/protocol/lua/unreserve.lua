#!lua flags=allow-oom
--[[
  unreserve: moves every id of the worker's reservation lists back to the head of its
  ready:<q>, in order. Used when the worker stops claiming (quiet, shutdown) after its wake-up
  BLMOVEs were cancelled with CLIENT UNBLOCK, on the same connection, so any id a BLMOVE took
  before it was unblocked is given back.

  KEYS: none (numkeys 0; the layout is kept for its callers).
  ARGV: [1] ns   [2] worker id   [3 ..] the worker's queues
  Derived keys: <ns>:reserved:<wid>:<q> and <ns>:ready:<q> per queue of ARGV. The caller knows
    them; they are not declared only because this layout is kept.
  Returns: the number of ids moved.
  Flags: allow-oom: it gives jobs back.
]]
--- @include "lib/return_reserved"

local ns, wid = ARGV[1], ARGV[2]
local n = 0
for i = 3, #ARGV do
  local q = ARGV[i]
  n = n + return_reserved(ns .. ':reserved:' .. wid .. ':' .. q, ns .. ':ready:' .. q)
end
return n
