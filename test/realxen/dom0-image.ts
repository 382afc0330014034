// The dom0 initramfs: Debian's Xen 4.17 userland (xl, xenstored, xenconsoled,
// xen-init-dom0, libxl-save-helper, xenstore-*, xen-livepatch, xen-cpuid) and OpenSSH's sshd on a
// busybox base, started in the order Xen's xencommons init script uses
// (tools/hotplug/Linux/init.d/xencommons.in: xenstored, then xen-init-dom0, then
// xenconsoled), with a small PV guest's kernel and initramfs under /var/lib/xen/images.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InitramfsArchive } from './cpio';
import { moduleLoadOrder, type KernelModules } from './kernel-modules';
import { hostLibrary, neededLibraries } from './shared-libraries';
import type { SshKeys } from './ssh-keys';

/** Printed on dom0's console when xenstored, xenconsoled and sshd run. */
export const DOM0_READY = 'XENDECK-DOM0-READY';
export const DOM0_FAILED = 'XENDECK-DOM0-FAILED';
export const DOM0_HOSTNAME = 'xenhost';
export const XEN_BIN = '/usr/lib/xen-4.17/bin';
/** Where the guest kernel and initramfs sit in dom0, for the guest configs. */
export const GUEST_KERNEL = '/var/lib/xen/images/xendeck-pv/vmlinuz';
export const GUEST_RAMDISK = '/var/lib/xen/images/xendeck-pv/initrd.gz';

/** Xen tools dom0 runs; each also gets a /usr/sbin link, as Debian's wrappers give. */
const XEN_TOOLS = ['xl', 'xenstored', 'xenconsoled', 'xenconsole', 'xen-init-dom0', 'libxl-save-helper', 'xen-livepatch'];
/** Tools Debian leaves in /usr/lib/xen-4.17/bin only, with no /usr/sbin wrapper: the connector has to find them there. */
const XEN_LIBEXEC_ONLY = ['xen-cpuid'];
/** Modules of the generic kernel: the Xen dom0 drivers (privcmd and evtchn are what libxc opens) and QEMU's default NIC. */
const DOM0_MODULES = ['xen-evtchn', 'xen-privcmd', 'xen-gntdev', 'xen-gntalloc', 'xenfs', 'e1000'];

export interface Dom0ImageInputs {
  /** Directory the userland packages and busybox-static were unpacked into. */
  sysroot: string;
  modules: KernelModules;
  keys: SshKeys;
  guestKernel: string;
  guestInitramfs: Buffer;
}

export function buildDom0Initramfs(inp: Dom0ImageInputs): Buffer {
  const a = new InitramfsArchive();
  // usr-merged root, as Debian 12's
  for (const d of ['usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64']) a.dir(d);
  for (const l of ['bin', 'sbin', 'lib', 'lib64']) a.symlink(l, `usr/${l}`);
  for (const d of ['dev', 'proc', 'sys', 'tmp', 'root/.ssh', 'run/xen', 'run/xenstored', 'run/sshd', 'run/lock', 'etc/xen',
    'var/lib/xen', 'var/lib/xenstored', 'var/log/xen/console', 'var/empty', 'var/lib/xen/images/xendeck-pv']) a.dir(d);
  a.symlink('var/run', '../run');
  // xenconsole takes /var/lock/xenconsole.<domid> so one console client runs per domain.
  a.symlink('var/lock', '../run/lock');
  a.charDevice('dev/console', 5, 1, 0o600);
  a.charDevice('dev/null', 1, 3, 0o666);

  a.copy('usr/bin/busybox', join(inp.sysroot, 'bin/busybox'), 0o755);
  a.symlink('usr/bin/sh', 'busybox');

  const exes = [...[...XEN_TOOLS, ...XEN_LIBEXEC_ONLY].map((t) => `${XEN_BIN}/${t}`), '/usr/bin/xenstore', '/usr/sbin/sshd'];
  for (const exe of exes) a.copy(exe, join(inp.sysroot, exe), 0o755);
  for (const t of XEN_TOOLS) a.symlink(`usr/sbin/${t}`, `${XEN_BIN}/${t}`);
  // xenstore-read, -write, -ls, -watch, ... are hard links to the one xenstore binary,
  // which acts on the name it is run by (tools/xenstore/xenstore_client.c).
  const xenstoreIno = statSync(join(inp.sysroot, 'usr/bin/xenstore')).ino;
  for (const f of readdirSync(join(inp.sysroot, 'usr/bin'))) {
    const p = join(inp.sysroot, 'usr/bin', f);
    if (f.startsWith('xenstore-') && !lstatSync(p).isSymbolicLink() && statSync(p).ino === xenstoreIno) {
      a.symlink(`usr/bin/${f}`, 'xenstore');
    }
  }
  const libDirs = ['usr/lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu', 'usr/lib/xen-4.17/lib/x86_64-linux-gnu']
    .map((d) => join(inp.sysroot, d));
  const libs = [...neededLibraries(exes.map((e) => join(inp.sysroot, e)), inp.sysroot, libDirs), hostLibrary('libgcc_s.so.1')];
  for (const lib of libs) a.copy(lib.target, lib.source, 0o755);

  const modules = moduleLoadOrder(inp.modules, DOM0_MODULES);
  for (const m of modules) a.copy(`usr/lib/modules/${inp.modules.release}/${m}`, join(inp.modules.dir, m), 0o644);

  a.copy(GUEST_KERNEL, inp.guestKernel, 0o644);
  a.file(GUEST_RAMDISK, inp.guestInitramfs, 0o644);

  a.file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n');
  a.file('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  a.file('etc/shadow', 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\n', 0o600);
  a.file('etc/hostname', `${DOM0_HOSTNAME}\n`);
  a.file('etc/hosts', `127.0.0.1 localhost\n127.0.1.1 ${DOM0_HOSTNAME}\n`);
  // dom0 has a fixed dom0_mem: do not let xl balloon it down to make room for guests.
  a.file('etc/xen/xl.conf', 'autoballoon="off"\n');
  a.copy('etc/ssh/ssh_host_ed25519_key', inp.keys.hostKey, 0o600);
  a.file('etc/ssh/ssh_host_ed25519_key.pub', `${inp.keys.hostKeyPub}\n`);
  a.file('root/.ssh/authorized_keys', `${inp.keys.clientKeyPub}\n`, 0o600);
  a.file('etc/ssh/sshd_config', SSHD_CONFIG);
  a.file('init', dom0Init(inp.modules.release, modules), 0o755);
  return a.toGzip();
}

const SSHD_CONFIG = `Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
PidFile /run/sshd.pid
`;

function dom0Init(release: string, modules: readonly string[]): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin
fail() { dmesg | tail -15; echo "${DOM0_FAILED}: $*"; exec sh; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
# xenconsoled needs ptys ("Failed to create tty" otherwise), and so do ssh sessions.
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
${modules.map((m) => `insmod /lib/modules/${release}/${m} || fail "insmod ${m}"`).join('\n')}
mount -t xenfs xenfs /proc/xen || fail "mount xenfs"
hostname ${DOM0_HOSTNAME}
ip link set lo up
# QEMU user networking: guest 10.0.2.15, gateway 10.0.2.2 (QEMU docs, "Network emulation").
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2 || fail "network"
xenstored --pid-file /run/xenstored.pid || fail "xenstored"
# Without xen-init-dom0 Domain-0 has no xenstore entries and xl create fails with
# "Illegal pool specified".
xen-init-dom0 || fail "xen-init-dom0"
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console || fail "xenconsoled"
/usr/sbin/sshd -E /var/log/sshd.log || fail "sshd"
echo "${DOM0_READY} $(cut -d' ' -f1 /proc/uptime)"
while true; do sleep 3600; done
`;
}
