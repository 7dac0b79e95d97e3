import type { Config } from '../config';

/**
 * The Accounting API's base for each INTUIT_ENVIRONMENT (`local` is the sandbox emulator),
 * ending in /v3/company/. Intuit's OAuth endpoints are not here: they come from its discovery
 * document (discovery.ts).
 */
export function accountingApiBase(intuit: Pick<Config['intuit'], 'environment' | 'localUrl'>): string {
  if (intuit.environment === 'local') return `${intuit.localUrl!}/v3/company/`;
  return intuit.environment === 'sandbox' ? 'https://sandbox-quickbooks.api.intuit.com/v3/company/' : 'https://quickbooks.api.intuit.com/v3/company/';
}
