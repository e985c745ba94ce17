/**
 * Checks an HTTP response against the service's own OpenAPI document: the operation (path template +
 * method) must list the status, and a JSON body must match the status's schema (ajv, JSON Schema 2020-12 as
 * OpenAPI 3.1 uses). Routes the document does not describe (/docs, unknown paths, OPTIONS) are not checked.
 * The document is built once per process and each validator compiled on first use.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { buildOpenApi } from '../../src/inbound/rest/openapi.ts';

type Document = ReturnType<typeof buildOpenApi>;
interface Operation {
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

// CommonJS modules under nodenext: the class and the plugin are their `default` export.
const AjvClass = Ajv2020.default;
const withFormats = addFormats.default;

let state: { doc: Document; ajv: InstanceType<typeof AjvClass>; routes: { template: string; pattern: RegExp }[] } | undefined;
const validators = new Map<string, ValidateFunction>();

export function openApiDocument(): Document {
  return load().doc;
}

function load() {
  if (state) return state;
  const doc = buildOpenApi({ title: 'support-triage', version: 'test' });
  const ajv = new AjvClass({ strict: false, allErrors: true });
  withFormats(ajv);
  ajv.addSchema(doc as object, 'openapi.json');
  const routes = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^/}]+\\?\}/g, '[^/]+')}$`),
  }));
  state = { doc, ajv, routes };
  return state;
}

/** The document's path template for a request path ("/api/v1/requests/7?x=1" -> "/api/v1/requests/{id}"). */
export function routeTemplate(path: string): string | undefined {
  const bare = path.split(/[?#]/, 1)[0]!.replace(/(.)\/+$/, '$1');
  return load().routes.find((r) => r.pattern.test(bare))?.template;
}

const pointer = (...segments: string[]) => segments.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');

export interface CheckedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  /** The body as text ('' when empty). */
  text: string;
}

/** The problems of a response against the document (empty when it conforms or the route is not documented). */
export function responseProblems(res: CheckedResponse): string[] {
  const { doc, ajv } = load();
  const template = routeTemplate(res.path);
  const method = res.method.toLowerCase();
  const operation = template ? ((doc.paths as Record<string, Record<string, Operation | undefined>>)[template]?.[method]) : undefined;
  if (!template || !operation || method === 'head') return [];
  const where = `${res.method.toUpperCase()} ${res.path} -> ${res.status} (${template})`;
  const documented = operation.responses[String(res.status)];
  if (!documented) return [`${where}: status ${res.status} is not in the OpenAPI document (it lists ${Object.keys(operation.responses).join(', ')})`];
  if (!documented.content) return [];
  const mediaType = (res.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(mediaType in documented.content)) return [`${where}: content type "${mediaType}" is not documented (${Object.keys(documented.content).join(', ')})`];
  if (mediaType !== 'application/json') return [];
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return [`${where}: body is not JSON: ${res.text.slice(0, 200)}`];
  }
  const key = `${template} ${method} ${res.status}`;
  const validate = validators.get(key) ?? ajv.compile({ $ref: `openapi.json#/${pointer('paths', template, method, 'responses', String(res.status), 'content', 'application/json', 'schema')}` });
  validators.set(key, validate);
  if (validate(body)) return [];
  return [`${where}: body does not match the document: ${ajv.errorsText(validate.errors, { separator: '; ' })}; body: ${res.text.slice(0, 500)}`];
}

/** An ajv validator for the schema at `segments` in the document (e.g. a parameter's or a request body's). */
export function schemaValidator(segments: string[]): ValidateFunction {
  const key = segments.join('\u0000');
  const validate = validators.get(key) ?? load().ajv.compile({ $ref: `openapi.json#/${pointer(...segments)}` });
  validators.set(key, validate);
  return validate;
}

/** Throws (failing the test) when the response does not conform to the document. */
export function assertConforms(res: CheckedResponse): void {
  const problems = responseProblems(res);
  if (problems.length) throw new Error(`OpenAPI contract: ${problems.join('\n')}`);
}
