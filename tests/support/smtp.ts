/**
 * A real SMTP server in the test process (the `smtp-server` package) on 127.0.0.1, whose accepted
 * messages are parsed back with `mailparser`. It can refuse messages with an SMTP reply code
 * (`refuse`), and ask for a user name and password (`auth`), as a production relay would.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** The message exactly as it came over the wire. */
  readonly raw: string;
  readonly parsed: ParsedMail;
}

export interface SmtpSink {
  /** `smtp://[user:pass@]127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Messages accepted, in order. */
  readonly received: ReceivedMail[];
  /** Every DATA the server was offered, accepted or refused. */
  offered: number;
  /** Changes the refusal rule from now on. */
  setRefuse(refuse: ((offer: number) => number | undefined) | undefined): void;
  close(): Promise<void>;
}

/**
 * Starts a server. `refuse(n)` is asked for the n-th message offered (0-based) and answers an
 * SMTP reply code to refuse it with (e.g. 451, 550), or undefined to accept it.
 */
export async function startSmtpSink(opts: { refuse?: (offer: number) => number | undefined; auth?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
  let refuse = opts.refuse;
  const received: ReceivedMail[] = [];
  const sink = { received, offered: 0 } as { received: ReceivedMail[]; offered: number };
  const server = new SMTPServer({
    logger: false,
    // Plain SMTP on loopback: no STARTTLS (its built-in certificate is for tests only anyway).
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const n = sink.offered++;
        const code = refuse?.(n);
        if (code !== undefined) {
          cb(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            received.push({ envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, raw, parsed });
            cb();
          },
          (e: Error) => cb(e),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  const creds = opts.auth ? `${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.pass)}@` : '';
  return {
    url: `smtp://${creds}127.0.0.1:${port}`,
    port,
    received,
    get offered() {
      return sink.offered;
    },
    set offered(n: number) {
      sink.offered = n;
    },
    setRefuse(r) {
      refuse = r;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
