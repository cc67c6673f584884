import { mount } from '@vue/test-utils';
import DcSelect from '../../src/presentation/components/DcSelect.vue';
import { fakeApi, useFakeDeps } from './fakes';

const options = [{ value: 1, label: 'Анна' }, { value: 2, label: 'Борис' }, { value: 3, label: 'Вера', disabled: true }];

describe('DcSelect (replaces antd Select to keep script.js small)', () => {
  beforeEach(() => useFakeDeps(fakeApi({}).api));

  it('picks one value and gives it back with its own type', async () => {
    const w = mount(DcSelect, { props: { value: undefined, options: [{ value: 'days', label: 'days' }, ...options], placeholder: 'Pick' } });
    const select = w.find('select');
    expect(select.findAll('option').map((o) => o.text())).toEqual(['Pick', 'days', 'Анна', 'Борис', 'Вера']);
    await select.setValue('0');
    expect(w.emitted('update:value')![0]).toEqual(['days']);
    await select.setValue('2');
    expect(w.emitted('change')![1]).toEqual([2]);
  });

  it('adds values as tags, offers only what is not chosen, removes a tag', async () => {
    const w = mount(DcSelect, { props: { value: [2], options, mode: 'multiple' } });
    expect(w.findAll('[data-testid="select-tag"]').map((t) => t.text())).toEqual(['Борис ×']);
    const add = w.find('[data-testid="select-add"]');
    expect(add.findAll('option').map((o) => o.text()).slice(1)).toEqual(['Анна', 'Вера']);
    expect(add.findAll('option')[2]!.attributes('disabled')).toBeDefined();
    await add.setValue('0');
    expect(w.emitted('update:value')![0]).toEqual([[2, 1]]);
    await w.find('.dc-tag-remove').trigger('click');
    expect(w.emitted('update:value')![1]).toEqual([[]]);
  });
});
