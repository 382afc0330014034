/**
 * The guest kernel the lab's domains run: Debian 12's cloud kernel for PV and PVH (what
 * the real guest of test/fixtures/realxen/guest-console-*.out runs) and its generic
 * kernel for HVM, as `uname` and the boot log print them.
 */
import type { GuestType } from './guest-platform';

export const KERNEL_VERSION = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1 (2025-05-22)';
export const KERNEL_BUILDER = '(debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40)';
export const OS_NAME = 'Debian GNU/Linux 12';

export function kernelRelease(type: GuestType): string {
  return type === 'hvm' ? '6.1.0-56-amd64' : '6.1.0-56-cloud-amd64';
}

/** The console device a getty runs on: hvc0 (the PV console) or ttyS0 (HVM's emulated UART). */
export function consoleDevice(type: GuestType): string {
  return type === 'hvm' ? 'ttyS0' : 'hvc0';
}

export function defaultCmdline(type: GuestType): string {
  return `root=/dev/xvda1 ro console=${consoleDevice(type)}`;
}
