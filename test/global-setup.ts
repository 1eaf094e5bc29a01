/**
 * Builds `dist/handler.mjs` once before the suites that run the bundle the way Lambda does.
 */
import { build } from '../scripts/build.js';

export default async function setup(): Promise<void> {
  await build({ quiet: true });
}
