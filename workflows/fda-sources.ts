/**
 * Primary sources the FDA pathways of issue 9 cite (reference/domain.md §7.2), one constant per
 * text and section, so a deadline, goal and parameter name the same source the same way.
 */
import type { RuleSource } from './types.js';

const ecfr = (section: string) => `https://www.ecfr.gov/current/title-21/section-${section}`;
const cfr = (section: string, paragraph: string, date = '2026'): RuleSource => ({
  title: `21 CFR ${section}`,
  section: `§ ${section}${paragraph}`,
  citation: `21 CFR ${section}${paragraph}`,
  date,
  url: ecfr(section),
});

export const SOURCES = {
  // De Novo (21 CFR 860 subpart D, final rule of 2021-10-05, 86 FR 54826).
  deNovoAcceptance: cfr('860.230', '(b)'),
  deNovoRtaWithdrawn: cfr('860.250', '(a)(2)'),
  deNovoAiWithdrawn: cfr('860.250', '(a)(1)'),
  deNovoEstar: {
    title: 'Electronic Submission Template for Medical Device De Novo Requests (eSTAR for De Novo Requests), final guidance',
    section: 'technical screening; mandatory eSTAR from 2025-10-01',
    date: '2024-08',
  },
  deNovoReviewClock: {
    title: 'FDA and Industry Actions on De Novo Classification Requests: Effect on FDA Review Clock and Goals',
    section: '§ V.E (missed MDUFA decision communication)',
    date: '2022-10',
  },
  mdufaV: {
    title: 'MDUFA Performance Goals and Procedures, Fiscal Years 2023 Through 2027 (MDUFA V commitment letter)',
    section: 'De Novo requests: decision goal',
    date: '2022',
  },
  // HDE (21 CFR 814 subpart H).
  hudPopulation: { title: '21st Century Cures Act', section: '§ 3052 (8,000 individuals per year)', citation: 'Pub. L. 114-255 § 3052', date: '2016-12-13' },
  hudDesignation: cfr('814.102', '(b)'),
  hudReturned: cfr('814.102', '(b)(2)'),
  hdeFiling: cfr('814.112', ''),
  hdeReview: cfr('814.116', '(a)'),
  hdeAmendment: cfr('814.106', ''),
  hdeLetterResponse: cfr('814.116', '(e)(2)'),
  // Breakthrough Devices Program.
  breakthroughStatute: { title: 'Federal Food, Drug, and Cosmetic Act', section: '§ 515B(d)(1)', citation: '21 U.S.C. 360e-3(d)(1)', date: '2016-12-13' },
  breakthroughGuidance: {
    title: 'Breakthrough Devices Program, guidance for industry and FDA staff',
    section: '§ IV (designation request review: additional information around day 30)',
    date: '2023-09-15',
  },
  breakthroughCriteria: { title: 'Federal Food, Drug, and Cosmetic Act', section: '§ 515B(b)', citation: '21 U.S.C. 360e-3(b)', date: '2016-12-13' },
  // Q-Submission Program.
  qsub: (section: string): RuleSource => ({
    title: 'Requests for Feedback and Meetings for Medical Device Submissions: the Q-Submission Program, final guidance',
    section,
    date: '2025-05-29',
  }),
} as const;
