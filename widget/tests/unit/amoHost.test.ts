import { currentLeadId, currentUserId, selectedLeadIds } from '../../src/data/amoHost';

afterEach(() => {
  delete (globalThis as { APP?: unknown }).APP;
});

describe('amoCRM globals', () => {
  it.each<[string, unknown, number | null]>([
    ['a saved deal card', { getBaseEntity: () => 'leads', data: { current_card: { id: 20000001 } } }, 20000001],
    ['an id given as a string', { getBaseEntity: () => 'leads', data: { current_card: { id: '20000002' } } }, 20000002],
    ['a new unsaved card', { getBaseEntity: () => 'leads', data: { current_card: { id: 0 } } }, null],
    ['outside a card', { getBaseEntity: () => 'leads', data: { current_card: false } }, null],
    ['a contact card', { getBaseEntity: () => 'contacts', data: { current_card: { id: 5 } } }, null],
    ['no APP at all', undefined, null],
  ])('current lead in %s', (_n, app, expected) => {
    (globalThis as { APP?: unknown }).APP = app;
    expect(currentLeadId()).toBe(expected);
  });

  it('reads the current user from APP.constant or self.system()', () => {
    (globalThis as { APP?: unknown }).APP = { constant: (n: string) => (n === 'user' ? { id: '5000002' } : undefined) };
    expect(currentUserId()).toBe(5000002);
    delete (globalThis as { APP?: unknown }).APP;
    expect(currentUserId({ system: () => ({ amouser_id: 5000003 }) })).toBe(5000003);
  });

  it.each<[string, unknown, number[]]>([
    ['ids of the ticked deals', { selected: [{ id: 1, type: 'lead' }, { id: '2', type: 'lead' }], summary: {} }, [1, 2]],
    ['duplicates once', { selected: [{ id: 1 }, { id: 1 }] }, [1]],
    ['nothing ticked', { selected: [] }, []],
    ['garbage', 'nope', []],
  ])('list selection: %s', (_n, value, expected) => {
    expect(selectedLeadIds({ list_selected: () => value })).toEqual(expected);
  });
});
