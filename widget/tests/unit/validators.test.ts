import type { CopyOptions } from '../../src/infrastructure/types';
import { defaultCopyOptions, defaultDpRule, defaultSettings, validateCopyOptions, validateDpRule, validateSettings } from '../../src/infrastructure/validators';

const valid = (): CopyOptions => ({ ...defaultCopyOptions(), targetPipelineId: 7100002 });

describe('copy options validation', () => {
  it('accepts the defaults once a pipeline is chosen', () => {
    expect(validateCopyOptions(valid())).toEqual({});
  });

  it.each<[string, (o: CopyOptions) => void, string, string]>([
    ['no pipeline', (o) => (o.targetPipelineId = null), 'targetPipelineId', 'ui.validation.pipeline_required'],
    ['zero copies', (o) => (o.copies = 0), 'copies', 'ui.validation.copies_range'],
    ['51 copies', (o) => (o.copies = 51), 'copies', 'ui.validation.copies_range'],
    ['fractional copies', (o) => (o.copies = 1.5), 'copies', 'ui.validation.copies_range'],
    ['empty name template', (o) => (o.nameTemplate = '   '), 'nameTemplate', 'ui.validation.template_required'],
    ['long name template', (o) => (o.nameTemplate = 'x'.repeat(256)), 'nameTemplate', 'ui.validation.template_too_long'],
    ['fixed without a user', (o) => (o.responsibleMode = 'fixed'), 'responsibleUserIds', 'ui.validation.fixed_one_user'],
    ['fixed with two users', (o) => { o.responsibleMode = 'fixed'; o.responsibleUserIds = [1, 2]; }, 'responsibleUserIds', 'ui.validation.fixed_one_user'],
    ['round robin without users', (o) => (o.responsibleMode = 'round_robin'), 'responsibleUserIds', 'ui.validation.round_robin_users'],
    ['move without a stage', (o) => { o.originalAction = 'move'; o.originalPipelineId = 7100001; }, 'originalStatusId', 'ui.validation.move_target'],
    ['chosen fields but none picked', (o) => (o.copy.fields = 'some'), 'copy.fieldIds', 'ui.validation.fields_some'],
  ])('refuses %s', (_name, mutate, path, message) => {
    const o = valid();
    mutate(o);
    expect(validateCopyOptions(o)[path]).toBe(message);
  });

  it.each<[string, (o: CopyOptions) => void]>([
    ['fixed with one user', (o) => { o.responsibleMode = 'fixed'; o.responsibleUserIds = [5000002]; }],
    ['round robin with users', (o) => { o.responsibleMode = 'round_robin'; o.responsibleUserIds = [5000002, 5000003]; }],
    ['move with pipeline and stage', (o) => { o.originalAction = 'move'; o.originalPipelineId = 1; o.originalStatusId = 2; }],
    ['50 copies', (o) => (o.copies = 50)],
    ['close as lost with a reason', (o) => { o.originalAction = 'close_lost'; o.lossReasonId = 4200001; }],
  ])('accepts %s', (_name, mutate) => {
    const o = valid();
    mutate(o);
    expect(validateCopyOptions(o)).toEqual({});
  });
});

describe('settings and DP rule validation', () => {
  it('settings defaults may leave the pipeline open', () => {
    expect(validateSettings(defaultSettings())).toEqual({});
  });
  it('settings report problems of the defaults under defaults.*', () => {
    const s = defaultSettings();
    s.defaults.copies = 0;
    s.allowedUserIds = [-1];
    const errors = validateSettings(s);
    expect(errors['defaults.copies']).toBe('ui.validation.copies_range');
    expect(Object.keys(errors).some((k) => k.startsWith('allowedUserIds'))).toBe(true);
  });
  it.each([[-1, 'ui.validation.delay_range'], [527041, 'ui.validation.delay_range'], [1.5, 'ui.validation.delay_range'], [0, undefined], [43200, undefined], [527040, undefined]])(
    'DP delay %s', (delay, expected) => {
      const r = defaultDpRule();
      r.options.targetPipelineId = 7100001;
      r.delayMinutes = delay;
      expect(validateDpRule(r).delayMinutes).toBe(expected);
    });
  it('a DP rule needs a target pipeline', () => {
    expect(validateDpRule(defaultDpRule())['options.targetPipelineId']).toBe('ui.validation.pipeline_required');
  });
});
