/**
 * `stress` (Amos Waterland's stress 1.0.x, Debian's package): workers that load the
 * machine. --cpu N spins N workers on sqrt(); --io N runs N workers calling sync(); the
 * run ends after --timeout (s, m, h, d suffixes as stress takes them). In the guest each
 * worker is a process and the vCPU it runs on gets the scheduler workload model that
 * behaves like it (engine/hypervisor/sched/workload.ts): a cpu worker never blocks
 * ('cpu'); an io worker burns a little CPU per sync() and waits for the disk ('io'). So
 * the CPU time Xen accounts to the domain, and the runstates top shows, come from the
 * scheduler, not from a formula.
 */
import type { WorkloadSpec } from '../hypervisor/sched/workload';

export interface StressPlan {
  cpu: number;
  io: number;
  /** ns; undefined runs until interrupted. */
  timeoutNs: number | undefined;
}

/** sync() loop: ~40 us of kernel work, then ~400 us waiting for the (virtual) disk. */
export const IO_WORKER: WorkloadSpec = { kind: 'io', burnUs: 40, blockUs: 400 };

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, y: 31536000 };

export function parseStress(args: string[]): StressPlan | string {
  const plan: StressPlan = { cpu: 0, io: 0, timeoutNs: undefined };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, glued] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => glued ?? args[++i];
    switch (flag) {
      case '-c':
      case '--cpu':
      case '-i':
      case '--io': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) return `stress: FAIL: [${flag}] invalid number: ${v ?? ''}\n`;
        if (flag === '-c' || flag === '--cpu') plan.cpu = n;
        else plan.io = n;
        break;
      }
      case '-t':
      case '--timeout': {
        const v = value() ?? '';
        const m = /^(\d+)([smhdy]?)$/.exec(v);
        if (!m) return `stress: FAIL: [${flag}] invalid time specifier: ${v}\n`;
        plan.timeoutNs = Number(m[1]) * (UNIT[m[2] || 's'] ?? 1) * 1e9;
        break;
      }
      case '-q':
      case '--quiet':
      case '-v':
      case '--verbose':
        break;
      case '-m':
      case '--vm':
      case '-d':
      case '--hdd':
        return `stress: FAIL: [${flag}] memory and disk workers are not modelled by XenDeck's guest (only --cpu and --io)\n`;
      default:
        return `\`stress' imposes certain types of compute stress on your system\n\nUsage: stress [OPTION [ARG]] ...\n -t, --timeout N    timeout after N seconds\n -c, --cpu N        spawn N workers spinning on sqrt()\n -i, --io N         spawn N workers spinning on sync()\n`;
    }
  }
  if (plan.cpu + plan.io === 0) return 'stress: FAIL: [stress] no workers requested\n';
  return plan;
}

/**
 * Where the workers run: the kernel's load balancer spreads runnable tasks over the
 * vCPUs, so worker k lands on vCPU k mod vcpus; a vCPU with a cpu worker is busy all
 * the time, one with io workers only is 'io', the others stay idle.
 */
export function stressWorkloads(plan: StressPlan, vcpus: number): { vcpuOf: number[]; kinds: ('cpu' | 'io')[]; specs: WorkloadSpec[] } {
  const kinds: ('cpu' | 'io')[] = [...Array<'cpu'>(plan.cpu).fill('cpu'), ...Array<'io'>(plan.io).fill('io')];
  const vcpuOf = kinds.map((_, k) => k % vcpus);
  const specs: WorkloadSpec[] = Array.from({ length: vcpus }, (_, v) => {
    const here = kinds.filter((_, k) => vcpuOf[k] === v);
    if (here.includes('cpu')) return { kind: 'cpu' };
    if (here.includes('io')) return IO_WORKER;
    return { kind: 'idle' };
  });
  return { vcpuOf, kinds, specs };
}
