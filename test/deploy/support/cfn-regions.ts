/**
 * Regions, as the installed cfn-lint knows them: its region list, which resource types each
 * region has (CloudFormation's per-region type lists that cfn-lint ships), and the regions a
 * template declares it is meant for.
 *
 * A template declares its regions with cfn-lint's own per-template setting, so a plain
 * `cfn-lint file.yaml` lints it there too:
 *
 * ```yaml
 * Metadata:
 *   cfn-lint:
 *     config:
 *       regions: [ap-east-2, cn-north-1]   # or [ALL_REGIONS]
 * ```
 */
import { runPythonDriver } from './external-tools.js';
import type { CfnTemplate } from './templates.js';

/** cfn-lint's word for every region it knows. */
export const ALL_REGIONS = 'ALL_REGIONS';

export interface RegionTypes {
  /** Every region cfn-lint knows, in its order. */
  readonly regions: readonly string[];
  /** For each region, which of the asked-for resource types it has. */
  readonly types: Readonly<Record<string, readonly string[]>>;
}

/** Which of `types` each region has, by the installed cfn-lint's data. */
export function regionTypes(types: readonly string[]): Promise<RegionTypes> {
  return runPythonDriver<RegionTypes>('region_types.py', types);
}

/** The regions that have every one of `present` and none of `absent`. */
export function regionsWith(
  data: RegionTypes,
  present: readonly string[],
  absent: readonly string[] = [],
): string[] {
  return data.regions.filter((region) => {
    const types = data.types[region] ?? [];
    return present.every((t) => types.includes(t)) && !absent.some((t) => types.includes(t));
  });
}

/** The regions list a template declares (`Metadata.cfn-lint.config.regions`), as written. */
export function declaredRegions(template: CfnTemplate): string[] | undefined {
  const metadata = template.Metadata as
    | { 'cfn-lint'?: { config?: { regions?: unknown } } }
    | undefined;
  const regions = metadata?.['cfn-lint']?.config?.regions;
  return Array.isArray(regions) && regions.every((r) => typeof r === 'string')
    ? regions
    : undefined;
}

/** `regions` with {@link ALL_REGIONS} expanded to every region cfn-lint knows. */
export function expandRegions(regions: readonly string[], known: readonly string[]): string[] {
  return regions.includes(ALL_REGIONS) ? [...known] : [...regions];
}

/** A copy of `template` that declares `regions` (what cfn-lint lints it in). */
export function withRegions(template: CfnTemplate, regions: readonly string[]): CfnTemplate {
  const metadata = { ...(template.Metadata as Record<string, unknown> | undefined) };
  metadata['cfn-lint'] = { config: { regions: [...regions] } };
  return { ...template, Metadata: metadata };
}
