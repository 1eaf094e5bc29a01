/**
 * The Verified Permissions API model the double follows: `api-model.json` beside this file, the
 * part of botocore's service model that the double needs (its operations, the policy store
 * alias operations, and the shapes they reach). `npm run update-api-model` regenerates it from
 * the botocore installed on this machine (see `botocore-model.ts`); a test fails when the two
 * drift apart.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** The committed model. */
export const API_MODEL_URL = new URL('./api-model.json', import.meta.url);

/** A reference from a member, list or operation to a named shape. */
export interface ShapeRef {
  shape: string;
}

/** One shape of the model; only the traits the double reads are typed. */
export interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  union?: boolean;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  exception?: boolean;
  fault?: boolean;
}

/** One operation of the model. */
export interface Operation {
  name: string;
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
}

/** The parts of a botocore-style service model the double uses. */
export interface ApiModel {
  metadata: { targetPrefix: string; jsonVersion: string; signingName: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/**
 * Reads and parses the model (synchronously; it is small and read once per double).
 *
 * @example
 * ```ts
 * loadApiModel().metadata.targetPrefix; // 'VerifiedPermissions'
 * ```
 */
export function loadApiModel(url: URL = API_MODEL_URL): ApiModel {
  return JSON.parse(readFileSync(url, 'utf8')) as ApiModel;
}
