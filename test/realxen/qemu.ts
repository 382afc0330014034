// Boots the real-Xen images under QEMU's software emulator: Xen as the multiboot
// kernel, the dom0 kernel and initramfs as multiboot modules, dom0's sshd reachable on
// a loopback port through QEMU user networking (hostfwd). -cpu qemu64 because with
// -cpu max the PV dom0 crashes in Xen's create_bounce_frame; TCG because KVM is not
// usable on these machines (../../../shared/reference/real-xen/README.md, "Pitfalls").
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { DOM0_FAILED, DOM0_READY } from './dom0-image';
import type { RealXenImages } from './images';
import { HarnessError } from './run';

export interface BootOptions {
  /** Serial console log (Xen's and dom0's messages). */
  serialLog: string;
  /** Physical CPUs of the emulated machine. */
  cpus: number;
  memoryMiB: number;
  dom0MemMiB: number;
  /** Give up waiting for dom0's sshd after this many seconds. */
  bootTimeoutS: number;
}

export const DEFAULT_BOOT: Omit<BootOptions, 'serialLog'> = { cpus: 2, memoryMiB: 2048, dom0MemMiB: 768, bootTimeoutS: 180 };

export interface RunningXen {
  sshPort: number;
  pid: number;
  /** Seconds from QEMU start to dom0's ready line and to the first SSH banner. */
  dom0ReadyS: number;
  sshReadyS: number;
  serialLog: string;
  stop(): Promise<void>;
}

/** A loopback TCP port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function xenCommandLine(o: BootOptions): string {
  // Xen's docs/misc/xen-command-line.pandoc: console=com1 for the serial log,
  // dom0_mem with max: so dom0 never balloons up, noreboot to keep a panic visible.
  return `console=com1 com1=115200,8n1 dom0_mem=${o.dom0MemMiB}M,max:${o.dom0MemMiB}M dom0_max_vcpus=1 loglvl=all guest_loglvl=all noreboot`;
}

export async function bootXen(images: RealXenImages, o: BootOptions): Promise<RunningXen> {
  const port = await freePort();
  const serialFd = openSync(o.serialLog, 'w');
  closeSync(serialFd);
  const args = [
    '-accel', 'tcg', '-cpu', 'qemu64', '-m', String(o.memoryMiB), '-smp', String(o.cpus),
    '-display', 'none', '-no-reboot', '-monitor', 'none', '-serial', `file:${o.serialLog}`,
    '-nic', `user,model=e1000,hostfwd=tcp:127.0.0.1:${port}-:22`,
    '-kernel', images.xen, '-append', xenCommandLine(o),
    // multiboot modules: "file args,file" (a literal comma would have to be doubled)
    '-initrd', `${images.dom0Kernel} console=hvc0 earlyprintk=xen panic=-1 loglevel=5,${images.dom0Initramfs}`,
  ];
  const t0 = process.hrtime.bigint();
  const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  qemu.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  let exited: number | null | undefined;
  qemu.on('exit', (code) => { exited = code; });
  const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
  // However the harness ends (an exception, process.exit on Ctrl-C), QEMU goes with it.
  const killOnExit = (): void => {
    qemu.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const stop = (): Promise<void> => stopQemu(qemu).finally(() => process.off('exit', killOnExit));
  try {
    let dom0ReadyS = 0;
    while (dom0ReadyS === 0) {
      const log = existsSync(o.serialLog) ? readFileSync(o.serialLog, 'latin1') : '';
      if (log.includes(DOM0_READY)) dom0ReadyS = elapsed();
      else {
        const failed = new RegExp(`${DOM0_FAILED}: .*|Panic on CPU \\d+:[^\\n]*\\n[^\\n]*|Dom0 crashed`).exec(log);
        if (failed) throw new HarnessError(`dom0 did not come up: ${failed[0].trim()} (serial log: ${o.serialLog})`);
        if (exited !== undefined) throw new HarnessError(`qemu exited with status ${exited} during boot: ${stderr.trim()}`);
        if (elapsed() > o.bootTimeoutS) throw new HarnessError(`dom0 not ready after ${o.bootTimeoutS} s (serial log: ${o.serialLog})`);
        await sleep(250);
      }
    }
    while (!(await sshBanner(port))) {
      if (elapsed() > o.bootTimeoutS) throw new HarnessError(`dom0's sshd does not answer on 127.0.0.1:${port}`);
      await sleep(250);
    }
    return { sshPort: port, pid: qemu.pid ?? -1, dom0ReadyS, sshReadyS: elapsed(), serialLog: o.serialLog, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** True when something on the port greets with an SSH identification string (RFC 4253 4.2). */
function sshBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => { sock.destroy(); resolve(ok); };
    sock.setTimeout(3000, () => done(false));
    sock.on('data', (d: Buffer) => { data += d.toString('latin1'); if (data.includes('\n')) done(data.startsWith('SSH-2.0-')); });
    sock.on('error', () => done(false));
    sock.on('close', () => done(data.startsWith('SSH-2.0-')));
  });
}

function stopQemu(qemu: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (qemu.exitCode !== null || qemu.signalCode !== null) { resolve(); return; }
    const kill = setTimeout(() => qemu.kill('SIGKILL'), 5000);
    qemu.once('exit', () => { clearTimeout(kill); resolve(); });
    qemu.kill('SIGTERM');
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
