/**
 * Records keyed by names clients choose (signal names, agent ids). A plain `{}` answers "constructor"
 * or "toString" from Object.prototype and turns "__proto__" into a prototype change: these build and
 * read own keys only.
 */

/** An empty record without a prototype: every key, "__proto__" included, is an own data key. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The record's own value for the key (undefined when it has none, whatever Object.prototype holds). */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
