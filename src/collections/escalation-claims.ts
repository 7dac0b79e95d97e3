import type { PlaybookSettings } from './settings';

/**
 * What a letter may threaten: only the steps the company's settings say are real (an agency it
 * names, small claims, the charges its terms allow, credit reporting). Consumer-debt rules (the
 * FDCPA for agencies, state laws such as California's Rosenthal Act for creditors) forbid
 * threatening action that is not intended. Pure: the caller brings the text as a customer would
 * read it (the template rendered against the company's settings) and the settings.
 */

type EscalationSettings = Pick<PlaybookSettings, 'collectionAgency' | 'filesSmallClaims' | 'collectionCharges' | 'reportsToCreditBureaus'>;

interface EscalationStep {
  /** The words that promise the step. */
  words: RegExp;
  configured: (settings: EscalationSettings) => boolean;
  /** What the text promises, and what the collector can do, in the collector's words. */
  promise: string;
  setting: string;
}

const STEPS: EscalationStep[] = [
  {
    words: /\b(collection|debt[- ]collection|recovery) agenc(y|ies)\b|\bagency\b|\bdebt collectors?\b/i,
    configured: (s) => s.collectionAgency.trim() !== '',
    promise: 'to pass the account to a collection agency',
    setting: 'name the agency under "What the final notice may say follows" in Settings',
  },
  {
    words: /\bsmall[- ]claims\b|\bcourt\b|\blawsuit\b|\bsue\b|\blegal (action|proceedings)\b|\b(lawyers?|attorneys?|solicitors?)\b/i,
    configured: (s) => s.filesSmallClaims,
    promise: 'to go to court (small claims or legal action)',
    setting: 'tick "We file claims in small-claims court" in Settings',
  },
  {
    words: /\b(collection|late|legal|recovery) (costs?|charges?|fees?)\b|\blate fees?\b|\binterest (charges?|of|at|on)\b|\bcharge(s|d)? interest\b/i,
    configured: (s) => s.collectionCharges.trim() !== '',
    promise: 'to add late fees, interest or collection costs',
    setting: 'state the charges your terms allow in Settings',
  },
  {
    words: /\bcredit (bureaus?|reference agenc(y|ies)|reports?|reporting|rating|score|record|standing|history|file)\b/i,
    configured: (s) => s.reportsToCreditBureaus,
    promise: 'to report the account to credit bureaus',
    setting: 'tick "We report unpaid accounts to credit bureaus" in Settings',
  },
];

/** One step a text promises that the settings do not: what it says, where, and what to do. */
export interface UnconfiguredPromise {
  promise: string;
  /** The sentence it is said in (trimmed to a readable length). */
  quote: string;
  setting: string;
}

/** The sentence around a match, for the collector to find it. */
function sentenceAround(text: string, index: number, length: number): string {
  const start = Math.max(text.lastIndexOf('.', index) + 1, text.lastIndexOf('\n', index) + 1, 0);
  const ends = ['.', '\n'].map((mark) => text.indexOf(mark, index + length)).filter((at) => at >= 0);
  const end = ends.length ? Math.min(...ends) + 1 : text.length;
  const sentence = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return sentence.length > 160 ? `${sentence.slice(0, 157)}...` : sentence;
}

/** The escalation steps `text` promises that `settings` do not say are real, each once. */
export function unconfiguredPromises(text: string, settings: EscalationSettings): UnconfiguredPromise[] {
  const found: UnconfiguredPromise[] = [];
  for (const step of STEPS) {
    if (step.configured(settings)) continue;
    const match = step.words.exec(text);
    if (match) found.push({ promise: step.promise, quote: sentenceAround(text, match.index, match[0].length), setting: step.setting });
  }
  return found;
}

/** The refusal in a collector's words: what the text promises, where, and how to make it true or take it out. */
export function unconfiguredInWords(found: UnconfiguredPromise): string {
  return `it threatens ${found.promise} ("${found.quote}"), but the company's settings do not say you do that. Either ${found.setting}, or take the sentence out (or put it inside the {{#if escalation...}} block for that step).`;
}
