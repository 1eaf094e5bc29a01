/**
 * SAM's own transform (the Python aws-sam-translator, offline: see sam_translate.py), applied
 * the way a deployment applies it: `sam package` first replaces each local `CodeUri` with the
 * `s3://` URI of the uploaded code, then the transform runs in the stack's region.
 */
import { createHash } from 'node:crypto';
import { runPythonDriver, type ToolOptions } from './external-tools.js';
import { type CfnTemplate, clone } from './templates.js';

/** Parameter values as SAM receives them (a CommaDelimitedList as its comma-joined string). */
export type ParameterValues = Readonly<Record<string, string>>;

export interface TranslationJob {
  readonly id: string;
  readonly region: string;
  readonly template: CfnTemplate;
  readonly parameters?: ParameterValues;
}

export interface Translation {
  /** The CloudFormation template the transform made, or undefined when it refused. */
  readonly template?: CfnTemplate;
  /** The transform's error messages. */
  readonly errors?: readonly string[];
  /** The nested applications resolved through the (offline) Serverless Application Repository. */
  readonly applications?: ReadonlyArray<readonly [applicationId: string, version: string]>;
}

/** A bucket name for packaged code; nothing is uploaded. */
const PACKAGE_BUCKET = 'sam-package-artifacts';

/**
 * `template` as `sam package` leaves it for the transform: every function's local `CodeUri`
 * (its own or Globals') becomes `s3://<bucket>/<hash>`. Inline code and S3 locations stay.
 */
export function packaged(template: CfnTemplate): CfnTemplate {
  const out = clone(template);
  const toS3 = (holder: Record<string, unknown> | undefined): void => {
    const uri = holder?.CodeUri;
    if (holder && typeof uri === 'string' && !uri.startsWith('s3://')) {
      holder.CodeUri = `s3://${PACKAGE_BUCKET}/${createHash('md5').update(uri).digest('hex')}`;
    }
  };
  toS3((out.Globals as { Function?: Record<string, unknown> } | undefined)?.Function);
  for (const resource of Object.values(out.Resources)) {
    if (resource.Type === 'AWS::Serverless::Function') toS3(resource.Properties);
  }
  return out;
}

/** Runs the transform on each job (one Python process for all). */
export async function samTranslate(
  jobs: readonly TranslationJob[],
  options: Omit<ToolOptions, 'input'> = {},
): Promise<Record<string, Translation>> {
  const results = await runPythonDriver<Array<Translation & { id: string }>>(
    'sam_translate.py',
    jobs,
    options,
  );
  return Object.fromEntries(results.map(({ id, ...translation }) => [id, translation]));
}

/** One distinct output of the transform, and every region and parameter set that gave it. */
export interface TranslationGroup {
  readonly translation: Translation;
  readonly regions: string[];
  readonly parameterSets: ParameterValues[];
}

/**
 * Translates `template` (packaged first) once per region and parameter set, and groups the
 * regions and parameter sets whose outputs are identical (the output depends on the
 * partition, e.g. in managed policy ARNs), so each distinct output is linted once, in all
 * the regions that make it.
 */
export async function translateInRegions(
  template: CfnTemplate,
  regions: readonly string[],
  parameterSets: readonly ParameterValues[] = [{}],
): Promise<TranslationGroup[]> {
  const source = packaged(template);
  const jobs = regions.flatMap((region) =>
    parameterSets.map((parameters, p) => ({
      id: `${region}#${p}`,
      region,
      template: source,
      parameters,
    })),
  );
  const results = await samTranslate(jobs);
  const groups = new Map<string, TranslationGroup>();
  for (const job of jobs) {
    const translation = results[job.id] ?? { errors: [`no result for ${job.id}`] };
    const key = JSON.stringify(translation);
    const group = groups.get(key) ?? { translation, regions: [], parameterSets: [] };
    if (!group.regions.includes(job.region)) group.regions.push(job.region);
    if (!group.parameterSets.includes(job.parameters)) group.parameterSets.push(job.parameters);
    groups.set(key, group);
  }
  return [...groups.values()];
}
