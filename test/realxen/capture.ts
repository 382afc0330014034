// `npm run test:realxen -- --capture`: records what the real Xen 4.17 tools print, for
// the parsers of engine/remote and for holding our own xl CLI to the same shapes. Each
// capture is a shell command run on dom0; its stdout, stderr and exit status are kept
// as <name>.out, <name>.err and an entry of index.json. Runs in a fixed order on a
// fresh host, so the domids and pools in the outputs are the same every time (times,
// uuids and memory figures are not).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RealXenEnv } from './env';
import { connectDom0 } from './ssh';
import { GUEST_KERNEL, GUEST_RAMDISK, XEN_BIN } from './dom0-image';
import { DOMU_READY } from './domu-image';

export interface CaptureEntry {
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string | null;
  /** What the capture shows, for the fixtures README. */
  note: string;
}

export const CAPTURE_GUEST = 'xendeck-pv';
/** Where Debian keeps xen-cpuid (not on PATH). */
const XEN_CPUID = `${XEN_BIN}/xen-cpuid`;

/** The guest config the captures (and the GUI's wizard, for a PV guest) use. */
export function pvGuestConfig(name: string, memoryMiB = 128): string {
  return [
    `name = "${name}"`,
    'type = "pv"',
    `kernel = "${GUEST_KERNEL}"`,
    `ramdisk = "${GUEST_RAMDISK}"`,
    'extra = "console=hvc0 quiet"',
    `memory = ${memoryMiB}`,
    'vcpus = 1',
    'on_crash = "preserve"',
    '',
  ].join('\n');
}

const GUEST_CFG = `/etc/xen/${CAPTURE_GUEST}.cfg`;

/** [name, command, note] in the order they run. */
function plan(): [string, string, string][] {
  const cfg = pvGuestConfig(CAPTURE_GUEST).replace(/'/g, `'\\''`);
  const waitForGuest = `for i in $(seq 1 90); do grep -q ${DOMU_READY} /var/log/xen/console/guest-${CAPTURE_GUEST}.log 2>/dev/null && break; sleep 1; done`;
  return [
    ['xl-info', 'xl info', 'host information, dom0 only'],
    ['xl-info-n', 'xl info -n', 'with the NUMA topology tables'],
    ['xl-list', 'xl list', 'dom0 only'],
    ['xl-list-v', 'xl list -v', 'verbose: UUID, reason code, security label'],
    ['xl-list-l', 'xl list -l', 'libxl JSON of every domain (dom0)'],
    ['xl-vm-list', 'xl vm-list', 'guests only: none yet'],
    ['xl-vcpu-list', 'xl vcpu-list', 'dom0 vcpus'],
    ['xl-cpupool-list', 'xl cpupool-list', 'Pool-0 with both pcpus'],
    ['xl-cpupool-list-c', 'xl cpupool-list -c', 'CPU list form'],
    ['xl-sched-credit2', 'xl sched-credit2', 'Pool-0 runs credit2 (the 4.17 default)'],
    ['xl-sched-credit-none', 'xl sched-credit', 'no pool runs credit: prints nothing'],
    ['xl-sched-rtds-none', 'xl sched-rtds', 'no pool runs RTDS: prints nothing'],
    ['xl-dmesg-head', 'xl dmesg | head -n 60', 'first lines of the hypervisor console ring'],
    ['xl-uptime', 'xl uptime', 'uptime of each domain'],
    ['xen-livepatch-list', 'xen-livepatch list', 'no payloads loaded'],
    ['xenstore-ls-dom0', 'xenstore-ls /local/domain/0', "dom0's xenstore subtree"],
    ['xl-destroy-nosuch', 'xl destroy nosuch', 'error: unknown domain name'],
    ['xl-pause-nosuch', 'xl pause nosuch', 'error: unknown domain name'],
    ['xl-list-nosuch', 'xl list nosuch', 'error: unknown domain name'],
    ['xl-destroy-domid-99', 'xl destroy 99', 'error: unused domid'],
    ['xl-unknown-command', 'xl frobnicate', 'error: no such subcommand'],
    ['xl-create-missing-file', 'xl create /etc/xen/nosuch.cfg', 'error: config file missing'],
    ['xl-create-syntax-error', "printf 'name = \"bad\"\\nmemory = = 3\\n' > /tmp/bad.cfg && xl create /tmp/bad.cfg", 'error: config syntax'],
    ['xl-create-no-kernel', "printf 'name = \"nokernel\"\\ntype = \"pv\"\\nkernel = \"/nonexistent/vmlinuz\"\\nmemory = 64\\n' > /tmp/nokernel.cfg && xl create /tmp/nokernel.cfg", 'error: kernel file missing'],
    ['xl-create-pv', `printf '%s' '${cfg}' > ${GUEST_CFG} && xl create ${GUEST_CFG}`, 'create the small PV guest'],
    ['guest-console-ready', `${waitForGuest} && cat /var/log/xen/console/guest-${CAPTURE_GUEST}.log`, "the guest's console up to its ready line, as xenconsoled logs it"],
    ['xl-create-duplicate', `xl create ${GUEST_CFG}`, 'error: a domain of that name exists'],
    ['xl-list-guest', 'xl list', 'dom0 and the PV guest'],
    ['xl-list-v-guest', 'xl list -v', 'verbose, with the guest UUID'],
    ['xl-list-l-guest', 'xl list -l', 'libxl JSON of dom0 and the guest'],
    ['xl-list-l-one', `xl list -l ${CAPTURE_GUEST}`, 'libxl JSON of one domain'],
    ['xl-vm-list-guest', 'xl vm-list', 'the guest'],
    ['xl-vcpu-list-guest', 'xl vcpu-list', 'vcpus of dom0 and the guest'],
    ['xl-domid', `xl domid ${CAPTURE_GUEST}`, 'name to domid'],
    ['xl-domname', `xl domname $(xl domid ${CAPTURE_GUEST})`, 'domid to name'],
    ['xl-domname-nosuch', 'xl domname 99', 'error: unused domid'],
    ['xl-sched-credit2-guest', 'xl sched-credit2', 'both domains in Pool-0'],
    ['xl-sched-credit2-d', `xl sched-credit2 -d ${CAPTURE_GUEST}`, 'one domain'],
    ['xen-cpuid-v', `${XEN_CPUID} -v`, 'featuresets, static and dynamic, each word decoded with Xen\'s names'],
    ['xen-cpuid-p', `${XEN_CPUID} -p`, 'the raw, host, max and default CPUID policies, leaf by leaf'],
    ['xen-cpuid-policy-guest', `${XEN_CPUID} --policy=$(xl domid ${CAPTURE_GUEST})`, "the guest's CPUID policy"],
    ['xen-cpuid-decode', `${XEN_CPUID} 1789c3f5:80002001:20100800:00000003`, 'a featureset given on the command line, decoded'],
    ['xen-cpuid-policy-nosuch', `${XEN_CPUID} --policy=99`, 'error: unused domid'],
    ['xl-vcpu-pin', `xl vcpu-pin ${CAPTURE_GUEST} all 1 && xl vcpu-list ${CAPTURE_GUEST}`, 'hard affinity pCPU 1 for every vCPU'],
    ['xl-vcpu-pin-soft', `xl vcpu-pin ${CAPTURE_GUEST} 0 - 0 && xl vcpu-list ${CAPTURE_GUEST}`, 'soft affinity only ("-" leaves hard): libxl warns the soft set is unreachable'],
    ['xl-vcpu-pin-bad-cpu', `xl vcpu-pin ${CAPTURE_GUEST} 0 7`, 'error: no pCPU 7'],
    ['xl-vcpu-pin-all', `xl vcpu-pin ${CAPTURE_GUEST} all all all && xl vcpu-list ${CAPTURE_GUEST}`, 'back to all / all'],
    ['xl-mem-max', `xl mem-max ${CAPTURE_GUEST} 262144k && xl list -l ${CAPTURE_GUEST} | grep max_memkb`, 'maximum raised to 256 MiB'],
    ['xl-mem-max-too-small', `xl mem-max ${CAPTURE_GUEST} 64m`, 'error: under the current target'],
    ['xl-mem-max-bad-size', `xl mem-max ${CAPTURE_GUEST} foo`, 'error: not a size'],
    ['xl-sched-credit2-s', 'xl sched-credit2 -s', "Pool-0's rate limit"],
    ['xl-sched-credit2-s-set', 'xl sched-credit2 -s -p Pool-0 -r 1500 && xl sched-credit2 -s -p Pool-0 && xl sched-credit2 -s -p Pool-0 -r 1000', 'rate limit 1500 us, then back to 1000'],
    ['xl-sched-credit2-s-bad-ratelimit', 'xl sched-credit2 -s -p Pool-0 -r 1', 'error: rate limit out of range'],
    ['xl-sched-credit2-s-nosuch', 'xl sched-credit2 -s -p nosuch -r 1000', 'error: unknown cpupool'],
    ['xl-sched-rtds-s', 'xl sched-rtds -s', 'error: sched-rtds has no -s in 4.17'],
    ['xl-sched-credit2-set-weight', `xl sched-credit2 -d ${CAPTURE_GUEST} -w 512 && xl sched-credit2 -d ${CAPTURE_GUEST}`, 'weight changed to 512'],
    ['xl-sched-credit2-bad-weight', `xl sched-credit2 -d ${CAPTURE_GUEST} -w 0`, 'error: weight out of range'],
    ['xl-pause', `xl pause ${CAPTURE_GUEST} && xl list ${CAPTURE_GUEST}`, 'paused: p among the state letters'],
    ['xl-pause-again', `xl pause ${CAPTURE_GUEST}`, 'pausing a paused domain succeeds: Xen counts pauses'],
    ['xl-unpause', `xl unpause ${CAPTURE_GUEST} && xl list ${CAPTURE_GUEST}`, 'one unpause after two pauses: still paused'],
    ['xl-unpause-again', `xl unpause ${CAPTURE_GUEST} && xl list ${CAPTURE_GUEST}`, 'the second unpause: running again'],
    ['xenstore-ls-guest', `xenstore-ls /local/domain/$(xl domid ${CAPTURE_GUEST})`, "the guest's xenstore subtree"],
    ['xl-cpupool-cpu-remove', 'xl cpupool-cpu-remove Pool-0 1', 'free pcpu 1'],
    ['xl-cpupool-create-credit', 'xl cpupool-create name=\\"cp-credit\\" sched=\\"credit\\" cpus=\\"1\\"', 'a credit pool on pcpu 1'],
    ['xl-cpupool-list-2', 'xl cpupool-list', 'two pools'],
    ['xl-cpupool-list-c-2', 'xl cpupool-list -c', 'two pools, CPU lists'],
    ['xl-cpupool-migrate', `xl cpupool-migrate ${CAPTURE_GUEST} cp-credit`, 'move the guest to the credit pool'],
    ['xl-list-c', 'xl list -c', 'the Cpupool column'],
    ['xl-sched-credit', 'xl sched-credit', 'the credit pool and its domain'],
    ['xl-sched-credit-d', `xl sched-credit -d ${CAPTURE_GUEST}`, 'one domain under credit'],
    ['xl-sched-credit2-pools', 'xl sched-credit2', 'Pool-0 left with dom0'],
    ['xl-sched-credit2-wrong-sched', `xl sched-credit2 -d ${CAPTURE_GUEST}`, 'asking credit2 about a credit domain'],
    ['xl-sched-credit-s', 'xl sched-credit -s -p cp-credit', "the credit pool's time slice, rate limit and migration delay"],
    ['xl-sched-credit-s-set', 'xl sched-credit -s -p cp-credit -t 5 -r 500 -m 200 && xl sched-credit -s -p cp-credit', 'changed'],
    ['xl-sched-credit-s-bad-tslice', 'xl sched-credit -s -p cp-credit -t 0', 'error: time slice out of range'],
    ['xl-sched-credit-s-ratelimit-over-tslice', 'xl sched-credit -s -p cp-credit -t 2 -r 5000', 'error: rate limit above the time slice'],
    ['xl-sched-credit-s-restore', 'xl sched-credit -s -p cp-credit -t 30 -r 1000 -m 0 && xl sched-credit -s -p cp-credit', "back to credit's defaults before the pool is destroyed"],
    ['xl-sched-credit-s-wrong-pool', 'xl sched-credit -s -p Pool-0', 'error: Pool-0 runs credit2'],
    ['xl-cpupool-destroy-busy', 'xl cpupool-destroy cp-credit', 'error: pool still has a domain'],
    ['xl-cpupool-migrate-back', `xl cpupool-migrate ${CAPTURE_GUEST} Pool-0 && xl cpupool-destroy cp-credit && xl cpupool-cpu-add Pool-0 1 && xl cpupool-list`, 'back to one pool'],
    ['xl-shutdown-wait', `xl shutdown -w ${CAPTURE_GUEST}`, 'orderly shutdown, waiting for it'],
    ['xl-list-after-shutdown', 'xl list', 'the guest is gone'],
    ['guest-console-log', `cat /var/log/xen/console/guest-${CAPTURE_GUEST}.log`, "the guest's whole console log, shutdown included"],
    ['xl-create-then-destroy', `xl create ${GUEST_CFG} && xl destroy ${CAPTURE_GUEST} && xl list`, 'destroy a running guest'],
    ['xl-cpupool-create-rtds', 'xl cpupool-cpu-remove Pool-0 1 && xl cpupool-create name=\\"cp-rt\\" sched=\\"rtds\\" cpus=\\"1\\"; rc=$?; xl cpupool-cpu-add Pool-0 1; exit $rc', "error: Debian's release build has no RTDS (nor null) scheduler"],
    ['xl-dmesg-c', 'xl dmesg -c > /dev/null && xl dmesg', 'the ring is empty after xl dmesg -c'],
    ['xl-create-too-small', `sed 's/^memory = .*/memory = 32/' ${GUEST_CFG} > /tmp/small.cfg && xl create /tmp/small.cfg`, 'error: 32 MiB cannot hold the guest kernel'],
  ];
}

export async function captureFixtures(env: RealXenEnv, dir: string): Promise<number> {
  const ssh = await connectDom0(env);
  try {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (/\.(out|err)$/.test(f)) rmSync(join(dir, f));
    const index: Record<string, CaptureEntry> = {};
    for (const [name, command, note] of plan()) {
      const r = await ssh.exec(command, { timeoutMs: 120_000 });
      writeFileSync(join(dir, `${name}.out`), r.stdout);
      if (r.stderr !== '') writeFileSync(join(dir, `${name}.err`), r.stderr);
      index[name] = { command, exitCode: r.exitCode, stdout: `${name}.out`, stderr: r.stderr !== '' ? `${name}.err` : null, note };
    }
    writeFileSync(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
    return Object.keys(index).length;
  } finally {
    await ssh.close();
  }
}
