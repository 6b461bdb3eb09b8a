/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Who acted. Also the shape of GET /v1/me.
 */
export interface Actor {
  id: string;
  name: string;
  role: "manufacturer" | "fda" | "cofepris" | "auditor" | "admin" | "system";
  organization: Organization;
  [k: string]: unknown;
}

/**
 * Query string of GET /v1/audit/export: the format (default jsonl) and the filters of AuditFilters. Every matching record is streamed in (recordedAt, id) order.
 */
export type AuditExportQuery = AuditFilters & {
  /**
   * jsonl: one history record per line, exactly as GET /v1/submissions/:id/history serves it; csv: RFC 4180 with a header row.
   */
  format?: "jsonl" | "csv";
  [k: string]: unknown;
};

/**
 * Filters of the auditor's history queries (GET /v1/audit/transitions and GET /v1/audit/export). Every filter given must match. Dates: an RFC 3339 date-time with offset, or YYYY-MM-DD for a whole UTC day (From: its start; To: its end, inclusive).
 */
export interface AuditFilters {
  /**
   * Submission id.
   */
  submission?: string;
  /**
   * Finds submissions as people name them: a case-insensitive part of the title or the device name, the start of a decision number the submission holds or relies on (K-number, DEN, P-number, H-number, Q-number, COFEPRIS registration number), or the submission id exactly; their records match.
   */
  q?: string;
  /**
   * Organization id: the records of its submissions.
   */
  organization?: string;
  /**
   * Workflow id (every version).
   */
  workflow?: string;
  /**
   * The acting user's id (`system` for timers and automatic notices).
   */
  actor?: string;
  /**
   * The actor's role when the record was written.
   */
  role?: "manufacturer" | "fda" | "cofepris" | "auditor" | "admin" | "system";
  /**
   * Record type: an event such as SUBMIT, or CREATED, DOCUMENT_ADDED, MIGRATED, GOAL_MISSED, MMD_DUE, DEADLINE_PASSED, CALENDAR_RECOMPUTED, REFERENCE_INVALIDATED.
   */
  type?: string;
  /**
   * recordedAt on or after.
   */
  recordedFrom?: string;
  /**
   * recordedAt on or before.
   */
  recordedTo?: string;
  /**
   * effectiveAt on or after.
   */
  effectiveFrom?: string;
  /**
   * effectiveAt on or before.
   */
  effectiveTo?: string;
  [k: string]: unknown;
}

/**
 * Query string of GET /v1/audit/refusals: filters, and keyset pagination in (recordedAt, id) order, oldest first.
 */
export interface AuditRefusalsQuery {
  /**
   * Submission id as named by the refused request.
   */
  submission?: string;
  /**
   * The refused user's id.
   */
  actor?: string;
  /**
   * The status the command was refused with.
   */
  status?: "401" | "403" | "404" | "409" | "412" | "423" | "500";
  /**
   * Refused on or after (RFC 3339 date-time, or YYYY-MM-DD: that UTC day's start).
   */
  from?: string;
  /**
   * Refused on or before (RFC 3339 date-time, or YYYY-MM-DD: that whole UTC day).
   */
  to?: string;
  /**
   * 1 to 200, default 50.
   */
  limit?: string;
  /**
   * nextCursor of the previous page (with the same filters).
   */
  cursor?: string;
}

/**
 * Query string of GET /v1/audit/transitions: the filters of AuditFilters, and keyset pagination in (recordedAt, id) order, oldest first.
 */
export type AuditTransitionsQuery = AuditFilters & {
  /**
   * 1 to 200, default 50.
   */
  limit?: string;
  /**
   * nextCursor of the previous page (with the same filters).
   */
  cursor?: string;
  [k: string]: unknown;
};

/**
 * GET /v1/audit/verify: every submission's hash chain recomputed (seq 1..n without gaps, each prevHash the previous hash, each hash the SHA-256 of the record's RFC 8785 form, the submission's head its last record); and what is served agrees with it: each record's from is the previous record's to, the submission row's state, status, snapshot value, version, head, workflow and times are its last record's, its organization, title, device and input what CREATED recorded, its dossier the kinds of its DOCUMENT_ADDED records, and every document row and blob is the one its DOCUMENT_ADDED record names (kind, filename, sha256, size, bytes); and the security log's own chain (securityLog).
 */
export interface AuditVerify {
  ok: boolean;
  submissions: number;
  /**
   * History records checked.
   */
  transitions: number;
  /**
   * The first break of each broken chain; for a submission whose chain holds, each stored value that disagrees with it.
   */
  failures: {
    submissionId: string;
    /**
     * The record concerned; 0 when none is (a documents row no record names).
     */
    seq: number;
    reason: string;
    /**
     * The stored value that disagrees with the history: a submissions column (state, snapshot, head_hash, ...), or table.column (documents.sha256, blobs.bytes, transitions.from_state).
     */
    column?: string;
  }[];
  /**
   * The security log's hash chain (user lifecycle and security actions, issue 8): seq 1..n without gaps, each prevHash the previous entry's hash, each hash recomputed. `ok` above is false when it breaks.
   */
  securityLog: {
    ok: boolean;
    entries: number;
    failures: {
      seq: number;
      reason: string;
    }[];
  };
}

/**
 * The caller's secret calendar feed URL (POST /v1/me/calendar-feed), shown once. It serves GET /v1/calendar.ics without a bearer token: anyone who has it reads the caller's calendar.
 */
export interface CalendarFeed {
  /**
   * https://<host>/calendar/<secret>.ics (the secret: 256 random bits, base64url; only its SHA-256 is stored)
   */
  url: string;
}

/**
 * Body of POST /v1/me/password. A user who has a password gives it as currentPassword; a user without one sets the first with the bearer token alone. newPassword must meet the password rules (PASSWORD_MIN_LENGTH, PASSWORD_MIN_CHARACTER_CLASSES).
 */
export interface ChangePassword {
  currentPassword?: string;
  newPassword: string;
}

/**
 * The server configuration, read from the environment.
 */
export interface Config {
  databaseUrl: string;
  port: number;
  host: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /**
   * CHECKPOINT_INTERVAL_SECONDS: seconds between the checkpoints serve signs when the transparency log has grown (default 300); 0 turns them off.
   */
  checkpointIntervalSeconds?: number;
  /**
   * PUENTE_SIGNING_KEY: PEM file of the transparency log's Ed25519 private key.
   */
  signingKeyFile?: string;
  /**
   * PUENTE_LOG_ORIGIN: the origin line (and key name) of the log's checkpoints: no spaces or plus signs.
   */
  logOrigin?: string;
  /**
   * SWEEP_INTERVAL_SECONDS: seconds between sweeper passes in serve (default 60); 0 turns it off.
   */
  sweepIntervalSeconds?: number;
  /**
   * TOKEN_MAX_DAYS: a bearer token stops working this many days after it was issued (rotate it with POST /v1/me/token or npx puente user token); unset: no expiry.
   */
  tokenMaxDays?: number;
  /**
   * PASSWORD_RESET_HOURS: hours a one-time password reset credential works (default 24).
   */
  passwordResetHours?: number;
  /**
   * SESSION_IDLE_MINUTES: a web session ends after this many minutes without a request (default 30).
   */
  sessionIdleMinutes?: number;
  /**
   * SESSION_MAX_HOURS: a web session ends this many hours after sign-in at the latest (default 12).
   */
  sessionMaxHours?: number;
  /**
   * TRUST_PROXY: which proxies' X-Forwarded-For names the client address, as Express's trust proxy takes it: false (default), true, a number of hops, or addresses and subnets (comma-separated; loopback, linklocal, uniquelocal).
   */
  trustProxy?: boolean | number | [string, ...string[]];
  /**
   * AUTH_FAILURE_LIMIT: failed authentications (bad bearer tokens, unknown sign-in names) per client address and identifier per window before 429 (default 20); valid credentials are never throttled.
   */
  authFailureLimit?: number;
  /**
   * AUTH_ADDRESS_FAILURE_LIMIT: failed authentications per client address per window, whatever the identifier, before 429 (default 100).
   */
  authAddressFailureLimit?: number;
  /**
   * AUTH_FAILURE_WINDOW_SECONDS: the window the failure limits count in, in seconds (default 60).
   */
  authFailureWindowSeconds?: number;
  /**
   * COOKIE_SECURE: true marks the session cookie Secure (serve behind HTTPS); default false.
   */
  cookieSecure?: boolean;
  /**
   * GOAL_DUE_SOON_DAYS: an open goal with at most this many days left is due_soon (default 14).
   */
  goalDueSoonDays?: number;
  /**
   * WEBHOOK_INTERVAL_MS: milliseconds between webhook dispatcher passes in serve; 0 turns the dispatcher off (default 1000).
   */
  webhookIntervalMs?: number;
  /**
   * WEBHOOK_TIMEOUT_MS: how long one delivery attempt may take (default 10000).
   */
  webhookTimeoutMs?: number;
  /**
   * WEBHOOK_MAX_ATTEMPTS: attempts before a delivery is failed (default 10).
   */
  webhookMaxAttempts?: number;
  /**
   * WEBHOOK_BACKOFF_MS: delay before the second attempt, doubled after each failure, at most one hour (default 10000).
   */
  webhookBackoffMs?: number;
  /**
   * WEBHOOK_ALLOW_PRIVATE_NETWORKS: true allows webhook targets on loopback, private, link-local, unique-local and metadata addresses (default false).
   */
  webhookAllowPrivateNetworks?: boolean;
  /**
   * PASSWORD_MIN_LENGTH: the fewest characters a password may have (default 12; 21 CFR 11.300).
   */
  passwordMinLength?: number;
  /**
   * PASSWORD_MIN_CHARACTER_CLASSES: how many of lowercase, uppercase, digits and other characters a password must mix (default 3).
   */
  passwordMinCharacterClasses?: number;
  /**
   * SMTP_URL: the SMTP server e-mail notifications are sent through, smtp://host:port (STARTTLS when offered) or smtps://user:pass@host (TLS); with MAIL_FROM it turns e-mail on. Never logged.
   */
  smtpUrl?: string;
  /**
   * MAIL_FROM: the sender of notification mail, an address (puente@example.com) or a name and an address (puente <puente@example.com>).
   */
  mailFrom?: string;
  /**
   * MAIL_DIGEST_HOUR: the UTC hour from which the day's notification digests are sent (default 12).
   */
  mailDigestHour?: number;
  mxNonWorkingDays?: string[];
  /**
   * FDA_PRODUCT_CLASSIFICATION_FILE: a newer foiclass.txt from FDA's product classification download.
   */
  productClassificationFile?: string;
  /**
   * Agency codes the COFEPRIS abbreviated route accepts as reference authorities (ABBREVIATED_REFERENCE_AUTHORITIES, comma-separated); absent = the workflow's default list.
   *
   * @minItems 1
   */
  referenceAuthorities?: [string, ...string[]];
}

/**
 * Body of POST /v1/submissions. `input` is checked against the workflow's own input schema.
 */
export interface CreateSubmission {
  /**
   * A workflow id from GET /v1/workflows.
   */
  workflow: string;
  title: string;
  device: Device;
  input: {
    [k: string]: unknown;
  };
}

/**
 * Body of POST /v1/webhooks. Event types must exist in a named workflow (or any workflow when none is named), or be one of the records every workflow writes (CREATED, DOCUMENT_ADDED, MIGRATED, GOAL_MISSED, MMD_DUE, DEADLINE_PASSED, REFERENCE_INVALIDATED).
 */
export interface CreateWebhook {
  /**
   * Where deliveries are POSTed: an http: or https: URL.
   */
  url: string;
  /**
   * History record types to deliver; absent = every type; [] = none (deadline warnings only).
   *
   * @maxItems 200
   */
  eventTypes?: string[];
  /**
   * Workflow ids to deliver events of; absent = every workflow.
   *
   * @minItems 1
   * @maxItems 50
   */
  workflows?: [string, ...string[]];
  /**
   * Send one deadline.warning per hard deadline of an active submission once it is at most this many days away.
   */
  deadlineWarningDays?: number;
  /**
   * Organization id. Admins: limit the subscription to one organization (absent = all). Manufacturers: only their own.
   */
  organization?: string;
}

/**
 * The device a submission is about.
 */
export interface Device {
  name: string;
  model?: string;
  /**
   * FDA three-letter product code (foiclass).
   */
  productCode?: string;
  /**
   * UDI device identifier.
   */
  udiDi?: string;
}

export interface Document {
  id: string;
  kind: string;
  filename: string;
  contentType?: string;
  sha256: string;
  size: number;
  createdAt?: string;
  [k: string]: unknown;
}

/**
 * Query string of an endpoint that takes no parameters (GET /v1/audit/verify, GET /v1/submissions/:id/report): any parameter is refused.
 */
export interface EmptyQuery {}

/**
 * Query string of GET /v1/submissions/export: the format and the filters of GET /v1/submissions (the same names and values; every matching submission, so no limit or cursor).
 */
export interface ExportSubmissionsQuery {
  /**
   * csv (default): RFC 4180, UTF-8 with a byte order mark, one row per submission; xlsx: an Office Open XML workbook with a Portfolio sheet (the same columns) and a Goals sheet (one row per goal).
   */
  format?: "csv" | "xlsx";
  workflow?: string;
  /**
   * A state path; `closed` also matches `closed.*`.
   */
  state?: string;
  status?: "active" | "closed";
  /**
   * Organization id.
   */
  organization?: string;
  /**
   * true: active, and a hard deadline has passed or a goal is missed (or past its due date); false: the others.
   */
  overdue?: "true" | "false";
  /**
   * Only submissions whose next due date (clocks.nextDue) falls before this date (YYYY-MM-DD).
   */
  dueBefore?: string;
  /**
   * created (default): newest first; nextDue: the soonest next due date first, submissions without one last.
   */
  sort?: "created" | "nextDue";
  /**
   * Case-insensitive text in the title or device name.
   */
  q?: string;
}

/**
 * Query string of GET /v1/insights: which of the submissions the caller may see the figures cover.
 */
export interface InsightsQuery {
  /**
   * Only submissions of this workflow (pathway) id.
   */
  pathway?:
    "fda-510k" | "fda-de-novo" | "fda-pma" | "fda-hde" | "fda-presub" | "fda-breakthrough" | "cofepris-registration";
  /**
   * Only devices with this FDA product code (three capital letters, e.g. FRN).
   */
  productCode?: string;
  /**
   * First day of the period (YYYY-MM-DD), inclusive. Each outcome counts by its own date: a goal by the day its count started, a decision by its date, a grant by its date, a prevención by the day it was issued.
   */
  from?: string;
  /**
   * Last day of the period (YYYY-MM-DD), inclusive; not before `from`.
   */
  to?: string;
}

/**
 * Query string of GET /v1/submissions.
 */
export interface ListSubmissionsQuery {
  workflow?: string;
  /**
   * A state path; `closed` also matches `closed.*`.
   */
  state?: string;
  status?: "active" | "closed";
  /**
   * Organization id.
   */
  organization?: string;
  /**
   * true: active, and a hard deadline has passed or a goal is missed (or past its due date); false: the others.
   */
  overdue?: "true" | "false";
  /**
   * Only submissions whose next due date (clocks.nextDue) falls before this date (YYYY-MM-DD).
   */
  dueBefore?: string;
  /**
   * created (default): newest first; nextDue: the soonest next due date first, submissions without one last.
   */
  sort?: "created" | "nextDue";
  /**
   * Case-insensitive text in the title or device name.
   */
  q?: string;
  /**
   * 1 to 200, default 50.
   */
  limit?: string;
  /**
   * nextCursor of the previous page.
   */
  cursor?: string;
}

/**
 * Query string of GET /v1/webhooks and GET /v1/webhooks/:id/deliveries (keyset pagination, newest first).
 */
export interface ListWebhooksQuery {
  /**
   * 1 to 200, default 50.
   */
  limit?: string;
  /**
   * nextCursor of the previous page.
   */
  cursor?: string;
}

/**
 * The caller's e-mail notification preferences (GET and PUT /v1/me/notifications). Mail is sent only while the server has SMTP_URL and MAIL_FROM (mailEnabled).
 */
export interface NotificationPreferences {
  /**
   * immediate: a mail for every step (history record) someone else records on a submission the caller may see; digest: one mail a day listing the hard deadlines and goals due within digestDaysAhead days; off: no mail (the default).
   */
  mode: "immediate" | "digest" | "off";
  /**
   * How many days ahead the daily digest looks (default 14).
   */
  digestDaysAhead: number;
  /**
   * The address chosen for notifications; null: the account's own e-mail address.
   */
  email: string | null;
  /**
   * Where mail goes: email, else the account's address; null when there is neither.
   */
  sendsTo: string | null;
  /**
   * The language mail is written in.
   */
  language: "en" | "es";
  /**
   * Whether this server sends e-mail at all (SMTP_URL and MAIL_FROM are set).
   */
  mailEnabled: boolean;
}

export type Organization = {
  id: string;
  name: string;
  [k: string]: unknown;
} | null;

/**
 * Body of POST /v1/password-reset (no bearer token): the one-time reset credential an administrator issued, and the new password the user chooses (it must meet the password rules). The credential only sets a password: it cannot sign or authenticate anything else.
 */
export interface PasswordReset {
  /**
   * The credential as issued (pwr_ + 43 characters).
   */
  resetToken: string;
  newPassword: string;
}

/**
 * RFC 9457 problem details, served as application/problem+json.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors: {
    /**
     * JSON pointer
     */
    path: string;
    message: string;
    [k: string]: unknown;
  }[];
  [k: string]: unknown;
}

/**
 * Body of PUT /v1/me/notifications: replaces the caller's preferences. A field left out takes its default: digestDaysAhead 14, email the account's own address, language the one Accept-Language asks for.
 */
export interface PutNotificationPreferences {
  /**
   * immediate: a mail per step on a submission the caller may see; digest: a daily mail of the deadlines and goals due soon; off: none.
   */
  mode: "immediate" | "digest" | "off";
  /**
   * How many days ahead the daily digest looks (default 14).
   */
  digestDaysAhead?: number;
  /**
   * The address to send notifications to; absent or null: the account's own e-mail address. immediate and digest need one of the two.
   */
  email?: string | null;
  /**
   * The language of the mail; absent: the one Accept-Language asks for.
   */
  language?: "en" | "es";
}

/**
 * A command refused with 403, 409 or 412, or a security refusal of a write (404 on a submission the caller may not see, 401 or 423 on a signature, 500 integrity_failure on a row that disagrees with its chain), recorded after its transaction rolled back: who, what, on which submission, why. Never the request body, passwords or tokens.
 */
export interface RefusedCommand {
  id: string;
  recordedAt: string;
  actor: Actor;
  method: string;
  /**
   * The request path, without the query string.
   */
  path: string;
  /**
   * As named in the path; null for POST /v1/submissions.
   */
  submissionId: string | null;
  /**
   * The event sent (POST .../events), CREATED (POST /v1/submissions) or DOCUMENT_ADDED (POST .../documents).
   */
  eventType: string | null;
  status: 401 | 403 | 404 | 409 | 412 | 423 | 500;
  /**
   * The problem code answered (forbidden, event_not_allowed, version_mismatch, not_found, signature_invalid, signature_locked, integrity_failure).
   */
  code: string;
  /**
   * The problem detail answered.
   */
  detail: string;
  /**
   * X-Request-Id of the refused request (also in the server log).
   */
  requestId: string | null;
}

/**
 * One entry of the security log (issue 8): a user lifecycle or security action. hash = lowercase hex SHA-256 of the RFC 8785 (JCS) canonical JSON of the entry without hash; prevHash names the previous entry's hash (64 zeros for seq 1).
 */
export interface SecurityLogEntry {
  seq: number;
  /**
   * user.created, user.disabled, user.enabled, password.set, password.changed, password.reset_issued, password.reset_completed, signing.locked, signing.unlocked, signing.refused, token.issued, token.rotated, token.revoked, admin.refused
   */
  type: string;
  /**
   * The user the action is about.
   */
  subject: string | null;
  /**
   * Who acted: a user, or the command line (role cli, id null) or the system (role system, id null).
   */
  actor: {
    id: string | null;
    name: string;
    role: string;
  };
  /**
   * Facts about the action; never a password, token or credential.
   */
  data: {
    [k: string]: unknown;
  };
  recordedAt: string;
  prevHash: string;
  hash: string;
}

/**
 * Query string of GET /v1/audit/security-log/export: the filters of GET /v1/audit/security-log; every matching entry is written.
 */
export interface SecurityLogExportQuery {
  /**
   * Entries about this user id, or done by them.
   */
  user?: string;
  /**
   * Entries of this type.
   */
  type?:
    | "user.created"
    | "user.disabled"
    | "user.enabled"
    | "password.set"
    | "password.changed"
    | "password.reset_issued"
    | "password.reset_completed"
    | "signing.locked"
    | "signing.unlocked"
    | "signing.refused"
    | "token.issued"
    | "token.rotated"
    | "token.revoked"
    | "admin.refused";
}

/**
 * Query string of GET /v1/audit/security-log: filters, and keyset pagination in seq order, oldest first.
 */
export interface SecurityLogQuery {
  /**
   * Entries about this user id, or done by them.
   */
  user?: string;
  /**
   * Entries of this type.
   */
  type?:
    | "user.created"
    | "user.disabled"
    | "user.enabled"
    | "password.set"
    | "password.changed"
    | "password.reset_issued"
    | "password.reset_completed"
    | "signing.locked"
    | "signing.unlocked"
    | "signing.refused"
    | "token.issued"
    | "token.rotated"
    | "token.revoked"
    | "admin.refused";
  /**
   * 1 to 200, default 50.
   */
  limit?: string;
  /**
   * nextCursor of the previous page (with the same filters).
   */
  cursor?: string;
}

/**
 * Body of POST /v1/submissions/:id/events. `data` is checked against the event's payload schema.
 */
export interface SendEvent {
  type: string;
  data?: {
    [k: string]: unknown;
  };
  comment?: string;
  /**
   * When the regulatory action really happened: RFC 3339 date-time, or YYYY-MM-DD (start of that day in the regulator's time zone). Not in the future, not before the previous regulatory event.
   */
  effectiveAt?: string;
  signature?: Signature;
}

/**
 * A Part 11 electronic signature on the step (21 CFR 11.50, 11.200): its meaning and the signer's password, re-checked by the server. The history records the manifestation { name, meaning, signedAt }; the password is never stored, logged or returned.
 */
export interface Signature {
  /**
   * What the signature means (21 CFR 11.50(a)(3)): approval (a decision or order), review, responsibility (taking responsibility for a filing), authorship.
   */
  meaning: "approval" | "review" | "responsibility" | "authorship";
  /**
   * The signer's own password (set with POST /v1/me/password or puente user add --password-stdin).
   */
  password: string;
}

/**
 * Body of POST /v1/users/:id/signing-unlock (admins): clears the user's failed-signature count and signing lock. An administrator cannot set a user's password: newPassword is refused (422 at /newPassword); issue a one-time reset with POST /v1/users/:id/password-reset instead.
 */
export interface SigningUnlock {
  /**
   * Refused (kept so the refusal names the reset): nobody sets a password that signs for another user.
   */
  newPassword?: string;
}

export interface Submission {
  id: string;
  workflow: {
    id: string;
    version: number;
    [k: string]: unknown;
  };
  organization: Organization;
  title: string;
  device: Device;
  input?: {
    [k: string]: unknown;
  };
  /**
   * Dotted state path, e.g. review.substantive.
   */
  state: string;
  status: "active" | "closed";
  /**
   * Also the ETag.
   */
  version: number;
  /**
   * What this caller may send now.
   */
  allowedEvents: string[];
  clocks: {
    [k: string]: unknown;
  };
  /**
   * The hard deadline of the current state: due date, what happens when it passes (consequence: automatic = the system sends event; decision = its passing is recorded and the regulator decides), its source, and whether it passed.
   */
  deadlines: {
    kind: string;
    dueDate: string;
    event: string;
    description: string;
    consequence: "automatic" | "decision";
    /**
     * True once a decision deadline passed (a DEADLINE_PASSED record names it).
     */
    passed: boolean;
    unconfirmed?: boolean;
    /**
     * The primary source of the window and its consequence: title, section, citation, date, url.
     */
    source: {
      [k: string]: unknown;
    } | null;
    calendar?: {
      [k: string]: unknown;
    } | null;
    [k: string]: unknown;
  }[];
  /**
   * Only on GET /v1/submissions/:id: every step the current state takes, who may take it (mine: the caller may), and whether a guard would refuse it now whatever is entered (blocked, with reasons as message codes and parameters).
   */
  steps?: {
    event: string;
    roles: string[];
    mine: boolean;
    blocked: boolean;
    reasons: {
      code: string;
      params?: {
        [k: string]: unknown;
      };
      [k: string]: unknown;
    }[];
    /**
     * True when the step ends the submission.
     */
    ends: boolean;
    requiresSignature: boolean;
    [k: string]: unknown;
  }[];
  /**
   * Only on GET /v1/submissions/:id: the regulator's requests the applicant must answer in the current hold (AI deficiencies, RTA reasons, prevención items), from the record that opened them.
   */
  openRequests?: {
    event: string;
    seq: number;
    effectiveAt: string;
    items: {
      [k: string]: unknown;
    };
    [k: string]: unknown;
  }[];
  /**
   * Only on GET /v1/submissions/:id of an FDA submission: the active registrations relying on it that the caller may see.
   */
  reliedOnBy?: {
    [k: string]: unknown;
  }[];
  reference: {
    [k: string]: unknown;
  } | null;
  decision?: {
    [k: string]: unknown;
  } | null;
  /**
   * FDA's product classification of device.productCode (reference-data/foiclass.txt), or null when the code is absent or unknown.
   */
  classification: {
    productCode: string;
    deviceName: string;
    usClass: "1" | "2" | "3" | "U" | "N" | "F";
    regulationNumber: string | null;
    expectedPathway: string;
    exempt: boolean;
    [k: string]: unknown;
  } | null;
  /**
   * Only when creating: what the product classification found unusual (e.g. a 510(k)-exempt code).
   */
  warnings?: string[];
  /**
   * True while an active Breakthrough designation of the same organization names this submission.
   */
  prioritized: boolean;
  dossier: {
    required: string[];
    present: string[];
    missing: string[];
    [k: string]: unknown;
  };
  createdAt: string;
  updatedAt: string;
  [k: string]: unknown;
}

/**
 * Query string of GET /v1/audit/proofs/consistency: two tree sizes, from <= to.
 */
export interface TlogConsistencyQuery {
  from: string;
  to: string;
}

/**
 * Query string of GET /v1/audit/proofs/inclusion.
 */
export interface TlogInclusionQuery {
  /**
   * A history record id.
   */
  transitionId: string;
  /**
   * The tree size of a checkpoint; default the whole log.
   */
  treeSize?: string;
}

/**
 * One history record. hash = hex SHA-256 of the RFC 8785 canonical JSON of the record without `hash`; prevHash of seq 1 is 64 zeros.
 */
export interface Transition {
  id: string;
  submissionId: string;
  seq: number;
  type: string;
  data: {
    [k: string]: unknown;
  };
  from: string | null;
  to: string;
  actor: Actor;
  comment: string | null;
  effectiveAt: string;
  recordedAt: string;
  /**
   * The electronic signature manifestation (21 CFR 11.50), inside the hashed record (11.70): the signer's printed name, the meaning, and when (the record's recordedAt). Null when the step was not signed.
   */
  signature: {
    name?: string;
    meaning?: "approval" | "review" | "responsibility" | "authorship";
    signedAt?: string;
    [k: string]: unknown;
  } | null;
  /**
   * The facts the step's guard decided on, read from the database when the step was made (dossier kinds still missing, the reference decision relied on, a linked submission), inside the hashed record so an offline replay re-decides the guard. Present only on records of workflow versions that record facts (cofepris-registration@5 SUBMIT and TPR_FAVORABLE_REPORT, fda-breakthrough@4 LINK_SUBMISSION); absent elsewhere.
   */
  facts?: {
    [k: string]: unknown;
  };
  workflow: {
    id: string;
    version: number;
    definitionHash: string;
    [k: string]: unknown;
  };
  prevHash: string;
  hash: string;
  [k: string]: unknown;
}

/**
 * Query string of POST /v1/submissions/:id/documents; the body is the raw bytes.
 */
export interface UploadDocumentQuery {
  /**
   * Dossier item kind, e.g. fda-decision-letter.
   */
  kind: string;
  filename: string;
}

/**
 * One entry of a subscription's delivery log.
 */
export interface WebhookDelivery {
  id: string;
  /**
   * The history record id, or the deadline warning's id; the payload's `id`.
   */
  eventId: string;
  /**
   * The history record type, or deadline.warning.
   */
  type: string;
  submissionId: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  [k: string]: unknown;
}

/**
 * A webhook subscription. `secret` (the HMAC-SHA256 key of the Puente-Signature header) is present only in the creation response.
 */
export interface Webhook {
  id: string;
  url: string;
  eventTypes: string[] | null;
  workflows: string[] | null;
  deadlineWarningDays: number | null;
  organization: Organization;
  /**
   * The id of the user who created it.
   */
  createdBy: string;
  createdAt: string;
  /**
   * Shown once, at creation.
   */
  secret?: string;
  [k: string]: unknown;
}
