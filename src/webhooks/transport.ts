/**
 * One webhook POST over node:http(s), through the address policy: an address literal is checked
 * before connecting, a name inside the socket's own DNS lookup (address-policy.ts), so no
 * request reaches a refused address. The answer's status is all that is kept: the body is never
 * read, and a failure is described in a few generic words (the delivery log is shown to the
 * subscriber, who must not learn about puente's network from it).
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { TargetRefusedError, portOf, type AddressPolicy } from './address-policy.js';

export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signal: AbortSignal;
}

/** POSTs `req` to `url`; resolves with the answer's status code, rejects when no answer came. */
export async function postWebhook(url: string, req: WebhookRequest, policy: AddressPolicy): Promise<number> {
  const target = new URL(url);
  const port = portOf(target);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // A literal address is connected to without any lookup: check it here.
  if (isIP(host)) {
    const refusal = await policy.refusalOf(host, port);
    if (refusal) throw new TargetRefusedError(refusal);
  }
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...req.headers, 'Content-Length': String(Buffer.byteLength(req.body)) },
        signal: req.signal,
        // A fresh connection per attempt, so every attempt goes through the lookup (no pooled socket).
        agent: false,
        lookup: policy.lookupFor(port),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.destroy();
        resolve(status);
      },
    );
    request.on('error', reject);
    request.end(req.body);
  });
}

const TLS = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|HOSTNAME_MISMATCH$|ERR_OSSL_)/;

/** A generic, secret-free description of a failed attempt: never the receiver's words or puente's internals. */
export function describeFailure(e: unknown): string {
  if (e instanceof TargetRefusedError) return e.refusal === 'self' ? "refused: puente's own address" : 'refused: internal address';
  const err = e as { code?: unknown; cause?: { code?: unknown } } | null;
  const raw = err?.code ?? err?.cause?.code;
  const code = typeof raw === 'string' ? raw : '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_HEADER_TOKEN':
      return 'invalid HTTP response';
    default:
      return TLS.test(code) ? 'TLS error' : 'network error';
  }
}
