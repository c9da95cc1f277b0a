/**
 * Errors and exit statuses of the command. A user error (a bad option, file or data) is one line
 * on stderr naming the option, or the file, line and column, and the bad value; exit status 2.
 * Anything else is an internal error: its stack trace on stderr, exit status 1.
 */
import { BackpropError } from '../src/util/errors.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
/** `gradcheck` ran but a gradient differs from finite differences. */
export const EXIT_CHECK_FAILED = 3;

/** A mistake in the command line or an input file that the user can fix. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `--option: requirement, got "value"` as a UsageError. */
export function optionError(option: string, value: unknown, requirement: string): UsageError {
  return new UsageError(`${option}: ${requirement}, got ${JSON.stringify(value)}`);
}

/** Whether an error is the user's to fix: ours, or one the library raised about the input it was given. */
export function isUserError(error: unknown): error is Error {
  return error instanceof UsageError || error instanceof BackpropError;
}

/** The one line shown for a user error (messages are made one line; the library's already name the value). */
export function userMessage(error: Error): string {
  return `backprop: ${error.message.replace(/\s*\n\s*/g, ' ')}`;
}
