// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DomainState from '../../renderer/src/components/domains/DomainState.vue';

describe('DomainState', () => {
  it.each([
    ['r-----', 'running'],
    ['-b----', 'blocked'],
    ['--p---', 'paused'],
    ['---s--', 'shutdown'],
    ['----c-', 'crashed'],
    ['-----d', 'dying'],
  ])('shows xl list state %s as %s, with the letters kept', (state, word) => {
    const w = mount(DomainState, { props: { state } });
    expect(w.text()).toContain(word);
    expect(w.find('code').text()).toBe(state);
  });
});
