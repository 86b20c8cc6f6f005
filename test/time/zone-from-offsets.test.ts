import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { inferZoneFromOffsets, offsetsOutsideZone } from '../../src/time/zone-from-offsets';
import { isWfmError } from '../../src/errors/wfm-error';

/** Every 30 minutes from `fromIso` for `days`, written with the offset `zone` has at each instant. */
function stamps(zone: string, fromIso: string, days: number, format: (dt: DateTime) => string = (dt) => dt.toISO({ suppressMilliseconds: true })!): string[] {
  const out: string[] = [];
  const start = DateTime.fromISO(fromIso, { zone });
  for (let k = 0; k < days * 48; k++) out.push(format(start.plus({ minutes: 30 * k })));
  return out;
}

const wallTimes = (zone: string, timestamps: string[]) => timestamps.map((t) => DateTime.fromISO(t, { setZone: true }).setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm"));

describe('inferZoneFromOffsets (the CLI without --tz)', () => {
  it('when every timestamp has one whole-hour offset, then the fixed-offset Etc zone is used, flagged: a winter\'s history of a summer-time zone looks the same', () => {
    const result = inferZoneFromOffsets(stamps('Etc/GMT-2', '2023-01-02T00:00', 3));

    expect(result).toMatchObject({ zone: 'Etc/GMT-2', assumption: true });
    expect(result.reason).toContain('without summer time');
  });

  it('when the offsets change at the EU summer-time switch, then a zone with those rules reads every row at its written wall time', () => {
    const timestamps = stamps('Europe/Berlin', '2023-03-20T00:00', 14);

    const result = inferZoneFromOffsets(timestamps);

    expect(result.zone.startsWith('Europe/')).toBe(true);
    expect(result.assumption).toBe(true);
    expect(wallTimes(result.zone, timestamps)).toEqual(wallTimes('Europe/Berlin', timestamps));
  });

  it('when the offset is +05:30 (no Etc zone), then a zone of that offset is found', () => {
    const result = inferZoneFromOffsets(stamps('Asia/Kolkata', '2023-01-02T00:00', 2));

    expect(DateTime.fromISO('2023-06-01T12:00:00Z').setZone(result.zone).offset).toBe(330);
  });

  it('when the real 1999 Israel file (DST on its own dates) is read, then the zone found gives every row its written wall time', () => {
    const csv = readFileSync(join(__dirname, '../../fixtures/history-30min.csv'), 'utf8').trim().split('\n').slice(1);
    const timestamps = csv.filter((line) => line.includes(',PS,')).map((line) => line.split(',')[0]);

    const result = inferZoneFromOffsets(timestamps);

    expect(wallTimes(result.zone, timestamps)).toEqual(timestamps.map((t) => t.slice(0, 16)));
  });

  it('when the timestamps are in UTC ("Z") or carry no offset, then UTC is used and flagged as an assumption', () => {
    expect(inferZoneFromOffsets(['2023-01-02T08:00:00Z', '2023-01-02T08:30:00Z'])).toMatchObject({ zone: 'UTC', assumption: true });
    expect(inferZoneFromOffsets(['2023-01-02 08:00:00', '2023-01-02 08:30:00'])).toMatchObject({ zone: 'UTC', assumption: true });
  });

  it('when the offsets flip back and forth row after row, then it says so at once instead of checking every zone at every flip', () => {
    const flipping = Array.from({ length: 2000 }, (_, k) => `2023-01-${String(1 + Math.floor(k / 100)).padStart(2, '0')}T${String(Math.floor((k % 100) / 4)).padStart(2, '0')}:${String(15 * (k % 4)).padStart(2, '0')}:00${k % 2 ? '+01:00' : '+02:00'}`);

    expect(() => inferZoneFromOffsets(flipping)).toThrow(/offsets change \d+ times: name the zone/);
  });

  it('when the offsets change at an instant no zone changes at, then a validation error asks for the zone', () => {
    let error: unknown;
    try {
      inferZoneFromOffsets(['2023-01-10T08:00:00+01:00', '2023-01-10T08:30:00+03:00']);
    } catch (err) {
      error = err;
    }

    expect(isWfmError(error) && error.code === 'validation').toBe(true);
    expect((error as Error).message).toContain('+01:00 and +03:00');
  });

  describe('offsetsOutsideZone (a --tz the file was not written in)', () => {
    it('when the offsets are the zone\'s own, summer time included, or UTC "Z", then there is nothing to say', () => {
      const berlin = ['2024-03-30T12:00:00+01:00', '2024-03-31T12:00:00+02:00', '2024-10-27T01:30:00+02:00', '2024-10-27T02:30:00+01:00'];
      expect(offsetsOutsideZone(berlin, 'Europe/Berlin')).toBeUndefined();
      expect(offsetsOutsideZone(['2024-03-30T11:00:00Z', '2024-03-30 11:00:00'], 'Europe/Berlin')).toBeUndefined();
    });

    it('when the offsets are not the zone\'s at those instants, then the note counts them and names the offsets', () => {
      // a winter offset written in summer (a fixed-offset export) and a file from another zone altogether
      const note = offsetsOutsideZone(['2024-07-01T08:00:00+01:00', '2024-07-01T08:30:00+02:00', '2024-07-01T09:00:00+05:00'], 'Europe/Berlin');
      expect(note).toMatch(/^2 of 3 timestamps carry an offset \(\+01:00, \+05:00\) that Europe\/Berlin does not have/);
      expect(note).toContain('first: 2024-07-01T08:00:00+01:00');
    });
  });
});
