// The initramfs of the small PV guest the harness creates: busybox as init, a shell on
// the Xen console (hvc0) so `xl console` can type into it, and busybox init's signal
// handling so `xl shutdown` / `xl reboot` work (the guest kernel's drivers/xen/manage.c
// runs /sbin/poweroff or /sbin/reboot, which signal PID 1).
import { InitramfsArchive } from './cpio';

/** Printed on the guest console once the guest's userland runs. */
export const DOMU_READY = 'XENDECK-DOMU-READY';

export function buildDomUInitramfs(busybox: string): Buffer {
  const a = new InitramfsArchive();
  for (const d of ['dev', 'proc', 'sys', 'tmp', 'root', 'etc/init.d']) a.dir(d);
  a.copy('bin/busybox', busybox, 0o755);
  for (const applet of ['sh', 'mount', 'poweroff', 'reboot', 'halt', 'echo', 'cttyhack']) a.symlink(`bin/${applet}`, 'busybox');
  a.symlink('sbin', 'bin');
  a.symlink('init', 'bin/busybox');
  a.charDevice('dev/console', 5, 1, 0o600);
  a.charDevice('dev/null', 1, 3, 0o666);
  a.file(
    'etc/inittab',
    [
      '::sysinit:/etc/init.d/rcS',
      // "hvc0::" makes busybox init open /dev/hvc0 as the shell's controlling tty.
      'hvc0::respawn:-/bin/sh',
      '::ctrlaltdel:/bin/reboot',
      '::shutdown:/bin/echo XENDECK-DOMU-SHUTDOWN',
      '',
    ].join('\n'),
  );
  a.file(
    'etc/init.d/rcS',
    [
      '#!/bin/sh',
      '/bin/busybox --install -s /bin',
      'mount -t proc proc /proc',
      'mount -t sysfs sysfs /sys',
      'mount -t devtmpfs devtmpfs /dev',
      'hostname xendeck-pv',
      `echo "${DOMU_READY} $(uname -r) mem=$(awk '/MemTotal/{print $2}' /proc/meminfo)kB"`,
      '',
    ].join('\n'),
    0o755,
  );
  a.file('etc/profile', 'export PS1="xendeck-pv# "\n');
  return a.toGzip();
}
