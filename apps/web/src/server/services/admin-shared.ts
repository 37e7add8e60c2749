import { DbError } from '@lms/db';
import { AppError } from '../errors';

/**
 * The repository's refusals as the admins' pages show them: NOT_FOUND stays NOT_FOUND; bad
 * input, a conflict (an e-mail or slug taken) and a change to an immutable release become
 * INVALID_INPUT with the repository's own words (what and where). Anything else is rethrown.
 */
export async function asAppErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DbError) {
      if (error.code === 'NOT_FOUND') throw new AppError('NOT_FOUND', {}, { cause: error });
      if (error.code === 'INVALID' || error.code === 'CONFLICT' || error.code === 'IMMUTABLE')
        throw new AppError('INVALID_INPUT', { details: error.message }, { cause: error });
    }
    throw error;
  }
}

/** A refusal of the admin's own request, in words that say what and why. */
export function refuse(details: string): never {
  throw new AppError('INVALID_INPUT', { details });
}
