/**
 * clockTime writes the times of the SMS: its zone label must not follow the server's locale (the same
 * message must read the same on every host, as the answer pages do, and stay in the GSM-7 alphabet).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Settings } from 'luxon';
import { clockTime } from '../../src/time/grid';

const WINTER = Date.UTC(2026, 11, 2, 18, 46);
const SUMMER = Date.UTC(2026, 6, 15, 12, 0);
/** what a zone label may hold in an SMS: letters, digits, an ASCII sign, a colon */
const ASCII_CLOCK = /^\d\d:\d\d [A-Za-z0-9+\-:]+$/;

describe('clockTime under a server locale other than English', () => {
  const before = Settings.defaultLocale;
  afterEach(() => {
    Settings.defaultLocale = before;
  });

  test.each(['de-DE', 'he-IL', 'fr-FR', 'ar-EG'])('when the default locale is %s, then every zone is labelled as in English, in ASCII', (locale) => {
    Settings.defaultLocale = locale;
    expect(clockTime(WINTER, 'Europe/Berlin')).toBe('19:46 GMT+1'); // de: "MEZ"
    expect(clockTime(WINTER, 'Asia/Jerusalem')).toBe('20:46 GMT+2'); // he: "GMT\u200e+2\u200e"
    expect(clockTime(WINTER, 'America/New_York')).toBe('13:46 EST'); // fr: "UTC\u22125"
    expect(clockTime(WINTER, 'Asia/Kolkata')).toBe('00:16 GMT+5:30');
    const labels = Intl.supportedValuesOf('timeZone').flatMap((zone) => [clockTime(WINTER, zone), clockTime(SUMMER, zone)]);
    expect(labels.filter((label) => !ASCII_CLOCK.test(label))).toEqual([]);
  });

  test('when the process itself runs under LC_ALL=he_IL.UTF-8, then the label is the English one (no bidi marks)', () => {
    const code = `const { clockTime } = require(${JSON.stringify(path.resolve(__dirname, '../../src/time/grid.ts'))});
      process.stdout.write(JSON.stringify([Intl.DateTimeFormat().resolvedOptions().locale, clockTime(${WINTER}, 'Asia/Jerusalem'), clockTime(${WINTER}, 'Europe/Berlin')]));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { env: { ...process.env, LC_ALL: 'he_IL.UTF-8', LANG: 'he_IL.UTF-8' }, encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    const [processLocale, jerusalem, berlin] = JSON.parse(run.stdout) as string[];
    // the child really ran in Hebrew (ICU takes the locale from the environment, no OS locale needed)
    expect(processLocale).toBe('he-IL');
    expect(jerusalem).toBe('20:46 GMT+2');
    expect(berlin).toBe('19:46 GMT+1');
  });
});
