// How the harness tells the checks where the real host is: environment variables set by
// test/realxen/main.ts for the vitest run it starts.
export interface RealXenEnv {
  host: string;
  port: number;
  user: string;
  privateKeyPath: string;
  /** The host key fingerprint baked into the image, "SHA256:...". */
  hostFingerprint: string;
  /** A scratch directory for known_hosts files and the like. */
  scratch: string;
  guestKernel: string;
  guestRamdisk: string;
}

export const ENV_PREFIX = 'REALXEN_';

export function toEnv(e: RealXenEnv): Record<string, string> {
  return {
    REALXEN_HOST: e.host,
    REALXEN_PORT: String(e.port),
    REALXEN_USER: e.user,
    REALXEN_KEY: e.privateKeyPath,
    REALXEN_HOST_FINGERPRINT: e.hostFingerprint,
    REALXEN_SCRATCH: e.scratch,
    REALXEN_GUEST_KERNEL: e.guestKernel,
    REALXEN_GUEST_RAMDISK: e.guestRamdisk,
  };
}

/** Reads the variables; throws a clear error when a check is run without the harness. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): RealXenEnv {
  const get = (k: string): string => {
    const v = env[`${ENV_PREFIX}${k}`];
    if (v === undefined || v === '') throw new Error(`${ENV_PREFIX}${k} is not set: run these checks with \`npm run test:realxen\``);
    return v;
  };
  return {
    host: get('HOST'),
    port: Number(get('PORT')),
    user: get('USER'),
    privateKeyPath: get('KEY'),
    hostFingerprint: get('HOST_FINGERPRINT'),
    scratch: get('SCRATCH'),
    guestKernel: get('GUEST_KERNEL'),
    guestRamdisk: get('GUEST_RAMDISK'),
  };
}
