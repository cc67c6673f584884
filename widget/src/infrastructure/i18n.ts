import type { Lang, Messages } from './types';

/**
 * `{name, plural, one {# запрос} few {# запроса} many {# запросов} other {# запроса}}`: the ICU MessageFormat plural
 * (the subset the widget needs). The form is chosen by Intl.PluralRules of the language, `=n` matches the number
 * exactly, `other` is the fallback, `#` is the number. A form holds no other placeholder.
 */
const PLURAL = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const FORM = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g;

/** The plurals of a text: the parameter and its forms by name (`one`, `few`, `=0`, …); the i18n tests check them. */
export function pluralForms(text: string): { name: string; forms: Record<string, string> }[] {
  return [...text.matchAll(PLURAL)].map((m) => ({ name: m[1]!, forms: Object.fromEntries([...m[2]!.matchAll(FORM)].map((f) => [f[1]!, f[2]!])) }));
}

/** Fills plurals, then {placeholders}; a parameter that is not given (or not a number, for a plural) stays as written. */
function fill(text: string, params: Record<string, string | number>, lang: Lang): string {
  const rules = new Intl.PluralRules(lang);
  return text
    .replace(PLURAL, (whole, name: string, body: string) => {
      const n = Number(params[name]);
      if (!(name in params) || !Number.isFinite(n)) return whole;
      const forms = Object.fromEntries([...body.matchAll(FORM)].map((f) => [f[1]!, f[2]!]));
      const form = forms[`=${n}`] ?? forms[rules.select(n)] ?? forms.other;
      return form === undefined ? whole : form.replace(/#/g, String(params[name]));
    })
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * Looks a dotted key up in nested messages and fills {placeholders} and plurals (in the rules of `lang`, the
 * language of `messages`); an unknown key shows itself. A section may also hold dotted keys as they are
 * (`codes` → `"amo.rate_limited"`): the rest of the key is tried whole first.
 */
export function translate(messages: Messages, lang: Lang, key: string, params?: Record<string, string | number>): string {
  let node: string | Messages | undefined = messages;
  const parts = key.split('.');
  for (let i = 0; i < parts.length; i++) {
    if (node === undefined || typeof node === 'string') return key;
    const rest = parts.slice(i).join('.');
    if (i > 0 && typeof node[rest] === 'string') {
      node = node[rest];
      break;
    }
    node = node[parts[i]!];
  }
  if (typeof node !== 'string') return key;
  return params ? fill(node, params, lang) : node;
}

/**
 * The text of a service code (docs/API.md "Codes") in the active language, from the `codes` section whose keys are
 * the dotted codes themselves; null for a code this widget does not know (the caller shows the service's English).
 */
export function codeText(
  messages: Messages,
  lang: Lang,
  code: string | null | undefined,
  params?: Record<string, string | number>,
): string | null {
  const codes = messages.codes;
  if (!code || typeof codes !== 'object') return null;
  const text = codes[code];
  if (typeof text !== 'string') return null;
  return params ? fill(text, params, lang) : text;
}

/** Every dotted key of a messages object; used to check that ru and en match. */
export function messageKeys(messages: Messages, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([k, v]) =>
    typeof v === 'string' ? [prefix + k] : messageKeys(v, `${prefix}${k}.`),
  );
}
