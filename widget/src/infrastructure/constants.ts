/** Shared constants of the widget; no imports, so every layer may use them. */

/** Root class of every mounted screen: all our CSS is scoped under it. */
export const ROOT_CLASS = 'dc-widget';
/** Ant Design Vue class prefix, so antd's rules never match amoCRM's own `.ant-*` markup. */
export const ANT_PREFIX = 'dc-ant';
/** Icon class prefix: antd's global `.anticon` rules would otherwise restyle amoCRM's own icons. */
export const ANT_ICON_PREFIX = 'dc-anticon';

/** Limits of POST /api/v1/copies (docs/API.md). */
export const MAX_SOURCE_LEADS = 500;
export const MAX_COPIES_PER_LEAD = 50;
export const MAX_NAME_TEMPLATE_LENGTH = 255;
/** DP delay upper bound in minutes: 366 days, as the backend accepts (a repeat deal a year later). */
export const MAX_DP_DELAY_MINUTES = 366 * 24 * 60;
/** Units the DP delay can be entered in, in minutes. */
export const DELAY_UNITS = { days: 1440, hours: 60, minutes: 1 } as const;

/** How often a running job is polled, and how long polling may go on before giving up. */
export const POLL_INTERVAL_MS = 700;
export const POLL_TIMEOUT_MS = 10 * 60 * 1000;

export const JOB_STATUSES = ['accepted', 'scheduled', 'running', 'waiting_for_account', 'completed', 'completed_with_errors', 'failed', 'cancelled', 'undoing', 'undone'] as const;
/** A job in one of these states will not change unless someone asks for undo. */
/** A scheduled job (a delayed repeat deal) waits for days: polling stops there too. */
export const FINISHED_JOB_STATUSES: readonly string[] = ['scheduled', 'completed', 'completed_with_errors', 'failed', 'cancelled', 'undone'];
export const UNDOABLE_JOB_STATUSES: readonly string[] = ['completed', 'completed_with_errors'];

/** Names of the amoCRM settings fields declared in manifest.json. */
export const SETTINGS_FIELD = 'config';
export const DP_KEY_FIELD = 'key';
export const DP_RULE_FIELD = 'rule';

/** Stage ids amoCRM reserves for closed deals (API-NOTES §8). */
export const STATUS_WON = 142;
export const STATUS_LOST = 143;
