import { AxiosError } from 'axios';
import type * as z from 'zod/mini';
import { BackendFailure, type BackendError } from '../infrastructure/types';
import { problemDto } from './dto';

/** Turns whatever axios or zod threw into a BackendFailure the UI knows how to show. */
export function toBackendFailure(error: unknown): BackendFailure {
  if (error instanceof BackendFailure) return error;
  if (error instanceof AxiosError) {
    const response = error.response;
    if (!response || response.status === 0) return new BackendFailure({ kind: 'unreachable' });
    return new BackendFailure(problemFrom(response.status, response.data));
  }
  return new BackendFailure({ kind: 'unexpected', status: 0 });
}

export function problemFrom(status: number, body: unknown): BackendError {
  let data = body;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return { kind: 'unexpected', status };
    }
  }
  const parsed = problemDto.safeParse(data);
  if (!parsed.success || (!parsed.data.title && !parsed.data.detail)) return { kind: 'unexpected', status };
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(parsed.data.errors ?? {})) {
    fieldErrors[field] = Array.isArray(messages) ? messages : [messages];
  }
  return {
    kind: 'problem',
    status: parsed.data.status ?? status,
    title: parsed.data.title ?? parsed.data.detail ?? '',
    detail: parsed.data.title ? (parsed.data.detail ?? undefined) : undefined,
    fieldErrors,
    ...(parsed.data.code ? { code: parsed.data.code, params: parsed.data.params ?? {} } : {}),
    ...(parsed.data.refusals
      ? { refusals: parsed.data.refusals.map((r) => ({ field: r.field, code: r.code, params: r.params ?? {}, message: r.message ?? '' })) }
      : {}),
  };
}

/** Validates a backend answer; a shape we do not understand is an error, never a half-rendered screen. */
export function parseAnswer<T extends z.ZodMiniType>(schema: T, data: unknown): z.infer<T> {
  const result = schema.safeParse(data);
  if (!result.success) {
    // The screen says "not understood"; the console says what exactly, for whoever opens devtools.
    console.warn('[DealCopy] unexpected backend answer', result.error.issues);
    throw new BackendFailure({
      kind: 'invalid_response',
      issues: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    });
  }
  return result.data;
}
