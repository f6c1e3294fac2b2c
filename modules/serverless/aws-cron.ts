/**
 * Environment files write schedules as five-field cron (as `scaling.schedules`
 * does); Application Auto Scaling takes `cron(minute hour day-of-month month
 * day-of-week year)`, numbers its weekdays 1–7 from Sunday (cron: 0–6) and
 * wants `?` in one of the two day fields. This turns one into the other.
 */
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** Why a five-field cron has no Application Auto Scaling form, or undefined. */
export function awsCronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `has ${fields.length} fields, needs 5 (minute hour day-of-month month day-of-week)`;
  const [, , dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string];
  if (dayOfMonth !== '*' && dayOfWeek !== '*') return 'restricts both day-of-month and day-of-week; AWS cron allows one (the other becomes ?)';
  if (dayOfWeek.includes('/')) return 'steps a day-of-week (/); list the days instead, e.g. 1,3,5';
  return undefined;
}

/** `0 9 * * 1-5` → `cron(0 9 ? * MON-FRI *)`. Call only on an expression `awsCronProblem` accepts. */
export function toAwsCron(expression: string): string {
  const problem = awsCronProblem(expression);
  if (problem) throw new Error(`"${expression}" ${problem}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = expression.trim().split(/\s+/) as [string, string, string, string, string];
  const weekdays = dayOfWeek === '*' ? '?' : dayOfWeek.replace(/\d+/g, (n) => WEEKDAYS[Number(n) % 7]!);
  return `cron(${minute} ${hour} ${dayOfWeek === '*' ? dayOfMonth : '?'} ${month} ${weekdays} *)`;
}
