// Validates a HAR document against the published HAR 1.2 JSON Schema (the har-schema package,
// the schemas har-validator uses) with Ajv, formats included (date-time, uri, ipv4/ipv6).
// Returns one line per violation, empty when the document is valid.
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (validate) return validate;
  const schemas = require('har-schema') as Record<string, Record<string, unknown>>;
  // har-schema is draft-06 and uses two keywords no draft defines (`optional`, `min`): not strict.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  for (const [name, schema] of Object.entries(schemas)) if (name !== 'har') ajv.addSchema(schema);
  validate = ajv.compile(schemas.har!);
  return validate;
}

export function harSchemaErrors(doc: unknown): string[] {
  const v = validator();
  if (v(doc)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
