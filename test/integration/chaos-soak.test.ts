/**
 * The chaos soak (bench/chaos-soak.ts, docs/performance.md#chaos-soak) as a test: a mixed workload
 * — time starts every minute, event starts, polling REST jobs, forced terminations, an exclusive
 * resource — on two `jobnet worker` processes and a `jobnet controller`, while a worker, the
 * Temporal dev server (on its database file) and the controller are SIGKILLed and restarted at
 * random; then nothing lost, nothing duplicated, nothing stuck,
 * and every trouble opened exactly one incident in the ServiceNow stand-in.
 *
 * The 3-minute version runs in the suite (about 4 minutes of wall time with start-up and
 * settling; no timing is asserted, only the invariants). `JOBNET_SOAK_MINUTES` sets another
 * length (`0` skips it), `JOBNET_SOAK_SEED` picks another kill schedule, `JOBNET_SOAK_CLUSTER=1`
 * runs it on scripts/cluster.sh's cluster, killing its services and PostgreSQL too.
 */
import { describe, expect, it } from 'vitest';
import { renderSoakReport, runChaosSoak } from '../../bench/chaos-soak.js';

const minutes = Number(process.env.JOBNET_SOAK_MINUTES ?? 3);

describe.runIf(minutes > 0)('chaos soak', () => {
  it(
    `${minutes} minutes of kills: every invariant holds`,
    async () => {
      const report = await runChaosSoak({
        minutes,
        killEverySeconds: 20,
        seed: Number(process.env.JOBNET_SOAK_SEED ?? 1),
        cluster: process.env.JOBNET_SOAK_CLUSTER === '1',
        log: (line) => console.log(line),
      });
      console.log(renderSoakReport(report));
      expect(report.kills.length).toBeGreaterThan(0);
      expect(report.invariants.filter((invariant) => !invariant.ok)).toEqual([]);
    },
    (minutes * 60 + 480) * 1000,
  );
});
