-- The queue (`que`) of job hash `job`, for the CLI scripts that act on one job. Returns the
-- queue, or nil and the script's reply for a job that cannot be acted on: {3, type, ''} when
-- the key holds another type (written by hand; a hash command would fail halfway), {0, '', ''}
-- when there is no job hash or it names no queue.
local function job_queue(job)
  local kind = redis.call('TYPE', job).ok
  if kind ~= 'hash' and kind ~= 'none' then return nil, {3, kind, ''} end
  local q = redis.call('HGET', job, 'que')
  if not q then return nil, {0, '', ''} end
  return q
end
