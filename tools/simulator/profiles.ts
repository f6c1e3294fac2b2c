/**
 * Traffic to replay: the seed's four cases as built-in profiles, or a
 * per-minute CSV of the user's own. A profile is a multiplier of the
 * off-peak load at each minute, in the fleet's local time.
 */
import { readFileSync } from 'node:fs';

export interface LoadProfile {
  name: string;
  description: string;
  /** Multiplier of the base load for the minute starting at `epochMs` (requests per minute when `absolute`). */
  multiplier(epochMs: number): number;
  /** True when the values are requests per minute rather than multipliers of the base load. */
  absolute?: boolean;
}

/** Local calendar fields of an instant in a time zone, cached per hour (the zone offset never changes mid-hour). */
export class LocalClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, { year: number; month: number; day: number; weekday: number; hour: number; daysInMonth: number }>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric' });
  }

  /** Fields of the local time; `minuteOfDay` is exact, the rest come from the hour's cache. */
  at(epochMs: number): { year: number; month: number; day: number; weekday: number; hour: number; minuteOfDay: number; daysInMonth: number } {
    const hourKey = Math.floor(epochMs / 3_600_000);
    let fields = this.cache.get(hourKey);
    if (!fields) {
      const parts = Object.fromEntries(this.format.formatToParts(new Date(hourKey * 3_600_000)).map((p) => [p.type, p.value]));
      const year = Number(parts.year);
      const month = Number(parts.month);
      fields = {
        year,
        month,
        day: Number(parts.day),
        weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? ''),
        hour: Number(parts.hour),
        daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
      };
      this.cache.set(hourKey, fields);
    }
    const minute = Math.floor((epochMs % 3_600_000) / 60_000);
    return { ...fields, minuteOfDay: fields.hour * 60 + minute };
  }
}

/** Rises linearly from 1 to `peak` over `rampMinutes` before `start`, holds, and falls back over `rampMinutes` after `end` (minutes of the day). */
function window(minuteOfDay: number, start: number, end: number, peak: number, rampMinutes: number): number {
  if (minuteOfDay >= start && minuteOfDay < end) return peak;
  if (minuteOfDay >= start - rampMinutes && minuteOfDay < start) return 1 + ((peak - 1) * (minuteOfDay - (start - rampMinutes))) / rampMinutes;
  if (minuteOfDay >= end && minuteOfDay < end + rampMinutes) return peak - ((peak - 1) * (minuteOfDay - end)) / rampMinutes;
  return 1;
}

/** The US Black Friday of a year: the day after the fourth Thursday of November. */
export function blackFriday(year: number): { month: number; day: number } {
  const firstWeekday = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const firstThursday = 1 + ((4 - firstWeekday + 7) % 7);
  return { month: 11, day: firstThursday + 21 + 1 };
}

/** The built-in profiles, in the fleet's time zone. */
export function builtInProfiles(clock: LocalClock): LoadProfile[] {
  return [
    {
      name: 'evening-peak',
      description: 'e-commerce A: ×5 from 20:00 to 22:00 every day, 15-minute ramps',
      multiplier: (t) => window(clock.at(t).minuteOfDay, 20 * 60, 22 * 60, 5, 15),
    },
    {
      name: 'weekend',
      description: 'media B: ×3 on Saturdays and Sundays, 1-hour ramps at midnight',
      multiplier: (t) => {
        const { weekday, minuteOfDay } = clock.at(t);
        if (weekday === 0 || weekday === 6) {
          // Ramp down through the last hour of Sunday, up through the last hour of Friday.
          return weekday === 0 && minuteOfDay >= 23 * 60 ? 3 - (2 * (minuteOfDay - 23 * 60)) / 60 : 3;
        }
        return weekday === 5 && minuteOfDay >= 23 * 60 ? 1 + (2 * (minuteOfDay - 23 * 60)) / 60 : 1;
      },
    },
    {
      name: 'month-end',
      description: 'SaaS C: ×4 from 09:00 to 18:00 on the last three days of each month (settlement batches)',
      multiplier: (t) => {
        const { day, daysInMonth, minuteOfDay } = clock.at(t);
        return day > daysInMonth - 3 ? window(minuteOfDay, 9 * 60, 18 * 60, 4, 30) : 1;
      },
    },
    {
      name: 'black-friday',
      description: 'Black Friday: ×10 from 00:00 to 24:00 on the day after the fourth Thursday of November, 1-hour ramps',
      multiplier: (t) => {
        const local = clock.at(t);
        const friday = blackFriday(local.year);
        const isFriday = local.month === friday.month && local.day === friday.day;
        if (isFriday) return window(local.minuteOfDay, 60, 24 * 60, 10, 60);
        return 1;
      },
    },
  ];
}

/**
 * A per-minute CSV: a header, then `minute,<value>` rows (minute counted
 * from the start of the run) or `timestamp,<value>` rows (ISO 8601). A
 * second header named `requests` means requests per minute (an ALB's
 * RequestCount at 1-minute resolution); anything else, multipliers of the base load.
 * Minutes the file does not cover repeat it from the start, so a one-day
 * trace can drive a 14-day run.
 */
export function csvProfile(file: string, start: number): LoadProfile {
  const rows = readFileSync(file, 'utf8').split(/\r?\n/).filter((line) => line.trim() !== '');
  const values: number[] = [];
  rows.slice(1).forEach((line, i) => {
    const [when, raw] = line.split(',').map((cell) => cell.trim());
    const value = Number(raw);
    if (!when || raw === undefined || !Number.isFinite(value) || value < 0) throw new Error(`${file}:${i + 2}: expected minute-or-timestamp,multiplier ≥ 0, got "${line}"`);
    const minute = /^\d+$/.test(when) ? Number(when) : Math.round((Date.parse(when) - start) / 60_000);
    if (!Number.isFinite(minute) || minute < 0) throw new Error(`${file}:${i + 2}: ${when} is before the simulation starts`);
    values[minute] = value;
  });
  if (values.length === 0) throw new Error(`${file}: no rows after the header`);
  // Gaps in the trace carry the last value forward.
  for (let i = 0; i < values.length; i++) values[i] ??= i === 0 ? 0 : values[i - 1]!;
  const absolute = /^\s*requests\s*$/i.test(rows[0]!.split(',')[1] ?? '');
  return {
    name: file,
    absolute,
    description: `per-minute trace from ${file} (${values.length} minutes of ${absolute ? 'requests per minute' : 'load multipliers'})`,
    multiplier: (t) => values[Math.floor((t - start) / 60_000) % values.length]!,
  };
}
