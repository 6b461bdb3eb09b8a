/**
 * Where webhooks may go (DESIGN §9, issue 8 §5). A webhook makes puente's server send requests
 * to a URL a user typed: pointed inside (loopback, the cloud metadata service at
 * 169.254.169.254, a private network, puente itself) it would turn the server into the caller's
 * proxy, and the delivery log into a port scanner. So a target is refused when its host is, or
 * resolves to, any address that is not plainly public, unless the operator says otherwise
 * (`WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`, for receivers on one's own network, and the tests).
 *
 * The check runs twice: when the subscription is made (the name is resolved, every address
 * checked, so the user hears at once) and again on every connection, inside the socket's own DNS
 * lookup (`lookupFor`), so a name that resolved to a public address then and resolves inside now
 * (DNS rebinding) is refused before any byte is sent. puente's own listening address is never a
 * target, whatever the setting.
 */
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import os from 'node:os';

/**
 * IPv4 ranges that are not the public Internet (RFC 6890 and the IANA special-purpose registry):
 * "this network", private (RFC 1918), shared CGN space (RFC 6598), loopback, link-local (where
 * cloud metadata services live), IETF protocol assignments, benchmarking, multicast, reserved
 * and broadcast.
 */
const IPV4_INTERNAL: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4], // with 255.255.255.255
];

/**
 * IPv6 ranges that are not the public Internet: unspecified, loopback, unique-local (fc00::/7),
 * link-local, the deprecated site-local, multicast, discard-only (RFC 6666). Addresses that
 * embed an IPv4 address are judged by that address ({@link embeddedIpv4}).
 */
const IPV6_INTERNAL: ReadonlyArray<readonly [string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['100::', 64],
];

const internal = new BlockList();
for (const [net, prefix] of IPV4_INTERNAL) internal.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of IPV6_INTERNAL) internal.addSubnet(net, prefix, 'ipv6');

/** The 16 bytes of an IPv6 address in any textual form (`::`, a dotted IPv4 tail); undefined if not one. */
export function ipv6Bytes(text: string): number[] | undefined {
  let s = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(s) !== 6) return undefined;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    tail.push(...dotted[1]!.split('.').map(Number));
    s = s.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, undefined];
  const words = (part: string | undefined) => (part ? part.split(':').filter((w) => w !== '') : []);
  const left = words(head);
  const right = words(rest);
  const all = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (all.length !== 8) return undefined;
  const bytes = all.flatMap((w) => {
    const n = parseInt(w, 16);
    return [n >> 8, n & 0xff];
  });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * The IPv4 address inside an IPv6 one, where the IPv6 form only carries it: IPv4-mapped
 * (::ffff:0:0/96), IPv4-compatible (::/96, deprecated), NAT64 (64:ff9b::/96 and the local-use
 * 64:ff9b:1::/48) and 6to4 (2002::/16). Undefined for any other address.
 */
export function embeddedIpv4(bytes: readonly number[]): string | undefined {
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const quad = (at: number) => bytes.slice(at, at + 4).join('.');
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return quad(12);
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && bytes[15] === 1)) return quad(12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b) {
    if (zero(4, 12)) return quad(12);
    if (bytes[4] === 0 && bytes[5] === 1) return '0.0.0.0'; // 64:ff9b:1::/48 is local-use: never public
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return quad(2);
  return undefined;
}

/** True when `address` (an IPv4 or IPv6 literal, brackets allowed) is not a public Internet address. */
export function isInternalAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(a);
  if (family === 4) return internal.check(a, 'ipv4');
  if (family !== 6) return true; // not an address at all: nothing to allow
  const bytes = ipv6Bytes(a);
  if (!bytes) return true;
  const v4 = embeddedIpv4(bytes);
  if (v4 !== undefined) return internal.check(v4, 'ipv4');
  return internal.check(a, 'ipv6');
}

/** Where puente itself listens (`HOST`, `PORT`): never a webhook target. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface AddressPolicyOptions {
  /** `WEBHOOK_ALLOW_PRIVATE_NETWORKS`: loopback, private and link-local targets allowed. */
  readonly allowPrivateNetworks: boolean;
  readonly listen?: ListenAddress;
  /** DNS resolution (every address of a name); dns.lookup by default. */
  readonly resolve?: (hostname: string) => Promise<string[]>;
}

/** Why a target was refused: an internal address, or puente's own. */
export type Refusal = 'internal' | 'self';

/** A connection the policy refused; `code` is what the delivery log and the logs say. */
export class TargetRefusedError extends Error {
  readonly code = 'ETARGETREFUSED';
  constructor(readonly refusal: Refusal) {
    super(refusal === 'self' ? "the webhook target is puente's own address" : 'the webhook target resolves to an internal address');
  }
}

const defaultResolve = async (hostname: string): Promise<string[]> =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** `localhost` and its subdomains are loopback by definition (RFC 6761 §6.3), whatever a resolver says. */
const LOOPBACK_NAME = /^(?:[^.]+\.)*localhost\.?$/i;

const unbracket = (host: string) => host.replace(/^\[|\]$/g, '');

/** The port a URL connects to. */
export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

export function createAddressPolicy(options: AddressPolicyOptions) {
  const lookupName = options.resolve ?? defaultResolve;
  /** Every address of a name (a fully qualified name's final dot dropped); localhost names are loopback. */
  const resolve = async (hostname: string): Promise<string[]> => {
    if (LOOPBACK_NAME.test(hostname)) return ['127.0.0.1', '::1'];
    return lookupName(hostname.endsWith('.') ? hostname.slice(0, -1) : hostname);
  };
  const listen = options.listen;
  let ownAddresses: Promise<Set<string>> | undefined;

  /** The addresses puente listens on: its HOST resolved, or every local address when HOST is unspecified. */
  function own(): Promise<Set<string>> {
    ownAddresses ??= (async () => {
      const out = new Set<string>();
      if (!listen) return out;
      const host = unbracket(listen.host);
      const unspecified = host === '0.0.0.0' || host === '::' || host === '';
      const addrs = unspecified
        ? Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address))
        : isIP(host)
          ? [host]
          : await resolve(host).catch(() => []);
      for (const a of unspecified ? [...addrs, '127.0.0.1', '::1'] : addrs) out.add(normalized(a));
      return out;
    })();
    return ownAddresses;
  }

  /** One textual form per address (IPv4-mapped IPv6 as its IPv4). */
  function normalized(address: string): string {
    const a = unbracket(address).replace(/%.*$/, '');
    const bytes = isIP(a) === 6 ? ipv6Bytes(a) : undefined;
    if (!bytes) return a;
    const v4 = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff ? bytes.slice(12).join('.') : undefined;
    return v4 ?? bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** Why connecting to `address`:`port` is refused, or null when it may be reached. */
  async function refusalOf(address: string, port: number): Promise<Refusal | null> {
    if (listen && port === listen.port && (await own()).has(normalized(address))) return 'self';
    if (!options.allowPrivateNetworks && isInternalAddress(address)) return 'internal';
    return null;
  }

  async function refusalOfAll(addresses: readonly string[], port: number): Promise<Refusal | null> {
    for (const a of addresses) {
      const r = await refusalOf(a, port);
      if (r) return r;
    }
    return null;
  }

  return {
    allowPrivateNetworks: options.allowPrivateNetworks,
    refusalOf,

    /**
     * The subscription-time check of an http(s) URL: its host literal, or every address its name
     * resolves to now. A name that does not resolve yet is not refused here (it may be created
     * later); the connection-time check stands guard either way.
     */
    async checkUrl(url: URL): Promise<Refusal | null> {
      const host = unbracket(url.hostname);
      const port = portOf(url);
      if (isIP(host)) return refusalOf(host, port);
      // With private networks allowed only puente's own address is refused: resolve just for that.
      if (options.allowPrivateNetworks && !listen) return null;
      const addresses = await resolve(host).catch(() => [] as string[]);
      return refusalOfAll(addresses, port);
    },

    /**
     * The `lookup` of one outgoing connection to `port` (http.request's `lookup` option): resolves
     * the name and fails the connection with {@link TargetRefusedError} when any address is
     * refused, so what the socket connects to is what was checked.
     */
    lookupFor(port: number): LookupFunction {
      return (hostname, opts, callback) => {
        const family = opts.family === 6 || opts.family === 'IPv6' ? 6 : opts.family === 4 || opts.family === 'IPv4' ? 4 : 0;
        const checked = async (): Promise<dns.LookupAddress[]> => {
          const addresses = (await resolve(hostname))
            .map((address) => ({ address, family: isIP(address) }))
            .filter((a) => a.family !== 0 && (!family || a.family === family));
          if (!addresses.length) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
          const refusal = await refusalOfAll(
            addresses.map((a) => a.address),
            port,
          );
          if (refusal) throw new TargetRefusedError(refusal);
          return addresses;
        };
        // The callback runs outside the promise chain: an exception it throws is not a lookup failure.
        checked().then(
          (addresses) =>
            process.nextTick(() => {
              if (opts.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
              else callback(null, addresses[0]!.address, addresses[0]!.family);
            }),
          (e: unknown) => process.nextTick(() => callback(e as NodeJS.ErrnoException, '', 0)),
        );
      };
    },
  };
}

export type AddressPolicy = ReturnType<typeof createAddressPolicy>;
