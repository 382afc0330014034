/**
 * One request from a form, with its busy flag and the line it leaves behind: what the
 * request returned, worded by the caller, or the error's message (the toolstack's, in
 * libxl's words).
 */
import { ref, type Ref } from 'vue';

export interface Outcome {
  ok: boolean;
  text: string;
}

export function useOutcome(): { busy: Ref<boolean>; outcome: Ref<Outcome | null>; run: (f: () => Promise<string>) => Promise<boolean> } {
  const busy = ref(false);
  const outcome = ref<Outcome | null>(null);
  async function run(f: () => Promise<string>): Promise<boolean> {
    busy.value = true;
    outcome.value = null;
    try {
      outcome.value = { ok: true, text: await f() };
      return true;
    } catch (e) {
      outcome.value = { ok: false, text: e instanceof Error ? e.message : String(e) };
      return false;
    } finally {
      busy.value = false;
    }
  }
  return { busy, outcome, run };
}
