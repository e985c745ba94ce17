/**
 * Values a JSON Schema of the service's OpenAPI document admits, as fast-check arbitraries: strings from
 * their `pattern` (fc.stringMatching) or `format`, numbers in range, objects with their required and some
 * optional properties, one branch of `anyOf`/`oneOf`. Every value is then checked with ajv against the whole
 * schema (so `not`, `oneOf` exclusivity and several patterns hold), and only values it admits are produced:
 * what this yields, the document promises the API accepts.
 */
import fc from 'fast-check';
import { openApiDocument, schemaValidator } from './openapi.ts';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  not?: Schema;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

const components = () => (openApiDocument() as unknown as { components: { schemas: Record<string, Schema> } }).components.schemas;
export const resolveSchema = (s: Schema): Schema => (s.$ref ? resolveSchema(components()[s.$ref.split('/').pop()!]!) : s);

const codePoints = (s: string) => [...s].length;
const dates = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
const offsets = fc.constantFrom('Z', '+00:00', '-05:00', '+14:00', '-12:00', '+05:30');

/** An ISO 8601 instant written with an offset: the same instant, in another zone's wall-clock time. */
const dateTime = fc.tuple(dates, offsets).map(([d, offset]) => {
  if (offset === 'Z') return d.toISOString();
  const minutes = (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4)));
  const local = new Date(d.getTime() + minutes * 60_000);
  return local.getTime() >= Date.parse('0000-01-01T00:00:00Z') && local.getTime() <= Date.parse('9999-12-31T23:59:59Z') ? local.toISOString().replace('Z', offset) : d.toISOString();
});

/** Any text, NUL and lone surrogates included: valid JSON Schema strings the service must store or refuse by its document. */
const anyText = (min: number, max: number) =>
  fc.string({
    unit: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(' ', '\n', '\u0000', '\ud800', '\udfff') }, { weight: 8, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }),
    minLength: min,
    maxLength: max,
  });

function strings(s: Schema): fc.Arbitrary<unknown> {
  const min = s.minLength ?? 0;
  // Long limits are sampled near both ends: a few characters above the minimum, and exactly the maximum.
  const max = Math.min(s.maxLength ?? 200, min + 60);
  const atMost = (a: fc.Arbitrary<string>) => a.filter((v) => codePoints(v) >= min && codePoints(v) <= (s.maxLength ?? Infinity));
  if (s.format === 'date-time') return dateTime;
  if (s.format === 'date') return dates.map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'email') return fc.oneof(fc.emailAddress(), fc.stringMatching(new RegExp(s.pattern ?? '^.+@.+$')));
  if (s.format === 'uuid') return fc.uuid();
  const sized = s.maxLength && s.maxLength > max ? fc.oneof({ weight: 4, arbitrary: anyText(min, max) }, { weight: 1, arbitrary: fc.constant('x'.repeat(s.maxLength)) }) : anyText(min, max);
  if (s.pattern) return fc.oneof(atMost(fc.stringMatching(new RegExp(s.pattern))), atMost(sized));
  return atMost(sized);
}

/** Values shaped by the schema, not yet checked against it (the fuzzer mutates them; admittedValues filters them). */
export function shapedValues(s: Schema): fc.Arbitrary<unknown> {
  if (s.$ref) return shapedValues({ ...resolveSchema(s), ...withoutKey(s, '$ref') });
  if (s.allOf) return shapedValues(s.allOf.reduce<Schema>((acc, part) => ({ ...acc, ...resolveSchema(part), ...(acc.pattern ? { pattern: acc.pattern } : {}) }), withoutKey(s, 'allOf')));
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const rest = withoutKey(withoutKey(s, 'anyOf'), 'oneOf');
    return fc.oneof(...branches.map((b) => {
      const branch = resolveSchema(b);
      // A branch that forbids keys ({ not: { required: [k] } }, as "ids or all, not both" does) never gets them.
      const forbidden = new Set(branch.not?.required ?? []);
      const properties = rest.properties && Object.fromEntries(Object.entries(rest.properties).filter(([k]) => !forbidden.has(k)));
      return shapedValues({ ...rest, ...withoutKey(branch, 'not'), ...(properties ? { properties } : {}), required: [...(rest.required ?? []), ...(branch.required ?? [])] });
    }));
  }
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.length > 1) return fc.oneof(...types.map((type) => shapedValues({ ...s, type })));
  switch (types[0]) {
    case 'string':
      return strings(s);
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1e6, -(2 ** 31)), max: Math.min(s.maximum ?? 1e6, 2 ** 31 - 1) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(shapedValues(s.items ?? {}), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, (s.minItems ?? 0) + 4) });
    case 'object':
      return fc.record(Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, shapedValues(v)])), { requiredKeys: s.required ?? [] });
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function withoutKey(s: Schema, key: keyof Schema): Schema {
  const { [key]: _, ...rest } = s;
  return rest;
}

/**
 * Values the schema at `pointer` (segments from the document's root) admits. A value the sketch above gets
 * wrong is dropped by ajv, never sent: the generator can only be too narrow, never too wide.
 */
export function admittedValues(pointer: string[]): fc.Arbitrary<unknown> {
  let node: unknown = openApiDocument();
  for (const segment of pointer) node = (node as Record<string, unknown>)[segment];
  const validate = schemaValidator(pointer);
  return shapedValues(node as Schema).filter((v) => validate(v));
}
