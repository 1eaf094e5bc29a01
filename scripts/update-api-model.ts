/**
 * `npm run update-api-model`: rewrites `local/verified-permissions/api-model.json` from the
 * botocore installed on this machine (see `local/verified-permissions/botocore-model.ts`).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  botocoreModelPath,
  modelSubset,
  readBotocoreModel,
} from '../local/verified-permissions/botocore-model.js';
import { API_MODEL_URL } from '../local/verified-permissions/model.js';

const source = botocoreModelPath();
writeFileSync(
  API_MODEL_URL,
  `${JSON.stringify(modelSubset(readBotocoreModel(source)), null, 2)}\n`,
);
process.stderr.write(`wrote ${fileURLToPath(API_MODEL_URL)} from ${source}\n`);
