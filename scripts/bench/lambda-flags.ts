/**
 * The V8 heap limits the Lambda Node.js runtime gives a function of a given memory size. Its
 * bootstrap script derives them from `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`: a new space of a tenth of
 * the memory split into two semi-spaces, and the rest as old space. Running the local child with
 * the same limits makes V8 collect garbage as eagerly as it would in that function, so its peak
 * RSS is comparable; without them V8 sizes the heap for this machine and collects lazily.
 *
 * @module
 */

/** `--max-semi-space-size` and `--max-old-space-size` (MiB) as Lambda sets them for `memoryMb`. */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}
