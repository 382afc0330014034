/**
 * The creation wizard's state: the draft, the step, and the toolstack's verdict on the
 * xl.cfg the draft makes — a dry run (`xl -N create`) after each change, so errors show
 * inline while the administrator types. Raw mode edits the text itself (an imported file).
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { Result } from '../../../main/api/contract';
import { api, ApiRequestError } from '../api';
import { emptyDraft, newImagesOf, type DomainDraft } from '../wizard/domain-draft';
import { TEMPLATES } from '../wizard/templates';
import { writeXlCfg } from '../wizard/xlcfg-writer';

export const WIZARD_STEPS = ['Type and name', 'CPU and memory', 'Boot', 'Disks', 'Network', 'Review'] as const;

export const useWizardStore = defineStore('wizard', () => {
  const draft = ref<DomainDraft>(emptyDraft());
  const templateId = ref('pvh');
  const step = ref(0);
  /** Set when the text was imported or edited by hand: it then wins over the draft. */
  const rawText = ref<string | null>(null);
  const fileName = ref('');
  const hostId = ref<string | null>(null);
  const checking = ref(false);
  const verdict = ref<Result<'domain.create'> | null>(null);
  const error = ref<ApiRequestError | null>(null);
  const creating = ref(false);
  const created = ref<{ domid: number; name: string } | null>(null);

  const text = computed(() => rawText.value ?? writeXlCfg(draft.value));
  const file = computed(() => fileName.value || `${draft.value.name || 'guest'}.cfg`);

  function start(host: string, template = 'pvh', name = ''): void {
    hostId.value = host;
    templateId.value = template;
    const t = TEMPLATES.find((x) => x.id === template) ?? TEMPLATES[0]!;
    draft.value = t.draft(name || draft.value.name || 'guest1');
    rawText.value = null;
    fileName.value = '';
    step.value = 0;
    created.value = null;
    error.value = null;
  }

  function importText(name: string, content: string): void {
    rawText.value = content;
    fileName.value = name;
    step.value = WIZARD_STEPS.length - 1;
  }

  // Paths a template derived from the name follow a rename (web1.img becomes web2.img).
  watch(
    () => draft.value.name,
    (name, old) => {
      if (!old || !name) return;
      for (const d of draft.value.disks) d.target = d.target.replace(`/${old}.`, `/${name}.`).replace(`/${old}-`, `/${name}-`);
    },
  );

  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  async function check(): Promise<void> {
    if (!hostId.value) return;
    const mine = ++generation;
    checking.value = true;
    try {
      const r = await api().request('domain.create', { hostId: hostId.value, configText: text.value, file: file.value, dryRun: true });
      if (mine !== generation) return;
      verdict.value = r;
      error.value = null;
    } catch (e) {
      if (mine !== generation) return;
      verdict.value = null;
      error.value = e instanceof ApiRequestError ? e : new ApiRequestError({ code: 'EIO', message: String(e) });
    } finally {
      if (mine === generation) checking.value = false;
    }
  }
  watch([text, hostId], () => {
    clearTimeout(timer);
    timer = setTimeout(() => void check(), 250);
  });

  async function create(paused: boolean): Promise<void> {
    if (!hostId.value) return;
    creating.value = true;
    try {
      // An imported or hand-edited file names its own disks: only the steps' disks get new images.
      const newImages = rawText.value === null ? newImagesOf(draft.value) : [];
      const r = await api().request('domain.create', { hostId: hostId.value, configText: text.value, file: file.value, paused, ...(newImages.length ? { newImages } : {}) });
      created.value = { domid: r.domid ?? -1, name: r.name };
      error.value = null;
    } catch (e) {
      error.value = e instanceof ApiRequestError ? e : new ApiRequestError({ code: 'EIO', message: String(e) });
    } finally {
      creating.value = false;
    }
  }

  return { draft, templateId, step, rawText, fileName, hostId, checking, verdict, error, creating, created, text, file, start, importText, check, create };
});
