import { useDpRuleStore } from '../app/stores/dpRule';
import { useSettingsStore } from '../app/stores/settings';
import { currentLeadId, rawSetting, selectedLeadIds, type AmoWidgetSelf } from '../data/amoHost';
import { DP_KEY_FIELD, DP_RULE_FIELD, SETTINGS_FIELD } from '../infrastructure/constants';
import CardCopyScreen from '../presentation/components/CardCopyScreen.vue';
import DpRuleScreen from '../presentation/components/DpRuleScreen.vue';
import MassCopyScreen from '../presentation/components/MassCopyScreen.vue';
import SettingsScreen from '../presentation/components/SettingsScreen.vue';
import { mountScreen, toElement, wireDeps, type MountedScreen } from './bootstrap';

type Callback = (...args: unknown[]) => unknown;

/** What amoCRM calls on the widget (API-NOTES §15.3). */
export interface WidgetCallbacks {
  render: Callback;
  init: Callback;
  bind_actions: Callback;
  settings: Callback;
  onSave: Callback;
  destroy: Callback;
  dpSettings: Callback;
  leads: { selected: Callback };
}

export interface DealCopyWidgetInstance extends AmoWidgetSelf {
  callbacks: WidgetCallbacks;
}

/** Puts a value into a settings field and tells amoCRM's form it changed (so Save becomes active). */
function setField(input: HTMLInputElement | null, value: string): void {
  if (!input || input.value === value) return;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

function findInput(scope: ParentNode, name: string): HTMLInputElement | null {
  return scope.querySelector<HTMLInputElement>(`input[name="${name}"], textarea[name="${name}"], input[name$="[${name}]"]`);
}

function isLeadCard(self: AmoWidgetSelf): boolean {
  const area = self.system?.().area;
  const g = globalThis as { APP?: { isCard?: () => boolean; getBaseEntity?: () => string } };
  return area === 'lcard' || (!!g.APP?.isCard?.() && g.APP.getBaseEntity?.() === 'leads');
}

/**
 * The widget constructor amoCRM's RequireJS loader instantiates. Every screen is a separate Vue app
 * mounted into the place amoCRM gives us and unmounted on destroy.
 */
function DealCopyWidget(this: DealCopyWidgetInstance): DealCopyWidgetInstance {
  // eslint-disable-next-line @typescript-eslint/no-this-alias
  const self = this;
  const screens = new Map<string, MountedScreen>();
  let settingsField: HTMLInputElement | null = null;

  const replace = (name: string, screen: MountedScreen | null): void => {
    screens.get(name)?.unmount();
    screens.delete(name);
    if (screen) screens.set(name, screen);
  };

  const renderCard = (): void => {
    const mountId = 'dealcopy-card-mount';
    if (self.render_template) {
      self.render_template({ caption: { class_name: 'dealcopy-caption' }, body: '', render: `<div id="${mountId}"></div>` });
    }
    const host = document.getElementById(mountId);
    if (!host) return;
    wireDeps(self);
    replace('card', mountScreen(host, CardCopyScreen, { leadId: currentLeadId() }));
  };

  const callbacks: WidgetCallbacks = {
    render: () => {
      try {
        if (isLeadCard(self)) renderCard();
      } catch (error) {
        console.error('[DealCopy] render', error);
      }
      return true;
    },
    init: () => true,
    bind_actions: () => true,

    settings: (modalBody: unknown) => {
      const body = toElement(modalBody);
      if (!body) return true;
      wireDeps(self);
      let input = findInput(body, SETTINGS_FIELD);
      if (!input) {
        input = document.createElement('input');
        input.type = 'hidden';
        input.name = SETTINGS_FIELD;
        body.appendChild(input);
      }
      const field = input;
      const host = document.createElement('div');
      host.className = 'dealcopy-settings-mount';
      body.appendChild(host);
      const raw = rawSetting(self, SETTINGS_FIELD) ?? field.value;
      const screen = mountScreen(host, SettingsScreen, { onChange: (value: string) => setField(field, value) },
        (pinia) => useSettingsStore(pinia).load(raw));
      replace('settings', screen);
      settingsField = field;
      // Damaged settings are replaced by the defaults shown, so that Save repairs them even unedited.
      const store = useSettingsStore(screen.pinia);
      if (store.malformed) setField(field, store.serialized);
      return true;
    },

    onSave: () => {
      const settings = screens.get('settings');
      if (!settings) return true;
      const store = useSettingsStore(settings.pinia);
      if (!store.validate()) return false;
      setField(settingsField, store.serialized);
      return true;
    },

    destroy: () => {
      for (const name of [...screens.keys()]) replace(name, null);
      return true;
    },

    dpSettings: (block?: unknown) => {
      const scope = toElement(block) ?? document.querySelector<HTMLElement>('.digital-pipeline__edit-forms') ?? document.body;
      const keyInput = findInput(scope, DP_KEY_FIELD);
      const ruleInput = findInput(scope, DP_RULE_FIELD);
      wireDeps(self);
      // amoCRM's raw text fields stay in the form (they are what gets saved) but are driven by our form.
      for (const input of [keyInput, ruleInput]) {
        const row = input?.closest<HTMLElement>('.widget_settings_block__item_field, .dp-field') ?? input;
        if (row) row.style.display = 'none';
      }
      const host = document.createElement('div');
      host.className = 'dealcopy-dp-mount';
      (ruleInput?.closest('form') ?? scope).appendChild(host);
      replace('dp', mountScreen(host, DpRuleScreen, {
        onChange: (fields: { key: string; rule: string }) => {
          setField(keyInput, fields.key);
          setField(ruleInput, fields.rule);
        },
      }, (pinia) => useDpRuleStore(pinia).load(ruleInput?.value, keyInput?.value, null)));
      return true;
    },

    leads: {
      selected: () => {
        wireDeps(self);
        const ids = selectedLeadIds(self);
        replace('mass', null);
        document.querySelectorAll('.dc-modal-backdrop').forEach((old) => old.remove());
        const backdrop = document.createElement('div');
        backdrop.className = 'dc-modal-backdrop';
        const host = document.createElement('div');
        host.className = 'dc-modal-body';
        backdrop.appendChild(host);
        document.body.appendChild(backdrop);
        const close = (): void => {
          replace('mass', null);
          backdrop.remove();
        };
        replace('mass', mountScreen(host, MassCopyScreen, { leadIds: ids, onClose: close }));
        return true;
      },
    },
  };

  this.callbacks = callbacks;
  return this;
}

export default DealCopyWidget;
