/**
 * One declaration per environment variable: its name, its validator (which holds the default) and what it is
 * for. Declarations are grouped in plain objects whose keys are the Config's; the Config's type is derived
 * from the validators, so adding a variable is one line in its area's file (src/config/*.ts).
 */
import type { z } from 'zod';

export class Variable<T = unknown> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  /** What it is for, for a reader of the code; .env.example and README say it for operators (test/unit/config-docs.test.ts keeps the names in step). */
  readonly doc: string;
  constructor(name: string, schema: z.ZodType<T>, doc: string) {
    this.name = name;
    this.schema = schema;
    this.doc = doc;
  }
}

export const variable = <S extends z.ZodType>(name: string, schema: S, doc: string): Variable<z.output<S>> =>
  new Variable<z.output<S>>(name, schema as z.ZodType<z.output<S>>, doc);

/** A group of declarations, nested as the Config is. */
export interface Declarations {
  readonly [key: string]: Variable | Declarations;
}

/** The parsed values of a group: the same keys, each variable replaced by its validator's output. */
export type Values<D> = D extends Variable<infer T> ? T : { -readonly [K in keyof D]: Values<D[K]> };

export type Environment = Readonly<Record<string, string | undefined>>;

/** Every variable of a group, in declaration order. */
export function variablesOf(group: Declarations): Variable[] {
  return Object.values(group).flatMap((d) => (d instanceof Variable ? [d] : variablesOf(d)));
}

/**
 * Parses every variable of the group from `source`; each problem is pushed as "NAME: message" (declaration
 * order) and the variable left undefined, so one start-up reports all of them. Complete only when no problem
 * was pushed.
 */
export function readValues<D extends Declarations>(group: D, source: Environment, problems: string[]): Values<D> {
  const out: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(group)) {
    if (!(d instanceof Variable)) {
      out[key] = readValues(d, source, problems);
      continue;
    }
    const parsed = d.schema.safeParse(source[d.name]);
    if (parsed.success) out[key] = parsed.data;
    else for (const issue of parsed.error.issues) problems.push(`${d.name}: ${issue.message}`);
  }
  return out as Values<D>;
}

/** Whether a variable is set to something other than blanks (for the rules across variables). */
export const isSet = (source: Environment, name: string): boolean => (source[name] ?? '').trim() !== '';
