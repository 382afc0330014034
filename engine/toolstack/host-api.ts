/**
 * The toolstack façade: what every client (GUI services, `xl`, tests, benchmarks) may
 * ask of a Xen host, embedded or real. It plays libxl's role (tools/libs/light) — a
 * domain is named by domid or by name, as `xl` accepts either — and its errors are
 * ToolstackError. Every method leaves the host as it was when it fails.
 */
import type { CreateDomainRequest, CreateDomainResult, DomainSummary, HostKind, HostSummary, ToolstackEvent } from './types';

/** A domain as xl names it: a domid, or a name (libxl_domain_qualifier_to_domid). */
export type DomainRef = number | string;

export interface ShutdownOptions {
  /** `xl reboot` rather than `xl shutdown`. */
  reboot?: boolean;
}

export interface ToolstackHost {
  readonly id: string;
  readonly kind: HostKind;
  summary(): Promise<HostSummary>;
  listDomains(): Promise<DomainSummary[]>;
  domain(ref: DomainRef): Promise<DomainSummary>;
  createDomain(req: CreateDomainRequest): Promise<CreateDomainResult>;
  pause(ref: DomainRef): Promise<void>;
  unpause(ref: DomainRef): Promise<void>;
  shutdown(ref: DomainRef, opts?: ShutdownOptions): Promise<void>;
  destroy(ref: DomainRef): Promise<void>;
  /** `xl dmesg [-c]`: the hypervisor console ring. */
  dmesg(opts?: { clear?: boolean }): Promise<string>;
  /** Events in the order they happened; returns the unsubscribe function. */
  subscribe(listener: (e: ToolstackEvent) => void): () => void;
  close(): Promise<void>;
}
