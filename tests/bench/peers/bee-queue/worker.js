// bee-queue worker with a no-op handler for tests/bench/run --peers.
//   node worker.js CONCURRENCY     (bee-queue's default concurrency is 1)
// The settings of bee-queue's own benchmark (benchmark/bq/harness.js, BQ_MINIMAL) and the
// README's advice for a worker that nobody listens to: no events sent or received, no job
// objects kept, a succeeded job removed at once (no `succeeded` set, no job hash left).
// activateDelayedJobs stays off (its default): no delayed jobs here.
const Queue = require('bee-queue');

const concurrency = parseInt(process.argv[2] || '1', 10);
const redis = { host: '127.0.0.1', port: parseInt(process.env.BENCH_REDIS_PORT || '6379', 10) };
const queue = new Queue('bench', {
  redis,
  isWorker: true,
  getEvents: false,
  sendEvents: false,
  storeJobs: false,
  removeOnSuccess: true,
});
queue.on('error', (e) => console.error('queue error', e));
queue.process(concurrency, async () => {});

const stop = async () => {
  await queue.close(5000).catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
