import type { Messages } from './types';

/**
 * Looks a dotted key up in nested messages and fills {placeholders}; an unknown key shows itself. A section may
 * also hold dotted keys as they are (`codes` → `"amo.rate_limited"`): the rest of the key is tried whole first.
 */
export function translate(messages: Messages, key: string, params?: Record<string, string | number>): string {
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
  if (!params) return node;
  return node.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * The text of a service code (docs/API.md "Codes") in the active language, from the `codes` section whose keys are
 * the dotted codes themselves; null for a code this widget does not know (the caller shows the service's English).
 */
export function codeText(messages: Messages, code: string | null | undefined, params?: Record<string, string | number>): string | null {
  const codes = messages.codes;
  if (!code || typeof codes !== 'object') return null;
  const text = codes[code];
  if (typeof text !== 'string') return null;
  return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
}

/** Every dotted key of a messages object; used to check that ru and en match. */
export function messageKeys(messages: Messages, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([k, v]) =>
    typeof v === 'string' ? [prefix + k] : messageKeys(v, `${prefix}${k}.`),
  );
}
