/**
 * `xl info -n`'s two tables: output_topologyinfo() and output_numainfo() of
 * tools/xl/xl_info.c. "%3d:    %4d     %4d     %4d" per pCPU (core, socket, node); the
 * device table, which has no entries without passed-through PCI devices; then
 * "%4d:    %6lu     %6lu      %d[,%d...]" per node (MiB total, MiB free, distances).
 */
import type { HostTopology } from '../../../toolstack/types';

export function numaTables(t: HostTopology): string {
  let s = 'cpu_topology           :\ncpu:    core    socket     node\n';
  for (const c of t.cpus) s += `${String(c.cpu).padStart(3)}:    ${String(c.core).padStart(4)}     ${String(c.socket).padStart(4)}     ${String(c.node).padStart(4)}\n`;
  s += 'device topology        :\ndevice           node\nNo device topology data available\n';
  s += 'numa_info              :\nnode:    memsize    memfree    distances\n';
  for (const n of t.nodes) {
    s += `${String(n.node).padStart(4)}:    ${String(n.memoryMiB).padStart(6)}     ${String(n.freeMiB).padStart(6)}      ${(n.distances.length > 0 ? n.distances : [10]).join(',')}\n`;
  }
  return s;
}
