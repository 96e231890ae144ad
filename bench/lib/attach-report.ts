/**
 * One phase's attach report measurement, in a process of its own. bench/attach.ts
 * starts it once per phase, so each phase is measured in a fresh heap, as in a
 * server that has just started, and not in one that the bulk generator and the
 * previous phase's facts left fragmented (which made the two phases differ by
 * more than their data did).
 *
 *   node --expose-gc --import tsx bench/lib/attach-report.ts '{"store":"sqlite","dataDir":"…","now":…,"runs":9}'
 *
 * Prints one JSON line: { coldMs, warmMs, warmCpuMs, computeMs, attached }.
 */
import { attachReport } from '../../server/src/metrics/index.ts';
import { openPostgresStore, openSqliteStore, type Store } from '../../server/src/store/index.ts';
import { median } from './stats.ts';

export type ReportTarget = { store: 'sqlite'; dataDir: string } | { store: 'postgres'; url: string; schema: string };
export type ReportJob = ReportTarget & { now: number; runs: number };
export interface ReportMeasure {
  coldMs: number;
  warmMs: number;
  warmCpuMs: number;
  computeMs: number;
  attached: number;
}


/** A full collection when the process allows it (started with --expose-gc). */
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** The report as the server computes it for GET /v1/metrics/attach?definition=paid&by=plan. */
async function report(store: Store, now: number): Promise<{ ms: number; cpuMs: number; computeMs: number; attached: number }> {
  // Every run starts from a collected heap, so it pays for its own garbage, not for
  // what the run before left (which made single runs swing by a fifth either way).
  collect();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const facts = await store.loadFacts({ activatedBefore: now });
  const c = performance.now();
  const answer = attachReport(facts, { definition: 'paid', denominator: 'all', weight: 'logo', asOf: now, by: 'plan' });
  const end = performance.now();
  if (answer.cohorts.length < 24) throw new Error(`expected two years of cohorts, got ${answer.cohorts.length}`);
  const used = process.cpuUsage(cpu);
  return { ms: end - t, cpuMs: (used.user + used.system) / 1000, computeMs: end - c, attached: answer.overall.attached };
}

async function measure(job: ReportJob): Promise<ReportMeasure> {
  const store = job.store === 'sqlite' ? openSqliteStore({ dataDir: job.dataDir }) : openPostgresStore({ url: job.url, schema: job.schema, max: 2 });
  try {
    const cold = await report(store, job.now); // the first request after start: reads every state row
    const warm: number[] = [];
    const warmCpu: number[] = [];
    const compute: number[] = [];
    for (let i = 0; i < job.runs; i++) {
      const r = await report(store, job.now);
      warm.push(r.ms);
      warmCpu.push(r.cpuMs);
      compute.push(r.computeMs);
    }
    return { coldMs: cold.ms, warmMs: median(warm), warmCpuMs: median(warmCpu), computeMs: median(compute), attached: cold.attached };
  } finally {
    await store.close();
  }
}

if (process.argv[1] === import.meta.filename) {
  const job = JSON.parse(process.argv[2] ?? '') as ReportJob;
  console.log(JSON.stringify(await measure(job)));
}
