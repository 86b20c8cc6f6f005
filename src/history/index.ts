/**
 * Interval-history ingestion (validate, grid, aggregate), CSV formatting and the zone clocks. The fixture
 * derivation (./anonbank-fixtures, ./fixture-agents) is not exported here: only `wfm fixtures` and its
 * tests use it, and they import those files directly.
 */
export * from './ingest';
export { historyGrid, daysCoarserThan, DAY_MIN_ROWS, type HistoryGrid, type CoarseDays } from './history-grid';
export { formatIntervalsCsv, type FormatCsvOptions } from './format';
export { ZoneClock, ZoneClocks } from './zone-clock';
