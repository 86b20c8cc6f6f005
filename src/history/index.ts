/** Interval-history ingestion (validate, grid, aggregate), CSV formatting and the fixture derivation. */
export * from './ingest';
export { formatIntervalsCsv, type FormatCsvOptions } from './format';
export { ZoneClock, ZoneClocks } from './zone-clock';
