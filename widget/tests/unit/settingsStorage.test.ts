import { readDpRule, readSettings, writeDpRule, writeSettings } from '../../src/data/settingsStorage';
import { defaultDpRule, defaultSettings } from '../../src/infrastructure/validators';

describe('stored settings', () => {
  it.each<[string, unknown, boolean]>([
    ['nothing saved yet', undefined, false],
    ['an empty string', '', false],
    ['an empty object', {}, false],
    ['broken JSON', '{"v":1,', true],
    ['JSON of another shape', '{"v":1,"allowed_user_ids":"all"}', true],
    ['a future version', '{"v":2}', true],
    ['a number', 42, true],
  ])('%s → defaults (malformed: %s)', (_n, raw, malformed) => {
    const loaded = readSettings(raw);
    expect(loaded.malformed).toBe(malformed);
    expect(loaded.value).toEqual(defaultSettings());
  });

  it('round-trips what it wrote, as a string or already parsed by amoCRM', () => {
    const s = defaultSettings();
    s.allowedUserIds = [5000002];
    s.defaults.targetPipelineId = 7100002;
    s.defaults.copies = 3;
    expect(readSettings(writeSettings(s))).toEqual({ value: s, malformed: false });
    expect(readSettings(JSON.parse(writeSettings(s)))).toEqual({ value: s, malformed: false });
  });

  it('writes the DP rule in the API shape plus delay and skip-if-open', () => {
    const r = defaultDpRule();
    r.options.targetPipelineId = 7100002;
    r.delayMinutes = 15;
    r.skipIfOpen = true;
    const json = JSON.parse(writeDpRule(r));
    expect(json).toMatchObject({ v: 1, target: { pipeline_id: 7100002 }, delay_minutes: 15, skip_if_open: true, name_template: '{name}' });
    expect(readDpRule(writeDpRule(r))).toEqual({ value: r, malformed: false });
    expect(readDpRule('not json').malformed).toBe(true);
  });
});
