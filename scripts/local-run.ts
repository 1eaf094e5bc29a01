/**
 * `npm start`: a local run of a CloudFormation template's
 * `Custom::VerifiedPermissionsIdentitySource` resources through the built provider — Create,
 * Update, Delete — against local stand-ins, with no AWS account and no network. See
 * `npm start -- --help` ({@link USAGE}).
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import { build } from './build.js';
import { type CliOptions, parseCliOptions, USAGE } from './local-run/cli.js';
import type { DriftReport } from './local-run/drift-step.js';
import { runLifecycle } from './local-run/lifecycle.js';
import { startLocalTarget } from './local-run/local-target.js';
import { renderText, styleFor } from './local-run/report-text.js';
import { loadRunPlan } from './local-run/run-plan.js';
import { type RunResult, renderJson, stepFailed } from './local-run/run-result.js';
import { LocalRunError } from './local-run/template.js';

const progress = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** Runs the command line; resolves to the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let options: CliOptions | undefined;
  try {
    options = parseCliOptions(args);
    if (options.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const result = await run(options);
    const style = styleFor(process.stdout);
    process.stdout.write(
      options.json
        ? renderJson(result, options)
        : renderText(result, { style, logs: options.logs }),
    );
    return result.exitCode;
  } catch (error) {
    const usage = error instanceof LocalRunError;
    const message = usage ? error.message : ((error as Error).stack ?? String(error));
    progress(`error: ${message}${usage && !options ? '\n(see --help)' : ''}`);
    if (options?.json) process.stdout.write(`${JSON.stringify({ error: message }, null, 2)}\n`);
    return usage ? 2 : 1;
  }
}

async function run(options: CliOptions): Promise<RunResult> {
  const plan = await loadRunPlan(options);
  if (options.build) {
    progress('building dist/handler.mjs and dist/drift.mjs…');
    await build({ quiet: true });
  }
  progress(
    'starting local stand-ins (Verified Permissions double, dynalite, S3, EventBridge, function)…',
  );
  const target = await startLocalTarget({ region: options.region });
  const interrupted = (signal: NodeJS.Signals): void => {
    progress(`${signal}: stopping local stand-ins…`);
    void target.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const models = plan.resolve(target.identity);
    let drift: DriftReport | undefined;
    let sent = 0;
    const { steps, notes } = await runLifecycle(models, {
      beforeDelete: async (live) => {
        progress("drift check (a source changed behind the stack's back)…");
        drift = await target.checkDrift(live, sent);
        progress(
          `  → ${drift.result ? JSON.stringify(drift.result) : (drift.error ?? 'no result')}`,
        );
      },
      prepare: (model) => target.prepare(model),
      send: async (request) => {
        progress(`${request.requestType} ${request.logicalId}${phaseNote(request.phase)}…`);
        const step = await target.send(request);
        sent++;
        progress(`  → ${step.response?.Status ?? 'no response'}`);
        return step;
      },
    });
    const failed = steps.some(stepFailed);
    return {
      template: plan.templatePath,
      updateTemplate: plan.updatePath,
      overrides: plan.overrides,
      region: options.region,
      stackId: target.identity.stackId,
      policyStores: target.policyStores,
      steps,
      notes,
      ...(drift && { drift }),
      identitySourcesLeft: target.identitySources(),
      expectFailure: options.expectFailure,
      exitCode: failed === options.expectFailure ? 0 : 1,
    };
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    progress('stopping local stand-ins…');
    await target.close();
  }
}

const phaseNote = (phase: string): string =>
  phase === 'cleanup' || phase === 'rollback' ? ` (${phase})` : '';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
