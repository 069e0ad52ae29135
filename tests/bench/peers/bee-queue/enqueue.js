// Enqueue N no-op bee-queue jobs; prints one JSON line with the elapsed time.
//   node enqueue.js N bulk|single [batch]
// bulk: Queue#saveAll in batches (default 1000: one pipelined batch each, as the README advises
// for creating many jobs); single: await job.save() per job (one round trip per job).
// A producer-only queue: isWorker, getEvents, sendEvents and storeJobs off (README, "Settings").
const Queue = require('bee-queue');

async function main() {
  const n = parseInt(process.argv[2], 10);
  const mode = process.argv[3] || 'bulk';
  const batch = parseInt(process.argv[4] || '1000', 10);
  const redis = { host: '127.0.0.1', port: parseInt(process.env.BENCH_REDIS_PORT || '6379', 10) };
  const queue = new Queue('bench', { redis, isWorker: false, getEvents: false, sendEvents: false, storeJobs: false });
  await queue.ready();

  const t0 = process.hrtime.bigint();
  if (mode === 'bulk') {
    for (let left = n; left > 0; ) {
      const k = Math.min(batch, left);
      const errors = await queue.saveAll(Array.from({ length: k }, () => queue.createJob({})));
      if (errors.size > 0) throw errors.values().next().value;
      left -= k;
    }
  } else {
    for (let i = 0; i < n; i++) await queue.createJob({}).save();
  }
  const t1 = process.hrtime.bigint();
  console.log(JSON.stringify({ n, mode, batch: mode === 'bulk' ? batch : 1, seconds: Number(t1 - t0) / 1e9 }));
  await queue.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
