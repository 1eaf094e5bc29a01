/**
 * The inputs of one run read and checked before anything starts: the template, the update
 * template (or none), the parameters and the `--set` overrides.
 *
 * @module
 */
import { access } from 'node:fs/promises';
import type { CliOptions } from './cli-options.js';
import { LocalRunError } from './local-run-error.js';
import { applyOverrides, type PropertyOverride, parseOverride } from './overrides.js';
import { checkParameterNames, resolveParameters } from './parameters.js';
import type { LocalStackIdentity } from './pseudo-parameters.js';
import { resolveStack, type StackModel } from './stack-model.js';
import { customResources, readTemplate, type Template } from './template.js';

/** The checked inputs; {@link RunPlan.resolve} turns them into models for a running stack. */
export interface RunPlan {
  readonly templatePath: string;
  /** The template the Update is made from (the template itself when only `--set` changes it); undefined = no Update. */
  readonly updatePath: string | undefined;
  /** The `--set` texts. */
  readonly overrides: readonly string[];
  /** The models for a stack: `update` undefined = no Update step. */
  resolve(stack: LocalStackIdentity): { create: StackModel; update: StackModel | undefined };
}

/** `examples/cognito.yaml` → `examples/cognito-update.yaml`. */
export const defaultUpdatePath = (templatePath: string): string =>
  templatePath.replace(/(\.[^./]+)?$/, (extension) => `-update${extension}`);

/**
 * Reads the templates and checks every input by resolving once for a provisional stack, so
 * that mistakes surface before the stand-ins start.
 *
 * @throws LocalRunError for unreadable templates, templates without custom resources, unknown
 *   or missing parameters, bad `--set` values, or anything the resolver cannot resolve.
 */
export async function loadRunPlan(options: CliOptions): Promise<RunPlan> {
  const template = await readTemplate(options.template);
  const logicalIds = customResources(template).map((resource) => resource.logicalId);
  if (logicalIds.length === 0) {
    throw new LocalRunError(
      `${options.template}: no Custom::VerifiedPermissionsIdentitySource resource to run`,
    );
  }
  const updatePath = options.update ?? (await existing(defaultUpdatePath(options.template)));
  const updateTemplate = updatePath === undefined ? undefined : await readTemplate(updatePath);
  const overrideTargets = customResources(updateTemplate ?? template).map((r) => r.logicalId);
  const overrides = options.set.map((text) => parseOverride(text, overrideTargets));
  checkParameterNames([template, ...(updateTemplate ? [updateTemplate] : [])], options.parameters);

  const model = (source: Template, stack: LocalStackIdentity, changes: PropertyOverride[]) =>
    resolveStack(source, {
      stack,
      parameters: resolveParameters(source, options.parameters),
      adjust: (resource) => applyOverrides(resource, changes),
    });
  const updateSource = updateTemplate ?? (overrides.length > 0 ? template : undefined);
  const plan: RunPlan = {
    templatePath: options.template,
    updatePath: updatePath ?? (updateSource === undefined ? undefined : options.template),
    overrides: options.set,
    resolve(stack) {
      return {
        create: model(template, stack, []),
        update: updateSource === undefined ? undefined : model(updateSource, stack, overrides),
      };
    },
  };
  plan.resolve({
    region: options.region,
    stackId: `arn:aws:cloudformation:${options.region}:123456789012:stack/local-stack/provisional`,
  });
  return plan;
}

async function existing(path: string): Promise<string | undefined> {
  try {
    await access(path);
    return path;
  } catch {
    return undefined;
  }
}
