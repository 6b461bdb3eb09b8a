/* Generated from the event schemas of workflows/ by `npm run generate`. Do not edit by hand. */
import type { EventOf } from './common.js';

/**
 * The data of each event of fda-510k@1, fda-510k@2, fda-510k@3, from its schema.
 */
export interface Fda510kEventData {
  /**
   * Send the 510(k) to FDA (CDRH Document Control Center receipt).
   */
  SUBMIT: Record<string, never>;
  /**
   * User fee paid and submission valid: screening (eSTAR) or acceptance review (eCopy) starts.
   */
  FEE_VERIFIED: Record<string, never>;
  /**
   * User fee not received: the submission is put on user-fee hold.
   */
  FEE_UNPAID: Record<string, never>;
  /**
   * The sponsor paid the MDUFA user fee.
   */
  FEE_PAID: {
    receipt?: string;
  };
  /**
   * eSTAR technical screening passed: substantive review starts.
   */
  SCREEN_PASS: Record<string, never>;
  /**
   * eSTAR incomplete: on hold until a complete replacement arrives.
   */
  SCREEN_FAIL: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * A complete replacement eSTAR; screening restarts (FDA-day clock restarts).
   */
  REPLACEMENT_SUBMITTED: Record<string, never>;
  /**
   * Acceptance review (RTA checklist) passed: substantive review starts.
   */
  ACCEPT: Record<string, never>;
  /**
   * Refuse to Accept: administratively incomplete.
   */
  REFUSE_TO_ACCEPT: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * The sponsor answered the RTA; acceptance review restarts (FDA-day clock restarts).
   */
  RTA_RESPONSE: {
    summary?: string;
  };
  /**
   * No RTA response within 180 days: considered withdrawn.
   */
  RTA_TIMEOUT: Record<string, never>;
  /**
   * Substantive Interaction: FDA continues in interactive review.
   */
  SUBSTANTIVE_INTERACTION: {
    summary?: string;
  };
  /**
   * Additional Information request: the FDA-day clock pauses; 180 calendar days to respond.
   */
  REQUEST_AI: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies: [string, ...string[]];
  };
  /**
   * Complete response to the AI request: the FDA-day clock resumes.
   */
  AI_RESPONSE: {
    summary?: string;
  };
  /**
   * No complete AI response within 180 calendar days: deleted (FDA code DE).
   */
  AI_TIMEOUT: Record<string, never>;
  /**
   * Substantially equivalent: cleared.
   */
  DECIDE_SE: {
    kNumber: string;
    decisionDate: string;
  };
  /**
   * Not substantially equivalent.
   */
  DECIDE_NSE: {
    reason?: string;
    decisionDate?: string;
  };
  /**
   * The sponsor withdraws the 510(k) (FDA code WD).
   */
  WITHDRAW: {
    reason?: string;
  };
  /**
   * FDA rescinds the SE decision (code RE); relying COFEPRIS registrations are notified.
   */
  RESCIND_SE: {
    reason?: string;
  };
}

/** An event of fda-510k@1/2/3 with its data typed by type. */
export type Fda510kEvent = EventOf<Fda510kEventData>;

/**
 * The data of each event of fda-de-novo@1, fda-de-novo@2, fda-de-novo@3, from its schema.
 */
export interface FdaDeNovoEventData {
  /**
   * Send the De Novo request to FDA (CDRH Document Control Center receipt).
   */
  SUBMIT: Record<string, never>;
  /**
   * User fee paid and a valid eSTAR / eCopy received: technical screening (eSTAR) or acceptance review (eCopy) starts.
   */
  FEE_VERIFIED: Record<string, never>;
  /**
   * User fee not received: the request is put on user-fee hold (no review clock).
   */
  FEE_UNPAID: Record<string, never>;
  /**
   * The requester paid the MDUFA user fee.
   */
  FEE_PAID: {
    receipt?: string;
  };
  /**
   * eSTAR technical screening passed: substantive review starts; the clock counts from receipt.
   */
  SCREEN_PASS: Record<string, never>;
  /**
   * eSTAR incomplete: on hold until a complete replacement eSTAR arrives (180 days, UNCONFIRMED).
   */
  SCREEN_FAIL: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * Technical screening not completed within 15 calendar days: FDA accepts the request for substantive review (UNCONFIRMED rule).
   */
  SCREENING_TIMEOUT: Record<string, never>;
  /**
   * A complete replacement eSTAR: technical screening restarts (new clock).
   */
  REPLACEMENT_SUBMITTED: Record<string, never>;
  /**
   * No replacement eSTAR within 180 days: considered withdrawn (21 CFR 860.250(a)(2)); FDA's "deletion letter".
   */
  ESTAR_HOLD_TIMEOUT: Record<string, never>;
  /**
   * Acceptance review (21 CFR 860.230) passed: substantive review starts.
   */
  ACCEPT: Record<string, never>;
  /**
   * Acceptance review not completed within 15 calendar days: the request is considered under substantive review.
   */
  ACCEPTANCE_TIMEOUT: Record<string, never>;
  /**
   * Refuse to Accept: the request lacks elements needed for a substantive review.
   */
  REFUSE_TO_ACCEPT: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * The requester supplied the missing elements; acceptance review restarts (the clock restarts).
   */
  RTA_RESPONSE: {
    summary?: string;
  };
  /**
   * No complete RTA response within 180 days: considered withdrawn (21 CFR 860.250(a)(2)); FDA's "deletion letter".
   */
  RTA_TIMEOUT: Record<string, never>;
  /**
   * Substantive Interaction: FDA continues in interactive review.
   */
  SUBSTANTIVE_INTERACTION: {
    summary?: string;
  };
  /**
   * Additional Information request (21 CFR 860.240(b)(1)): the FDA-day clock stops; complete response due within 180 calendar days.
   */
  REQUEST_AI: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies: [string, ...string[]];
  };
  /**
   * Response to the AI request: the FDA-day clock resumes.
   */
  AI_RESPONSE: {
    summary?: string;
  };
  /**
   * FDA finds the AI response incomplete: the request goes back on hold as of the date of the original AI request, whose 180 days keep running.
   */
  AI_RESPONSE_INCOMPLETE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies?: [string, ...string[]];
  };
  /**
   * No complete AI response within 180 calendar days: considered withdrawn (21 CFR 860.250(a)(1)); FDA's "deletion letter".
   */
  AI_TIMEOUT: Record<string, never>;
  /**
   * Granting order: the device is classified into class I or II, which authorizes marketing and creates a classification regulation.
   */
  DECIDE_GRANT: {
    denNumber: string;
    decisionDate: string;
    deviceClass?: 'I' | 'II';
    productCode?: string;
    regulation?: string;
  };
  /**
   * Decline order (21 CFR 860.260): the device remains in class III.
   */
  DECIDE_DECLINE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
    decisionDate?: string;
  };
  /**
   * The requester withdraws the De Novo request (21 CFR 860.250(a)(4)).
   */
  WITHDRAW: {
    reason?: string;
  };
}

/** An event of fda-de-novo@1/2/3 with its data typed by type. */
export type FdaDeNovoEvent = EventOf<FdaDeNovoEventData>;

/**
 * The data of each event of fda-pma@1, fda-pma@2, fda-pma@3, from its schema.
 */
export interface FdaPmaEventData {
  /**
   * Send the PMA, PMA supplement or 30-day notice to FDA.
   */
  SUBMIT: Record<string, never>;
  /**
   * User fee paid and a valid eCopy received: acceptance review (original, panel-track), substantive review (180-day, real-time) or the notice period (30-day notice) starts.
   */
  FEE_VERIFIED: Record<string, never>;
  /**
   * User fee not received: on user-fee hold (no review clock).
   */
  FEE_UNPAID: Record<string, never>;
  /**
   * The applicant paid the MDUFA user fee.
   */
  FEE_PAID: {
    receipt?: string;
  };
  /**
   * Acceptance review passed: filing review starts (45 days).
   */
  ACCEPT: Record<string, never>;
  /**
   * Refuse to Accept: administratively incomplete.
   */
  REFUSE_TO_ACCEPT: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * The applicant supplied the missing elements; acceptance review restarts.
   */
  RTA_RESPONSE: {
    summary?: string;
  };
  /**
   * No RTA response within 180 days (UNCONFIRMED): considered withdrawn.
   */
  RTA_TIMEOUT: Record<string, never>;
  /**
   * Filed (21 CFR 814.42): substantive review starts; the filing date is the FDA-day origin.
   */
  FILE: Record<string, never>;
  /**
   * Not filed (21 CFR 814.42(e)); the applicant may resubmit under the same PMA number as a new submission.
   */
  REFUSE_TO_FILE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * Substantive Interaction (goal: 90 FDA days): FDA continues in interactive review.
   */
  SUBSTANTIVE_INTERACTION: {
    summary?: string;
  };
  /**
   * Major Deficiency Letter: the FDA-day clock stops; response due within 180 days (UNCONFIRMED). Not for real-time supplements.
   */
  ISSUE_MDL: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies: [string, ...string[]];
  };
  /**
   * FDA extends the MDL response window to 360 days from the MDL (UNCONFIRMED mechanism).
   */
  EXTEND_MDL_RESPONSE: {
    reason?: string;
  };
  /**
   * Amendment answering the MDL: the FDA-day clock resumes; the goal may be extended.
   */
  MAJOR_AMENDMENT: {
    summary?: string;
  };
  /**
   * No response to the MDL within the window: considered voluntarily withdrawn (21 CFR 814.37).
   */
  MDL_TIMEOUT: Record<string, never>;
  /**
   * A major amendment on the applicant's own initiative: no state change; extends the decision goal (by the FDA days elapsed before the SI, by 75% of those since filing after it).
   */
  UNSOLICITED_MAJOR_AMENDMENT: {
    summary?: string;
  };
  /**
   * FDA refers the PMA to an advisory panel (on its own initiative, or at the applicant's request; 21 CFR 814.44(a)); the decision goal becomes 320 FDA days.
   */
  REFER_TO_PANEL: {
    panel?: string;
    requestedBySponsor?: boolean;
    reason?: string;
  };
  /**
   * The advisory panel held its public meeting and sent its report and recommendation (recorded by FDA staff).
   */
  PANEL_RECOMMENDATION: {
    recommendation: 'approval' | 'approval-with-conditions' | 'not-approvable';
    meetingDate?: string;
    summary?: string;
  };
  /**
   * Approval order (21 CFR 814.44(d)): the device may be marketed. Carries the P-number (P123456, or P123456/S001 for a supplement).
   */
  ISSUE_APPROVAL_ORDER: {
    pmaNumber: string;
    decisionDate: string;
    /**
     * @minItems 1
     * @maxItems 200
     */
    conditions?: [string, ...string[]];
  };
  /**
   * Approvable letter (21 CFR 814.44(e)): approvable once the applicant meets the stated conditions.
   */
  ISSUE_APPROVABLE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    conditions?: [string, ...string[]];
  };
  /**
   * The applicant answered the approvable letter: final review.
   */
  APPROVABLE_RESPONSE: {
    summary?: string;
  };
  /**
   * Not approvable letter (21 CFR 814.44(f)): response due within 180 days (UNCONFIRMED).
   */
  ISSUE_NOT_APPROVABLE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies?: [string, ...string[]];
  };
  /**
   * Amendment answering the not approvable letter: substantive review resumes.
   */
  AMENDMENT: {
    summary?: string;
  };
  /**
   * No amendment within 180 days of the not approvable letter (UNCONFIRMED): considered withdrawn.
   */
  NOT_APPROVABLE_TIMEOUT: Record<string, never>;
  /**
   * Order denying approval (21 CFR 814.45).
   */
  ISSUE_DENIAL: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
    decisionDate?: string;
  };
  /**
   * FDA finds the 30-day notice inadequate (21 CFR 814.39(f)): the change may not be made on this notice; a 135-day PMA supplement is required.
   */
  FDA_OBJECTS: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * 30 days after FDA receipt without an objection: the manufacturing change may be distributed (21 CFR 814.39(f)).
   */
  NOTICE_PERIOD_TIMEOUT: Record<string, never>;
  /**
   * The applicant withdraws the PMA, supplement or notice (21 CFR 814.37).
   */
  WITHDRAW: {
    reason?: string;
  };
  /**
   * Order withdrawing approval (21 CFR 814.46); relying COFEPRIS registrations are notified.
   */
  WITHDRAW_APPROVAL: {
    reason: string;
  };
}

/** An event of fda-pma@1/2/3 with its data typed by type. */
export type FdaPmaEvent = EventOf<FdaPmaEventData>;

/**
 * The data of each event of fda-hde@1, fda-hde@2, fda-hde@3, from its schema.
 */
export interface FdaHdeEventData {
  /**
   * Request HUD designation from OOPD; refused when the estimated US population exceeds 8000 a year.
   */
  REQUEST_HUD: {
    estimatedAnnualPopulation: number;
    condition?: string;
  };
  /**
   * OOPD designates the device a Humanitarian Use Device.
   */
  HUD_DESIGNATED: {
    designationNumber?: string;
    decisionDate?: string;
  };
  /**
   * OOPD denies HUD designation.
   */
  HUD_DENIED: {
    reason?: string;
  };
  /**
   * Send the HDE application (HUD designated; the sponsor states no comparable device is available).
   */
  SUBMIT_HDE: {
    summary?: string;
  };
  /**
   * The HDE is filed (21 CFR 814.112): the 75-day review starts.
   */
  FILE: Record<string, never>;
  /**
   * Refuse to file (21 CFR 814.112): incomplete, comparable device, untrue statement or missing financial disclosure.
   */
  REFUSE_TO_FILE: {
    /**
     * @minItems 1
     */
    grounds: [
      'incomplete' | 'comparableDevice' | 'untrueStatement' | 'noFinancialDisclosure',
      ...('incomplete' | 'comparableDevice' | 'untrueStatement' | 'noFinancialDisclosure')[],
    ];
    detail?: string;
  };
  /**
   * FDA requests an HDE amendment: the review clock pauses; 75 days to answer (21 CFR 814.106).
   */
  REQUEST_AMENDMENT: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies: [string, ...string[]];
  };
  /**
   * An HDE amendment: answers a request or letter (review resumes), or, during review, an unsolicited one (a major amendment extends the review up to 75 days, 21 CFR 814.106).
   */
  AMENDMENT: {
    summary?: string;
    major?: boolean;
  };
  /**
   * No written answer within 75 days of the request: the HDE is considered withdrawn (21 CFR 814.106).
   */
  AMENDMENT_TIMEOUT: Record<string, never>;
  /**
   * Approval order (21 CFR 814.116(b)): the HDE is approved under its H-number.
   */
  ISSUE_APPROVAL_ORDER: {
    hNumber: string;
    decisionDate: string;
  };
  /**
   * Approvable letter (21 CFR 814.116(c)): approvable once the listed information or conditions are supplied.
   */
  ISSUE_APPROVABLE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    conditions: [string, ...string[]];
  };
  /**
   * Not approvable letter (21 CFR 814.116(d)): deficiencies the sponsor may answer by amendment.
   */
  ISSUE_NOT_APPROVABLE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies: [string, ...string[]];
  };
  /**
   * Order denying approval (21 CFR 814.118(a)).
   */
  ISSUE_DENIAL: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
    decisionDate?: string;
  };
  /**
   * The sponsor withdraws the HUD request or the HDE.
   */
  WITHDRAW: {
    reason?: string;
  };
  /**
   * FDA withdraws the HDE approval (21 CFR 814.118); relying COFEPRIS registrations are notified.
   */
  WITHDRAW_APPROVAL: {
    reason: string;
  };
}

/** An event of fda-hde@1/2/3 with its data typed by type. */
export type FdaHdeEvent = EventOf<FdaHdeEventData>;

/**
 * The data of each event of fda-presub@1, fda-presub@2, fda-presub@3, from its schema.
 */
export interface FdaPresubEventData {
  /**
   * Send the Pre-Sub to FDA: acceptance review starts (15 calendar days).
   */
  SUBMIT: {
    summary?: string;
  };
  /**
   * Pre-Sub accepted (acceptance checklist passed); the Q-number is confirmed.
   */
  ACCEPT: {
    qNumber: string;
  };
  /**
   * Incomplete: on hold until the sponsor responds.
   */
  REFUSE_TO_ACCEPT: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * The sponsor completes the Pre-Sub: the 15-day acceptance review restarts.
   */
  RESPONSE: {
    summary?: string;
  };
  /**
   * FDA sets (or moves) the meeting date; only when the sponsor requested a meeting.
   */
  SCHEDULE_MEETING: {
    meetingDate: string;
    format?: 'in-person' | 'video' | 'teleconference';
  };
  /**
   * Written feedback: by day 70, or 5 days before the meeting, whichever is sooner.
   */
  SEND_WRITTEN_FEEDBACK: {
    summary?: string;
  };
  /**
   * The sponsor is satisfied with the written feedback and cancels the meeting.
   */
  CANCEL_MEETING: {
    reason?: string;
  };
  /**
   * Written feedback only (no meeting requested): the sponsor or FDA closes the Q-Sub.
   */
  CLOSE: {
    reason?: string;
  };
  /**
   * The meeting took place (recorded by FDA or the sponsor); the sponsor drafts the minutes.
   */
  HOLD_MEETING: {
    summary?: string;
    format?: 'in-person' | 'video' | 'teleconference';
  };
  /**
   * The sponsor sends its draft minutes (within 15 days, UNCONFIRMED).
   */
  SUBMIT_MINUTES: {
    summary?: string;
  };
  /**
   * FDA edits and finalizes the minutes: they are the formal written feedback.
   */
  FINALIZE_MINUTES: {
    summary?: string;
  };
  /**
   * The sponsor withdraws the Q-Sub.
   */
  WITHDRAW: {
    reason?: string;
  };
}

/** An event of fda-presub@1/2/3 with its data typed by type. */
export type FdaPresubEvent = EventOf<FdaPresubEventData>;

/**
 * The data of each event of fda-breakthrough@1, fda-breakthrough@2, fda-breakthrough@3, fda-breakthrough@4, fda-breakthrough@5, fda-breakthrough@6, from its schema.
 */
export interface FdaBreakthroughEventData {
  /**
   * Request Breakthrough designation (a Q-Submission); FDA decides in about 60 days (UNCONFIRMED).
   */
  REQUEST_DESIGNATION: {
    summary?: string;
    /**
     * @minItems 1
     */
    secondaryCriteria?: [
      'breakthroughTechnology' | 'noApprovedAlternative' | 'significantAdvantages' | 'patientsBestInterest',
      ...('breakthroughTechnology' | 'noApprovedAlternative' | 'significantAdvantages' | 'patientsBestInterest')[],
    ];
  };
  /**
   * FDA asks for more information; the request stays under review.
   */
  REQUEST_INFO: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    questions: [string, ...string[]];
  };
  /**
   * The sponsor answers FDA's information request.
   */
  INFO_RESPONSE:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * Designated: meets the primary criterion and at least one secondary criterion; all later communications use the Q-number.
   */
  GRANT: {
    qNumber: string;
    /**
     * @minItems 1
     */
    secondaryCriteria: [
      'breakthroughTechnology' | 'noApprovedAlternative' | 'significantAdvantages' | 'patientsBestInterest',
      ...('breakthroughTechnology' | 'noApprovedAlternative' | 'significantAdvantages' | 'patientsBestInterest')[],
    ];
    decisionDate?: string;
  };
  /**
   * Designation denied; the sponsor may request again (new submission).
   */
  DENY: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
    decisionDate?: string;
  };
  /**
   * The sponsor withdraws the designation request.
   */
  WITHDRAW: {
    reason?: string;
  };
  /**
   * The designation is withdrawn (no longer meets the criteria, or at the sponsor's request); linked submissions lose priority.
   */
  WITHDRAW_DESIGNATION: {
    reason: string;
  };
  /**
   * Link a marketing submission (fda-510k, fda-de-novo, fda-pma) of the same organization; it is prioritized while the device is designated.
   */
  LINK_SUBMISSION: {
    submissionId: string;
  };
}

/** An event of fda-breakthrough@1/2/3/4/5/6 with its data typed by type. */
export type FdaBreakthroughEvent = EventOf<FdaBreakthroughEventData>;

/**
 * The data of each event of cofepris-registration@1, from its schema.
 */
export interface CofeprisRegistrationEventData {
  /**
   * File the application (DIGIPRiS / CIS). Refused while the dossier is incomplete or the reference FDA decision cannot be relied on.
   */
  SUBMIT: {
    folio?: string;
  };
  /**
   * COFEPRIS starts the review.
   */
  START_REVIEW: Record<string, never>;
  /**
   * Prevención (LFPA art. 17-A): missing data or requirements; the applicant has 5 business days (UNCONFIRMED).
   */
  ISSUE_PREVENCION: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    items: [string, ...string[]];
  };
  /**
   * The registration holder answers the prevención.
   */
  RESPOND_PREVENCION: {
    summary?: string;
  };
  /**
   * No answer to the prevención in time: the application is desechada.
   */
  PREVENCION_TIMEOUT: Record<string, never>;
  /**
   * Registro sanitario granted, valid 5 years (LGS art. 376).
   */
  GRANT: {
    registrationNumber: string;
  };
  /**
   * Resolución negativa.
   */
  DENY: {
    reason?: string;
  };
  /**
   * Desistimiento: the registration holder withdraws the application.
   */
  DESIST: {
    reason?: string;
  };
  /**
   * The registration is revoked (LGS art. 376).
   */
  REVOKE: {
    reason: string;
  };
  /**
   * The FDA decision relied on was rescinded or withdrawn (sent by puente in the same transaction).
   */
  REFERENCE_INVALIDATED: {
    referenceSubmissionId?: string;
    referenceState?: string;
    reason?: string;
  };
}

/** An event of cofepris-registration@1 with its data typed by type. */
export type CofeprisRegistrationEvent = EventOf<CofeprisRegistrationEventData>;

/**
 * The data of each event of cofepris-registration@2, cofepris-registration@3, cofepris-registration@4, cofepris-registration@5, from its schema.
 */
export interface CofeprisRegistrationV2EventData extends Pick<
  CofeprisRegistrationEventData,
  'START_REVIEW' | 'RESPOND_PREVENCION' | 'GRANT' | 'DENY' | 'DESIST' | 'REVOKE'
> {
  /**
   * File the application (DIGIPRiS / CIS). Refused while the dossier is incomplete, before the third party reported (third-party route), or while the reference authorization is not eligible for the route.
   */
  SUBMIT: {
    folio?: string;
  };
  /**
   * Third-party route: the registration holder hands the dossier to an authorized third party (Tercero Autorizado) for pre-review.
   */
  SEND_TO_TPR: {
    thirdParty: string;
  };
  /**
   * The registration holder records a round of the third party's findings (the third party is not a puente user).
   */
  TPR_FINDINGS: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    findings: [string, ...string[]];
  };
  /**
   * The registration holder records the third party's favourable technical report (ITF); refused until the report is uploaded.
   */
  TPR_FAVORABLE_REPORT: {
    reportNumber?: string;
    issuedOn?: string;
  };
  /**
   * Prevención (LFPA art. 17-A) on the application or the prórroga: missing data or requirements; the applicant has 5 business days (UNCONFIRMED).
   */
  ISSUE_PREVENCION: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    items: [string, ...string[]];
  };
  /**
   * No answer to the prevención in time: the application is desechada (a prórroga request is treated as not filed).
   */
  PREVENCION_TIMEOUT: Record<string, never>;
  /**
   * Reliance routes: the decision relied on was rescinded or withdrawn (sent by puente in the same transaction).
   */
  REFERENCE_INVALIDATED: {
    referenceSubmissionId?: string;
    referenceState?: string;
    reason?: string;
  };
  /**
   * The prórroga window opens 150 days before the registration expires (day type UNCONFIRMED).
   */
  RENEWAL_WINDOW_OPENS: Record<string, never>;
  /**
   * The registration holder requests the prórroga (RIS arts. 190 Bis 3 and 4; DIGIPRiS) before the registration expires.
   */
  SUBMIT_PRORROGA: {
    folio?: string;
  };
  /**
   * Prórroga granted: the registration is valid 5 more years (LGS art. 376).
   */
  GRANT_PRORROGA: {
    reason?: string;
  };
  /**
   * Prórroga denied: the registration expires.
   */
  DENY_PRORROGA: {
    reason?: string;
  };
  /**
   * The registration reached its expiry date without a prórroga filed in time (LGS art. 376).
   */
  EXPIRE: Record<string, never>;
  /**
   * The registration holder requests an administrative or technical modification of the registration conditions.
   */
  SUBMIT_MODIFICATION: {
    kind: 'administrative' | 'technical';
    description: string;
  };
  /**
   * COFEPRIS approves the modification.
   */
  APPROVE_MODIFICATION: {
    reason?: string;
  };
  /**
   * COFEPRIS rejects the modification; the registration is unchanged.
   */
  REJECT_MODIFICATION: {
    reason?: string;
  };
}

/** An event of cofepris-registration@2/3/4/5 with its data typed by type. */
export type CofeprisRegistrationV2Event = EventOf<CofeprisRegistrationV2EventData>;

/**
 * The data of each event of fda-de-novo@4, fda-de-novo@5, from its schema.
 */
export interface FdaDeNovoV4EventData extends Pick<
  FdaDeNovoEventData,
  | 'SUBMIT'
  | 'FEE_VERIFIED'
  | 'FEE_UNPAID'
  | 'FEE_PAID'
  | 'SCREEN_PASS'
  | 'REPLACEMENT_SUBMITTED'
  | 'ESTAR_HOLD_TIMEOUT'
  | 'ACCEPT'
  | 'ACCEPTANCE_TIMEOUT'
  | 'REFUSE_TO_ACCEPT'
  | 'RTA_TIMEOUT'
  | 'SUBSTANTIVE_INTERACTION'
  | 'REQUEST_AI'
  | 'AI_RESPONSE_INCOMPLETE'
  | 'AI_TIMEOUT'
  | 'DECIDE_GRANT'
  | 'DECIDE_DECLINE'
  | 'WITHDRAW'
> {
  /**
   * eSTAR incomplete: on hold until a complete replacement eSTAR arrives (180 days, 21 CFR 860.250(a)(2)).
   */
  SCREEN_FAIL: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * Technical screening not completed within 15 calendar days: FDA accepts the request for substantive review (21 CFR 860.230(b)).
   */
  SCREENING_TIMEOUT: Record<string, never>;
  /**
   * The requester supplied the missing elements; acceptance review restarts (the clock restarts).
   */
  RTA_RESPONSE:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * Response to the AI request: the FDA-day clock resumes.
   */
  AI_RESPONSE:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
}

/** An event of fda-de-novo@4/5 with its data typed by type. */
export type FdaDeNovoV4Event = EventOf<FdaDeNovoV4EventData>;

/**
 * The data of each event of fda-hde@4, fda-hde@5, from its schema.
 */
export interface FdaHdeV4EventData extends Pick<
  FdaHdeEventData,
  | 'REQUEST_HUD'
  | 'HUD_DESIGNATED'
  | 'HUD_DENIED'
  | 'SUBMIT_HDE'
  | 'FILE'
  | 'REFUSE_TO_FILE'
  | 'REQUEST_AMENDMENT'
  | 'AMENDMENT_TIMEOUT'
  | 'ISSUE_APPROVAL_ORDER'
  | 'ISSUE_APPROVABLE'
  | 'ISSUE_NOT_APPROVABLE'
  | 'ISSUE_DENIAL'
  | 'WITHDRAW'
  | 'WITHDRAW_APPROVAL'
> {
  /**
   * An HDE amendment: answers a request or letter (review resumes), or, during review, an unsolicited one (a major amendment extends the review up to 75 days, 21 CFR 814.106).
   */
  AMENDMENT:
    | {
        summary?: string;
        major?: boolean;
      }
    | {
        summary?: string;
        major?: boolean;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * OOPD returns the HUD designation request for more information (21 CFR 814.102(b)(2)); the 45 days count again from the answer.
   */
  HUD_RETURNED: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    questions: [string, ...string[]];
  };
  /**
   * The sponsor answers OOPD's request for more information: the HUD request is under review again (45 days from this answer).
   */
  HUD_INFO_RESPONSE:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
}

/** An event of fda-hde@4/5 with its data typed by type. */
export type FdaHdeV4Event = EventOf<FdaHdeV4EventData>;

/**
 * The data of each event of fda-presub@4, fda-presub@5, from its schema.
 */
export interface FdaPresubV4EventData extends Pick<
  FdaPresubEventData,
  'SUBMIT' | 'ACCEPT' | 'REFUSE_TO_ACCEPT' | 'SCHEDULE_MEETING' | 'CANCEL_MEETING' | 'CLOSE' | 'HOLD_MEETING' | 'SUBMIT_MINUTES' | 'WITHDRAW'
> {
  /**
   * The sponsor completes the Pre-Sub: the 15-day acceptance review restarts.
   */
  RESPONSE:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * Written feedback (a Pre-Sub: by day 70, or 5 days before the meeting, whichever is sooner; other Q-Sub types by their own clock).
   */
  SEND_WRITTEN_FEEDBACK: {
    summary?: string;
  };
  /**
   * FDA accepts the draft minutes as they are: they are final, the formal written feedback.
   */
  FINALIZE_MINUTES: {
    summary?: string;
  };
  /**
   * FDA sends its edits to the draft minutes (within 30 days); they become final 15 days later unless the sponsor disagrees.
   */
  EDIT_MINUTES: {
    summary?: string;
  };
  /**
   * The sponsor disagrees with FDA's edits to the minutes (within 15 days): FDA resolves it.
   */
  MINUTES_DISAGREEMENT: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    points: [string, ...string[]];
  };
  /**
   * FDA resolves the disagreement: the minutes as resolved are final.
   */
  RESOLVE_MINUTES: {
    summary?: string;
  };
  /**
   * No disagreement within 15 days of FDA's edits: the edited minutes are final.
   */
  MINUTES_FINAL_TIMEOUT: Record<string, never>;
}

/** An event of fda-presub@4/5 with its data typed by type. */
export type FdaPresubV4Event = EventOf<FdaPresubV4EventData>;

/**
 * The data of each event of fda-510k@4, fda-510k@5, from its schema.
 */
export interface Fda510kV4EventData extends Pick<
  Fda510kEventData,
  | 'FEE_VERIFIED'
  | 'FEE_UNPAID'
  | 'FEE_PAID'
  | 'SCREEN_PASS'
  | 'SCREEN_FAIL'
  | 'REPLACEMENT_SUBMITTED'
  | 'ACCEPT'
  | 'REFUSE_TO_ACCEPT'
  | 'RTA_TIMEOUT'
  | 'SUBSTANTIVE_INTERACTION'
  | 'REQUEST_AI'
  | 'DECIDE_SE'
  | 'DECIDE_NSE'
  | 'WITHDRAW'
  | 'RESCIND_SE'
> {
  /**
   * Send the 510(k) to FDA (CDRH Document Control Center receipt), or under Third Party Review to the accredited review organization.
   */
  SUBMIT: Record<string, never>;
  /**
   * The sponsor answered the RTA; acceptance review restarts (FDA-day clock restarts).
   */
  RTA_RESPONSE:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * Complete response to the AI request: the FDA-day clock resumes.
   */
  AI_RESPONSE:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * No complete AI response within 180 calendar days of the original AI request: deleted (FDA code DE).
   */
  AI_TIMEOUT: Record<string, never>;
  /**
   * No valid eCopy: the 510(k) is put on eCopy hold; a valid eCopy is due within 180 days.
   */
  ECOPY_HOLD: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * The sponsor sent a valid eCopy: receipt is checked again (the review clock counts from it).
   */
  ECOPY_RECEIVED: Record<string, never>;
  /**
   * No valid eCopy within 180 days of the eCopy hold: deleted.
   */
  ECOPY_HOLD_TIMEOUT: Record<string, never>;
  /**
   * Acceptance review not completed within 15 calendar days: the 510(k) is considered under substantive review.
   */
  ACCEPTANCE_DEEMED: Record<string, never>;
  /**
   * No complete replacement eSTAR within 180 days of the technical screening hold: considered withdrawn.
   */
  ESTAR_HOLD_TIMEOUT: Record<string, never>;
  /**
   * FDA finds the AI response incomplete: the 510(k) goes back on hold as of the original AI request, whose 180 days keep running.
   */
  AI_RESPONSE_INCOMPLETE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies?: [string, ...string[]];
  };
  /**
   * FDA converts a Special or Abbreviated 510(k) to a Traditional 510(k) (the Special 510(k) Program).
   */
  CONVERT_TO_TRADITIONAL: {
    reason?: string;
  };
  /**
   * FDA received the accredited third party's review and recommendation: FDA decides within 30 days (FD&C Act § 523(a)(2)).
   */
  THIRD_PARTY_RECOMMENDATION: {
    organization: string;
    recommendationDate: string;
    recommendation?: 'SE' | 'NSE';
  };
}

/** An event of fda-510k@4/5 with its data typed by type. */
export type Fda510kV4Event = EventOf<Fda510kV4EventData>;

/**
 * The data of each event of fda-pma@4, fda-pma@5, from its schema.
 */
export interface FdaPmaV4EventData extends Pick<
  FdaPmaEventData,
  | 'SUBMIT'
  | 'FEE_VERIFIED'
  | 'FEE_UNPAID'
  | 'FEE_PAID'
  | 'ACCEPT'
  | 'REFUSE_TO_ACCEPT'
  | 'FILE'
  | 'SUBSTANTIVE_INTERACTION'
  | 'UNSOLICITED_MAJOR_AMENDMENT'
  | 'REFER_TO_PANEL'
  | 'PANEL_RECOMMENDATION'
  | 'ISSUE_APPROVAL_ORDER'
  | 'ISSUE_DENIAL'
  | 'FDA_OBJECTS'
  | 'NOTICE_PERIOD_TIMEOUT'
  | 'WITHDRAW'
  | 'WITHDRAW_APPROVAL'
> {
  /**
   * The applicant supplied the missing elements; acceptance review restarts.
   */
  RTA_RESPONSE:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * Not filed (21 CFR 814.42(c)): the applicant may amend under the same PMA number or ask for an informal conference (814.42(d)).
   */
  REFUSE_TO_FILE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * Major Deficiency Letter (a request to amend, 21 CFR 814.37(c)): the FDA-day clock stops; a written response is due within 180 days. Not for real-time supplements.
   */
  ISSUE_MDL: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies: [string, ...string[]];
  };
  /**
   * Amendment answering the MDL: the FDA-day clock resumes; the goal may be extended.
   */
  MAJOR_AMENDMENT:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * No written response within 180 days of the Major Deficiency Letter: considered withdrawn voluntarily (21 CFR 814.37(c)(3)).
   */
  MDL_TIMEOUT: Record<string, never>;
  /**
   * Approvable letter (21 CFR 814.44(e)): approvable once the applicant meets its conditions; a written response is due within 180 days (814.44(g)).
   */
  ISSUE_APPROVABLE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    conditions?: [string, ...string[]];
  };
  /**
   * The applicant answered the approvable letter: final review.
   */
  APPROVABLE_RESPONSE:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * Not approvable letter (21 CFR 814.44(f)): a written response is due within 180 days (814.44(g)).
   */
  ISSUE_NOT_APPROVABLE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    deficiencies?: [string, ...string[]];
  };
  /**
   * Amendment answering the not approvable letter: substantive review resumes.
   */
  AMENDMENT:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * No written response within 180 days of the not approvable letter: considered withdrawn voluntarily (21 CFR 814.44(g)).
   */
  NOT_APPROVABLE_TIMEOUT: Record<string, never>;
  /**
   * Acceptance review not completed within 15 days: the PMA is considered accepted and the filing review starts.
   */
  ACCEPTANCE_REVIEW_TIMEOUT: Record<string, never>;
  /**
   * The applicant resubmits the refused PMA with what it lacked, under the same PMA number (21 CFR 814.42(d)(1)): filing review again (45 days).
   */
  FILING_AMENDMENT:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * The applicant asks for an informal conference to review the refusal to file, within 10 working days of the notice (21 CFR 814.42(d)(2)).
   */
  REQUEST_INFORMAL_CONFERENCE: {
    reason?: string;
  };
  /**
   * After the informal conference FDA files the PMA; the filing date is the date of this decision (21 CFR 814.42(d)(2)).
   */
  FILE_AFTER_CONFERENCE: {
    summary?: string;
  };
  /**
   * After the informal conference FDA keeps its refusal to file; the applicant may still amend (21 CFR 814.42(d)).
   */
  UPHOLD_REFUSAL_TO_FILE: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    reasons?: [string, ...string[]];
  };
  /**
   * FDA closes a PMA it refused to file: the applicant did not amend within the response window (its passing is recorded first).
   */
  CLOSE_NOT_FILED: {
    reason?: string;
  };
  /**
   * No written response within 180 days of the approvable letter: considered withdrawn voluntarily (21 CFR 814.44(g)).
   */
  APPROVABLE_TIMEOUT: Record<string, never>;
  /**
   * The applicant asks for more time to answer the letter: up to 180 more days, 360 from the letter in all (PMA review-clock guidance §III.F).
   */
  REQUEST_RESPONSE_EXTENSION: {
    reason?: string;
    requestedDueDate?: string;
  };
  /**
   * FDA extends the response window to dueDate (after day 180, at most day 360 after the letter; day 360 when absent).
   */
  GRANT_RESPONSE_EXTENSION: {
    dueDate?: string;
    reason?: string;
  };
  /**
   * FDA refuses the extension: the 180-day window from the letter stands.
   */
  DENY_RESPONSE_EXTENSION: {
    reason?: string;
  };
  /**
   * FDA considers the PMA withdrawn after a response window whose end the regulation does not settle by itself: a refusal to accept, a pending extension request or an extended window (its passing is recorded first).
   */
  CONSIDER_WITHDRAWN: {
    reason?: string;
  };
}

/** An event of fda-pma@4/5 with its data typed by type. */
export type FdaPmaV4Event = EventOf<FdaPmaV4EventData>;

/**
 * The data of each event of cofepris-registration@6, cofepris-registration@7, from its schema.
 */
export interface CofeprisRegistrationV6EventData extends Pick<
  CofeprisRegistrationV2EventData,
  | 'SUBMIT'
  | 'SEND_TO_TPR'
  | 'TPR_FINDINGS'
  | 'TPR_FAVORABLE_REPORT'
  | 'START_REVIEW'
  | 'GRANT'
  | 'DESIST'
  | 'REVOKE'
  | 'REFERENCE_INVALIDATED'
  | 'RENEWAL_WINDOW_OPENS'
  | 'GRANT_PRORROGA'
  | 'DENY_PRORROGA'
  | 'EXPIRE'
  | 'SUBMIT_MODIFICATION'
  | 'APPROVE_MODIFICATION'
  | 'REJECT_MODIFICATION'
> {
  /**
   * Prevención (LFPA art. 17-A, reading UNCONFIRMED) on the application or the prórroga: once per procedure, within the first third of the resolution term; the authority sets the term in business days (at least 5), which puente counts under its Mexican calendar from the day of the prevención. The resolution term is suspended while it is open.
   */
  ISSUE_PREVENCION: {
    /**
     * @minItems 1
     * @maxItems 200
     */
    items: [string, ...string[]];
    /**
     * The term the authority sets for the answer, in business days: at least 5 (LFPA art. 17-A, reading UNCONFIRMED). puente counts its last day under its Mexican calendar from the day of the prevención.
     */
    termBusinessDays: number;
  };
  /**
   * The registration holder answers the prevención.
   */
  RESPOND_PREVENCION:
    | {
        summary?: string;
      }
    | {
        summary?: string;
        /**
         * Ids of documents already added to this submission that the response attaches.
         *
         * @minItems 1
         * @maxItems 50
         */
        documents?: [string, ...string[]];
      };
  /**
   * COFEPRIS desecha the application (or treats the prórroga request as not filed) because the prevención was not answered in its term; refused while the term runs.
   */
  PREVENCION_TIMEOUT: {
    reason?: string;
  };
  /**
   * Resolución negativa, stating its grounds: the legal provisions applied (fundamentación) and the reasons (motivación).
   */
  DENY: {
    fundamentacion: string;
    motivacion: string;
  };
  /**
   * The registration holder requests the prórroga (RIS arts. 190 Bis 3 and 4; DIGIPRiS) before the registration expires; refused while the dossier is incomplete.
   */
  SUBMIT_PRORROGA: {
    folio?: string;
  };
  /**
   * Afirmativa ficta (RIS art. 179): the class I term passed without a resolution, so the request is deemed granted. Recorded by puente, not a COFEPRIS resolution.
   */
  AFIRMATIVA_FICTA: Record<string, never>;
  /**
   * COFEPRIS records the constancia of the afirmativa ficta and the registration number it assigns.
   */
  RECORD_FICTA_CERTIFICATE: {
    registrationNumber: string;
  };
}

/** An event of cofepris-registration@6/7 with its data typed by type. */
export type CofeprisRegistrationV6Event = EventOf<CofeprisRegistrationV6EventData>;
