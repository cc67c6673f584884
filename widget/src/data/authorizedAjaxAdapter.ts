import axios, { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

/** jqXHR-like object: what amoCRM's `$authorizedAjax` hands to done/fail. */
export interface JqXhrLike {
  status: number;
  statusText?: string;
  responseText?: string;
  getAllResponseHeaders?: () => string;
}

/** jQuery Deferred-like: `self.$authorizedAjax` returns one (API-NOTES §16). */
export interface DeferredLike {
  done(cb: (data: unknown, textStatus: string, xhr?: JqXhrLike) => void): DeferredLike;
  fail(cb: (xhr: JqXhrLike | undefined, textStatus?: string, error?: unknown) => void): DeferredLike;
}

export type AuthorizedAjax = (options: {
  url: string;
  method: string;
  data?: string;
  contentType?: string | false;
  dataType: 'text';
  headers: Record<string, string>;
  processData: false;
}) => DeferredLike;

function parseHeaders(raw: string | undefined): AxiosHeaders {
  const headers = new AxiosHeaders();
  for (const line of (raw ?? '').split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) headers.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return headers;
}

/**
 * An axios adapter that sends through amoCRM's `self.$authorizedAjax`, the only way the disposable
 * `X-Auth-Token` gets added. axios keeps doing everything else (JSON, params, validateStatus, errors).
 */
export function authorizedAjaxAdapter(ajax: AuthorizedAjax): AxiosAdapter {
  return (config: InternalAxiosRequestConfig) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      const headers = AxiosHeaders.from(config.headers).toJSON() as Record<string, string>;
      const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type');
      for (const key of Object.keys(headers)) if (key.toLowerCase() === 'content-type') delete headers[key];
      const url = axios.getUri(config);
      const method = (config.method ?? 'get').toUpperCase();
      const body = config.data === undefined || config.data === null ? undefined : String(config.data);

      const respond = (data: unknown, xhr: JqXhrLike | undefined) => {
        const status = xhr?.status ?? 200;
        const response: AxiosResponse = {
          data: typeof data === 'string' ? data : (xhr?.responseText ?? data),
          status,
          statusText: xhr?.statusText ?? '',
          headers: parseHeaders(xhr?.getAllResponseHeaders?.()),
          config,
          request: xhr,
        };
        const validate = config.validateStatus;
        if (!validate || validate(status)) resolve(response);
        else
          reject(new AxiosError(`Request failed with status code ${status}`,
            status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST, config, xhr, response));
      };

      ajax({
        url,
        method,
        data: body,
        contentType: body === undefined ? false : String(contentType?.[1] ?? 'application/json'),
        dataType: 'text',
        headers,
        processData: false,
      })
        .done((data, _text, xhr) => respond(data, xhr))
        .fail((xhr) => {
          if (!xhr || !xhr.status) {
            reject(new AxiosError('Network Error', AxiosError.ERR_NETWORK, config, xhr));
            return;
          }
          respond(xhr.responseText ?? '', xhr);
        });
    });
}
