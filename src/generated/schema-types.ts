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
 * The server configuration, read from the environment.
 */
export interface Config {
  databaseUrl: string;
  port: number;
  host: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /**
   * SWEEP_INTERVAL_SECONDS: seconds between sweeper passes in serve (default 60); 0 turns it off.
   */
  sweepIntervalSeconds?: number;
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
 * Body of POST /v1/webhooks. Event types must exist in a named workflow (or any workflow when none is named), or be one of the records every workflow writes (CREATED, DOCUMENT_ADDED, MIGRATED, GOAL_MISSED, MMD_DUE, REFERENCE_INVALIDATED).
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

export type Organization = {
  id: string;
  name: string;
  [k: string]: unknown;
} | null;

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
 * The meaning the signer attaches to the step (21 CFR 11.50). The server records the signer's name and the time.
 */
export interface Signature {
  meaning: string;
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
  deadlines: {
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
  signature: {
    [k: string]: unknown;
  } | null;
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
