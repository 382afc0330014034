// QEMU itself is the one Debian package the harness installs on the build machine
// (everything else is only downloaded and unpacked): qemu-system-x86, without the
// recommended extras (about 80 MB).
import { HarnessError, haveCommand, run } from './run';

export function ensureQemu(log: (msg: string) => void): void {
  if (haveCommand('qemu-system-x86_64')) return;
  if (process.getuid?.() !== 0) {
    throw new HarnessError('qemu-system-x86_64 is missing: install it with `apt-get install --no-install-recommends qemu-system-x86` (needs root)');
  }
  log('installing qemu-system-x86 (apt-get, --no-install-recommends)');
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'qemu-system-x86'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!haveCommand('qemu-system-x86_64')) throw new HarnessError('qemu-system-x86 installed but qemu-system-x86_64 is not on PATH');
}
