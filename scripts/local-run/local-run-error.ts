/**
 * The one error type of the local run that means "the input is wrong" (a usage mistake or a
 * template the run cannot resolve), as opposed to something failing while it runs.
 *
 * @module
 */

/** A usage or template problem; the CLI prints its message and exits with code 2. */
export class LocalRunError extends Error {
  override readonly name = 'LocalRunError';
}
