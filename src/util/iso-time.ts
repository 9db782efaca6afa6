// `new Date(ms).toISOString()` as arithmetic: the same text (YYYY-MM-DDTHH:mm:ss.sssZ) for
// years 0000-9999, several times cheaper than building a Date, which matters where every event
// and every decoded time of every report is formatted. Other years, and values that are not
// a time, go to Date itself (extended years, the RangeError).

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in ms since 1970. */
const FIRST_MS = -62167219200000;
const LAST_MS = 253402300799999;
const DAY_MS = 86_400_000;

function two(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

/** Exactly `new Date(ms).toISOString()`. */
export function isoTime(ms: number): string {
  // Date's TimeClip: whole ms, rounded toward zero
  const t = Math.trunc(ms);
  if (!(t >= FIRST_MS && t <= LAST_MS)) return new Date(ms).toISOString();
  const days = Math.floor(t / DAY_MS);
  let rest = t - days * DAY_MS;
  // civil date from days since 1970 (H. Hinnant, "chrono-compatible low-level date algorithms")
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const min = Math.floor(rest / 60_000);
  rest -= min * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = rest - s * 1000;
  const y = year >= 1000 ? '' + year : year >= 100 ? '0' + year : year >= 10 ? '00' + year : '000' + year;
  return y + '-' + two(month) + '-' + two(day) + 'T' + two(h) + ':' + two(min) + ':' + two(s) + '.' + (milli >= 100 ? '' + milli : milli >= 10 ? '0' + milli : '00' + milli) + 'Z';
}
