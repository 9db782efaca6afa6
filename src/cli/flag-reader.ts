// Reads commander's untyped action options (`Record<string, unknown>`) into typed values, one
// flag at a time. The value parsers (options.ts) already turned the text into values, so a
// wrong type here is a bug in wer-sniff (a flag renamed, a parser missing): it is caught in this
// one place, named, instead of surfacing later as a strange failure deep in a command.
import { WerSniffError } from '../errors.js';

export class FlagReader {
  constructor(private readonly command: string, private readonly raw: Record<string, unknown>) {}

  /** A value that must be there (commander gave it a default or made it required). */
  string(name: string): string {
    return this.need(name, this.optString(name), 'text');
  }
  optString(name: string): string | undefined {
    return this.check(name, (v): v is string => typeof v === 'string', 'text');
  }

  number(name: string): number {
    return this.need(name, this.optNumber(name), 'a number');
  }
  optNumber(name: string): number | undefined {
    return this.check(name, (v): v is number => typeof v === 'number' && !Number.isNaN(v), 'a number');
  }

  /** A switch: true when given (false with its `--no-` form). */
  bool(name: string): boolean | undefined {
    return this.check(name, (v): v is boolean => typeof v === 'boolean', 'on or off');
  }

  strings(name: string): string[] | undefined {
    return this.check(name, (v): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string'), 'a list of text');
  }

  choice<T extends string>(name: string, choices: readonly T[]): T {
    return this.need(name, this.optChoice(name, choices), `one of ${choices.join(', ')}`);
  }
  optChoice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    return this.check(name, (v): v is T => (choices as readonly unknown[]).includes(v), `one of ${choices.join(', ')}`);
  }

  /** `host:port` as parseUpstream made it. */
  endpoint(name: string): { host: string; port: number } {
    return this.need(name, this.check(name, isEndpoint, 'host:port'), 'host:port');
  }

  /** A value a parser made (a filter, address rules): `is` tells its shape. */
  value<T>(name: string, is: (v: unknown) => v is T, what: string): T | undefined {
    return this.check(name, is, what);
  }

  private check<T>(name: string, is: (v: unknown) => v is T, what: string): T | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (!is(v)) this.wrong(name, what, typeof v);
    return v;
  }

  private need<T>(name: string, v: T | undefined, what: string): T {
    if (v === undefined) this.wrong(name, what, 'nothing');
    return v;
  }

  private wrong(name: string, what: string, got: string): never {
    const flag = name.length === 1 ? `-${name}` : `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new WerSniffError('bad-flags', `${this.command} ${flag} should be ${what} but is ${got} — this is a bug in wer-sniff, please report it`, 2);
  }
}

/** Whether `v` is a list of plain objects (address rules, parsed kinds). */
export const isObjectList = (v: unknown): v is object[] => Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null);
/** Whether `v` is a plain object (a parsed --filter). */
export const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{host, port}` as parseUpstream and parseWebAddress make it. */
export const isEndpoint = (v: unknown): v is { host: string; port: number } =>
  typeof v === 'object' && v !== null && typeof (v as { host?: unknown }).host === 'string' && typeof (v as { port?: unknown }).port === 'number';
