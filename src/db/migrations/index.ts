import type { Migration } from 'kysely';
import * as m0001 from './0001-companies-and-sessions';

/** Every migration, in order. Names are permanent: never rename one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001-companies-and-sessions': m0001,
};
